"""Answers of the data endpoints, kept per dataset fingerprint and request.

Why a cache: every page load asks the same few questions (the overview's report, a
dashboard's widgets), and each is a query over the whole dataset. An answer depends only on
the data and the request, so it is kept under ``(fingerprint, endpoint, request)``.

Why a fingerprint of the files rather than a time limit: a figure must never outlive the data
it came from. The fingerprint (names, sizes, modification times and inodes of the files the
dataset was read from) is taken before each request; when it changes, the dataset is
reloaded and every kept answer is dropped (``WebState.refresh``). A PostgreSQL source has no
cheap fingerprint: its answers stand until ``nrr serve`` restarts.

The cache is bounded in entries and bytes (least recently used answers go first), so a
client walking many distinct requests cannot exhaust memory.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

from nrr.errors import ConfigError

MAX_ENTRIES = 512
MAX_BYTES = 64 * 1024 * 1024


def fingerprint(source: Path | str) -> str:
    """What identifies the dataset's current contents without reading them.

    A folder: every file directly in it (a file added, removed, replaced or rewritten
    changes it). A file (DuckDB): the file and its ``.wal``. A URL: the URL itself.
    """
    if isinstance(source, str):
        return hashlib.sha256(source.encode()).hexdigest()
    entries: list[str] = []
    paths = [source, Path(f"{source}.wal")] if not source.is_dir() else []
    if source.is_dir():
        with os.scandir(source) as scan:
            paths = [Path(entry.path) for entry in scan if entry.is_file()]
    for path in sorted(paths):
        try:
            info = path.stat()
        except OSError:
            continue  # a file removed between the listing and the stat: the listing changed
        entries.append(f"{path.name}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ino}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


def refuse_store_inside(store: Path, data: Path | str) -> None:
    """Refuse a store inside the data folder (or in place of a DuckDB data file).

    Why: the server reloads the data whenever its fingerprint changes, so a store in there
    would make every dashboard write look like new data and force a re-validation.
    """
    if "://" in str(data):
        return  # a database URL: no folder to keep out of
    where, place = Path(data).resolve(), store.resolve()
    if where.is_dir():
        inside = place.is_relative_to(where)
    else:  # a DuckDB file: its fingerprint covers the file and its write-ahead log
        inside = place in (where, where.with_name(f"{where.name}.wal"))
    if inside:
        raise ConfigError(
            f"the dashboard store {store} is inside the data {data}: every dashboard write "
            "would look like a change of the data and force it to be validated again. Keep "
            "the store elsewhere (--store; the default is .nrr-dashboards.sqlite in the "
            "current folder, so run nrr serve from another folder)"
        )


@dataclass(frozen=True)
class Answer:
    """A finished response body: what a repeated request gets without touching the engine."""

    body: bytes
    media_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


class AnswerCache:
    """A thread-safe LRU of ``Answer`` objects, bounded in count and total bytes."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Answer | None:
        with self._lock:
            answer = self._entries.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return answer

    def peek(self, key: Hashable) -> Answer | None:
        """Like ``get``, without counting a hit or a miss."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, answer: Answer) -> None:
        if len(answer.body) > self.max_bytes:
            return  # larger than the whole budget: answering it again is cheaper than evicting
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous.body)
            self._entries[key] = answer
            self._bytes += len(answer.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)
