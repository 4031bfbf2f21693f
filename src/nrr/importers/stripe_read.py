"""Reading a folder of Stripe API objects: JSON lines, a list object, or a JSON array.

Stripe's own tools write lists in two shapes (``stripe customers list`` prints one list
object ``{"object": "list", "data": [...]}``; an export script writes one object a line),
so both are read, and a line holding a list object counts as its objects. A malformed
line names its file and line: a user fixes one line of a big export, not the export.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nrr.errors import ConfigError
from nrr.importers.summary import Tally

Obj = Mapping[str, Any]

# The files read, by the object each one holds (Stripe's "object" field).
KINDS = {
    "customers": "customer",
    "subscriptions": "subscription",
    "invoices": "invoice",
    "credit_notes": "credit_note",
    "prices": "price",
}
SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass(frozen=True)
class StripeObjects:
    """The objects of an export, by kind, in file order."""

    customers: tuple[Obj, ...]
    subscriptions: tuple[Obj, ...]
    invoices: tuple[Obj, ...]
    credit_notes: tuple[Obj, ...]
    prices: tuple[Obj, ...]


def has_json(folder: Path) -> bool:
    """Whether the folder holds any file this reader knows by name."""
    return any(find_file(folder, name) is not None for name in KINDS)


def find_file(folder: Path, name: str) -> Path | None:
    for suffix in SUFFIXES:
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def read_folder(folder: Path, tally: Tally) -> StripeObjects:
    """Every known file of ``folder``; objects of another kind are counted and left out."""
    found: dict[str, tuple[Obj, ...]] = {}
    for name, kind in KINDS.items():
        path = find_file(folder, name)
        objects = read_objects(path, tally) if path is not None else []
        kept = []
        seen: set[str] = set()
        for obj in objects:
            if obj.get("object", kind) != kind:
                tally.skip(f"objects of an unknown kind in {name} ({obj.get('object')!s})")
            elif obj.get("id") and str(obj["id"]) in seen:
                # overlapping pages of a list: counting an invoice twice would double a line
                tally.skip(f"repeated {name.replace('_', ' ')} (same id; the first is kept)")
            else:
                seen.add(str(obj.get("id") or ""))
                kept.append(obj)
        if kept:
            tally.read(name.replace("_", " "), len(kept))
        found[name] = tuple(kept)
    known = {f"{name}{suffix}" for name in KINDS for suffix in SUFFIXES}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix in SUFFIXES and path.name not in known:
            tally.warn(f"{path.name} was not read: nrr reads {', '.join(KINDS)} (.jsonl or .json)")
    return StripeObjects(**found)


def read_objects(path: Path, tally: Tally | None = None) -> list[Obj]:
    """The objects of one file; a ``.json`` file is one document, anything else JSON lines.

    A list object with ``has_more: true`` is one page of a longer list: told to ``tally``.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from exc
    if path.suffix == ".json":
        try:
            return _objects_of(json.loads(text), path, None, tally)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
            ) from exc
    objects: list[Obj] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path}: line {number}, column {exc.colno}: not valid JSON ({exc.msg})"
            ) from exc
        objects += _objects_of(value, path, number, tally)
    return objects


def _objects_of(value: Any, path: Path, line: int | None, tally: Tally | None) -> list[Obj]:
    where = f"{path}: line {line}" if line is not None else f"{path}"
    if isinstance(value, dict) and value.get("object") == "list":
        if value.get("has_more") and tally is not None:
            tally.warn(
                f"{path.name} holds a list page with has_more: true: the objects after it are "
                "not in the export (fetch every page, with starting_after)"
            )
        value = value.get("data", [])
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return list(value)
    raise ConfigError(f"{where}: expected a Stripe object, a list object or an array of objects")
