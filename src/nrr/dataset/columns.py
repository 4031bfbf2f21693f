"""Vectorised parsing of text columns; each parser returns values and a validity mask.

Kept separate from the rules so the same strict parsing (no silent coercion of "1,000" or
"2024/01/05") serves validation and staging alike.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

_DATE = r"^\d{4}-\d{2}-\d{2}$"
_DECIMAL = r"^-?\d+(?:\.\d+)?$"
_INTEGER = r"^-?\d+$"
_CURRENCY = r"^[A-Z]{3}$"

BoolArray = npt.NDArray[np.bool_]


def is_empty(values: pd.Series) -> BoolArray:
    return np.array(values.str.strip() == "", dtype=bool)


def _matches(values: pd.Series, pattern: str) -> BoolArray:
    return np.array(values.str.strip().str.fullmatch(pattern), dtype=bool)


def parse_dates(values: pd.Series) -> tuple[npt.NDArray[np.datetime64], BoolArray]:
    """ISO dates -> datetime64[D]; invalid or empty entries are NaT with ok=False."""
    text = values.str.strip()
    ok = _matches(text, _DATE)
    parsed = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[D]")
    idx = np.flatnonzero(ok)
    if len(idx):
        sub = text.iloc[idx]
        month = sub.str.slice(5, 7).astype(int).to_numpy()
        day = sub.str.slice(8, 10).astype(int).to_numpy()
        month_ok = (month >= 1) & (month <= 12)
        year_month = np.full(len(idx), np.datetime64("NaT"), dtype="datetime64[M]")
        year_month[month_ok] = sub[month_ok].str.slice(0, 7).to_numpy(dtype=str)
        first = year_month.astype("datetime64[D]")
        month_days = ((year_month + 1).astype("datetime64[D]") - first).astype(np.int64)
        valid = month_ok & (day >= 1) & (day <= np.where(month_ok, month_days, 0))
        parsed[idx[valid]] = first[valid] + (day[valid] - 1)
        ok[idx[~valid]] = False
    return parsed, ok


def parse_decimals(values: pd.Series) -> tuple[npt.NDArray[np.float64], BoolArray]:
    ok = _matches(values, _DECIMAL)
    parsed = np.full(len(values), np.nan)
    if ok.any():
        parsed[ok] = values[ok].str.strip().astype(float).to_numpy()
    return parsed, ok


def parse_integers(values: pd.Series) -> tuple[npt.NDArray[np.int64], BoolArray]:
    ok = _matches(values, _INTEGER)
    parsed = np.zeros(len(values), dtype=np.int64)
    if ok.any():
        parsed[ok] = values[ok].str.strip().astype(np.int64).to_numpy()
    return parsed, ok


def valid_currency(values: pd.Series) -> BoolArray:
    return _matches(values, _CURRENCY)
