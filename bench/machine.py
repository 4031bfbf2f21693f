"""Describe the machine and the software a result was measured with.

Why: the targets of issue 6 are stated for 2 cores and 24 GiB, and a time means nothing
without the CPU, the core count, the memory and the library versions behind it. Versions
come from package metadata, so describing the machine imports none of the libraries.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

PACKAGES = ("nrr", "duckdb", "ibis-framework", "pandas", "pyarrow", "numpy")


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> dict[str, object]:
    """nproc, memory, CPU model, kernel, Python and the versions of the measured stack."""
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gib": _memory_gib(),
        "cpu_model": _cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": {package: _version(package) for package in PACKAGES},
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
    }
