"""Independent columns checked side by side.

Why threads: Arrow's compute kernels and numpy's array operations release the GIL, and the
columns of a table are parsed and checked independently (each writes only its own entries
of ``Checked``; issues are sorted when they are reported). At 1M customers the
subscriptions' columns take 0.57 s one after the other and 0.37 s two at a time. Small
tables take the same path, so the tests exercise it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS = max(1, min(4, os.cpu_count() or 1))


def each(func: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[func(item) for item in items]``, in order, on up to ``WORKERS`` threads."""
    work = list(items)
    if WORKERS == 1 or len(work) < 2:
        return [func(item) for item in work]
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="nrr-check") as pool:
        return list(pool.map(func, work))
