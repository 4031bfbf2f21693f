"""Run one command as a fresh process under ``/usr/bin/time -v``: wall time, CPU, peak RSS.

Why a separate process per run: issue 6 measures the whole process, from start to written
output (interpreter start, imports, reading, computing, writing), which is what a user
waits for, and a fresh process does not reuse caches warmed by the previous run.

Why a watchdog: the pandas baseline (and a slow engine) can need more memory or time than
a shared machine should give. A thread samples the resident memory of the process group
and kills it past ``cap.gib`` or ``cap.seconds``; the run is then recorded as *capped*,
and its time and memory are lower bounds (they would have been at least that).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

TIME = "/usr/bin/time"
MIB = 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE")
_SAMPLE_SECONDS = 0.5  # cheap enough not to disturb the measured process on 2 cores


@dataclass(frozen=True)
class Cap:
    """Limits beyond which a run is killed and reported as a lower bound."""

    gib: float = 15.0
    seconds: float = 600.0


@dataclass(frozen=True)
class Run:
    """One measured process. ``capped`` is "" or why it was stopped ("memory", "time")."""

    seconds: float
    peak_mib: float
    cpu_seconds: float
    capped: str
    load_before: float  # 1-minute load average when the run started: the machine's noise
    source: str = ""  # digest of the measured code (see run.source_digest)

    def as_dict(self) -> dict[str, float | str]:
        return asdict(self)


class RunFailed(RuntimeError):
    """The command exited with an error: the benchmark of a broken command means nothing."""


def run(argv: list[str], cap: Cap, log: Path) -> Run:
    """Run ``argv`` under ``/usr/bin/time -v``; stdout is discarded, stderr goes to ``log``."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as stats_file:
        stats = Path(stats_file.name)
    load = _load_average()
    try:
        with log.open("wb") as err:
            started = time.perf_counter()
            process = subprocess.Popen(
                [TIME, "-v", "-o", str(stats), *argv],
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
            watchdog = _Watchdog(process.pid, cap.gib * 1024 * MIB)
            watchdog.start()
            capped = _wait(process, cap.seconds, watchdog)
            elapsed = time.perf_counter() - started
            watchdog.stop()
        if capped:
            return Run(round(elapsed, 3), round(watchdog.peak / MIB, 1), 0.0, capped, load)
        return _parsed(stats.read_text(), argv, log, load)
    finally:
        stats.unlink(missing_ok=True)


def _wait(process: subprocess.Popen[bytes], seconds: float, watchdog: _Watchdog) -> str:
    """Wait for the process; kill its group when a cap is hit and say which one."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            process.wait(timeout=_SAMPLE_SECONDS)
            return ""
        except subprocess.TimeoutExpired:
            reason = "memory" if watchdog.exceeded else ""
            reason = reason or ("time" if time.monotonic() > deadline else "")
            if reason:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return reason


def _parsed(text: str, argv: list[str], log: Path, load: float) -> Run:
    """Read the fields we need from ``time -v``'s report (and refuse a failed command)."""
    fields = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(": ") for line in text.splitlines())
        if value
    )
    status = int(fields.get("Exit status", "-1"))
    if status != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RunFailed(f"{' '.join(argv)} exited with {status}:\n{tail}")
    return Run(
        seconds=_wall_seconds(fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"]),
        peak_mib=round(int(fields["Maximum resident set size (kbytes)"]) / 1024, 1),
        cpu_seconds=round(
            float(fields["User time (seconds)"]) + float(fields["System time (seconds)"]), 2
        ),
        capped="",
        load_before=load,
    )


def _wall_seconds(text: str) -> float:
    """``h:mm:ss.ss`` or ``m:ss.ss`` to seconds."""
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return round(seconds, 2)


def _load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


class _Watchdog(threading.Thread):
    """Samples the summed RSS of a process group; remembers the peak and a cap breach."""

    def __init__(self, group: int, limit_bytes: float) -> None:
        super().__init__(daemon=True)
        self.group = group
        self.limit = limit_bytes
        self.peak = 0
        self.exceeded = False
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(_SAMPLE_SECONDS):
            rss = group_rss(self.group)
            self.peak = max(self.peak, rss)
            self.exceeded = self.exceeded or rss > self.limit

    def stop(self) -> None:
        self._done.set()
        self.join()


_STAT = re.compile(rb"\) \S+ \d+ (\d+) ")  # after "(comm)": state, ppid, pgrp


def group_rss(group: int) -> int:
    """Resident bytes of every process whose process group is ``group``."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_bytes()
            match = _STAT.search(stat, stat.rfind(b")"))
            if match and int(match.group(1)) == group:
                pages = int(Path(entry.path, "statm").read_text().split()[1])
                total += pages * _PAGE
        except (OSError, ValueError):  # the process ended while we looked
            continue
    return total
