"""How an invoice-lines file is read: which header holds each of nrr's columns, and how
its values are written (date formats, value maps, constants).

A format is data, not code, so a billing system's export (``chargebee.CHARGEBEE``) and a
user's ``--map mapping.toml`` are the same kind of thing, and reading stays one function
whatever the source. ``format_from_toml`` reads only the ``[invoice_lines]`` section of a
mapping file; it is the one place a shared mapping module would replace.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from nrr.errors import ConfigError

# nrr's columns of an invoice line; the first seven must be present (or set as constants).
REQUIRED = (
    "customer_id",
    "invoice_date",
    "service_period_start",
    "service_period_end",
    "amount",
    "currency",
    "kind",
)
OPTIONAL = (
    "product",
    "quantity",
    "invoice_id",
    "subscription_id",
    "customer_name",
    # an export that writes a line's discount or tax beside its amount (Chargebee): the
    # discount is subtracted from the amount, the tax is counted and left out
    "discount_amount",
    "tax_amount",
)
COLUMNS = REQUIRED + OPTIONAL
KINDS = ("subscription", "usage", "one_time", "tax", "credit", "discount")
ISO_DATE = "%Y-%m-%d"


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class LineFormat:
    """One way of writing invoice lines.

    ``columns`` maps an nrr column to the headers that may hold it, tried in order per row
    (the first non-empty value wins: Chargebee writes a company or, without one, a name).
    A column absent from ``columns`` is read from the header of the same name.
    ``values`` maps an nrr column's raw values (compared without case) to nrr's values,
    ``constants`` sets a column for every row (a currency for a one-currency file).
    ``decimal``, ``thousands`` and ``strip`` say how amounts are written (``1.200,50 €``).
    ``period_end_inclusive``: the export's service period end is the period's last day
    (Zuora, many warehouses) rather than the day the next period starts (nrr, Stripe).
    """

    name: str = "invoice lines"
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_formats: tuple[str, ...] = (ISO_DATE,)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    period_end_inclusive: bool = False
    decimal: str = "."
    thousands: str = ""
    strip: tuple[str, ...] = ()

    def number_text(self, text: str) -> str:
        """An amount as a plain decimal: ``strip`` (currency symbols) and ``thousands``
        removed, ``decimal`` made a point (``"1.200,50 €"`` -> ``"1200.50"``)."""
        for symbol in self.strip:
            text = text.replace(symbol, "")
        if self.thousands:
            text = text.replace(self.thousands, "")
        if self.decimal != ".":
            text = text.replace(self.decimal, ".")
        return text.strip()

    def headers(self, column: str) -> tuple[str, ...]:
        return self.columns.get(column, (column,))


DEFAULT = LineFormat()


def _strings(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where} must be a header name or a list of header names")


def _table(section: Mapping[str, object], key: str, where: str) -> Mapping[str, object]:
    value = section.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [invoice_lines.{key}] must be a table")
    return value


# the keys of an [invoice_lines] section
_KEYS = frozenset(
    {"columns", "date_format", "values", "constants", "period_end", "decimal", "thousands", "strip"}
)


def _separator(section: Mapping[str, object], key: str, default: str, where: str) -> str:
    value = section.get(key, default)
    if not isinstance(value, str) or len(value) > 1 or value.isdigit() or value == "-":
        raise ConfigError(f'{where}: {key} must be one character (e.g. "," or ".") or ""')
    return value


def format_from_toml(path: Path) -> LineFormat:
    """The ``[invoice_lines]`` section of a mapping file as a ``LineFormat``.

    Keys: ``columns`` (nrr column = the file's header, or a list of headers),
    ``date_format`` (a strftime pattern or a list of them, e.g. ``"%m/%d/%Y"``),
    ``values`` (per nrr column, raw value = nrr value), ``constants`` (nrr column = value)
    ``period_end = "inclusive" | "exclusive"``, and for amounts ``decimal`` and
    ``thousands`` (separators) and ``strip`` (text to remove, e.g. ``["$", "€"]``).
    """
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read --map {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--map {path} is not valid TOML: {exc}") from exc
    section = document.get("invoice_lines")
    if not isinstance(section, dict):
        raise ConfigError(f"--map {path} has no [invoice_lines] section")
    where = f"--map {path}"
    unknown = set(section) - _KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) in [invoice_lines]: {', '.join(sorted(unknown))}"
        )
    columns = {
        _known(name, where): _strings(headers, f"{where}: columns.{name}")
        for name, headers in _table(section, "columns", where).items()
    }
    values: dict[str, Mapping[str, str]] = {}
    for name, pairs in _table(section, "values", where).items():
        if not isinstance(pairs, dict) or not all(isinstance(v, str) for v in pairs.values()):
            raise ConfigError(f"{where}: values.{name} must be a table of text values")
        values[_known(name, where)] = _frozen({str(k).casefold(): v for k, v in pairs.items()})
    constants = {
        _known(name, where): str(value)
        for name, value in _table(section, "constants", where).items()
    }
    period_end = section.get("period_end", "exclusive")
    if period_end not in ("inclusive", "exclusive"):
        raise ConfigError(f'{where}: period_end must be "inclusive" or "exclusive"')
    formats = section.get("date_format", ISO_DATE)
    return LineFormat(
        name=f"invoice lines mapped by {path.name}",
        columns=columns,
        date_formats=_strings(formats, f"{where}: date_format"),
        values=values,
        constants=_frozen(constants),
        period_end_inclusive=period_end == "inclusive",
        decimal=_separator(section, "decimal", ".", where) or ".",
        thousands=_separator(section, "thousands", "", where),
        strip=_strings(section["strip"], f"{where}: strip") if "strip" in section else (),
    )


def _known(name: object, where: str) -> str:
    if name not in COLUMNS:
        raise ConfigError(
            f"{where}: {name!r} is not a column of invoice lines (one of {', '.join(COLUMNS)})"
        )
    return str(name)
