"""Money and percent as a reader of a board deck expects them: "$1,234", "104.2%"."""

from __future__ import annotations

from nrr.definitions import PERCENT_METRICS

# Currencies whose symbol is unambiguous in English-language reports; others show the code.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩"}
MINUS = "−"


def symbol(currency: str) -> str:
    return SYMBOLS.get(currency.upper(), f"{currency.upper()} ")


def money(value: float | None, currency: str, decimals: int = 0) -> str:
    """``-1234.5, "USD"`` → ``"−$1,235"``; None → ``"n/a"``."""
    if value is None or value != value:
        return "n/a"
    sign = MINUS if value < 0 else ""
    return f"{sign}{symbol(currency)}{abs(value):,.{decimals}f}"


def signed_money(value: float, currency: str) -> str:
    """A movement: ``"+$1,200"`` or ``"−$300"``."""
    return ("+" if value >= 0 else "") + money(value, currency)


def percent(value: float | None, decimals: int = 1) -> str:
    if value is None or value != value:
        return "n/a"
    return f"{value:.{decimals}f}%"


def metric_value(metric: str, value: float | None, currency: str) -> str:
    """A metric's value in its own kind: percent for the ratios, a count for customers."""
    if metric in PERCENT_METRICS:
        return percent(value)
    if metric.startswith("customers"):
        return "n/a" if value is None else f"{value:,.0f}"
    return money(value, currency)


METRIC_TITLES = {
    "nrr": "NRR",
    "grr": "GRR",
    "logo_retention": "Logo retention",
    "mrr": "MRR",
    "arr": "ARR",
    "initial_mrr": "Initial MRR",
    "initial_arr": "Initial ARR",
    "customers": "Customers",
    "customers_active": "Active customers",
}


def metric_title(metric: str) -> str:
    return METRIC_TITLES.get(metric, metric.replace("_", " ").capitalize())
