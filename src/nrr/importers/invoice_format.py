"""How an invoice-lines file is read: which header holds each of nrr's columns, and how
its values are written (date formats, value maps, constants).

A format is data, not code, so a billing system's export (``chargebee.CHARGEBEE``) and a
user's ``--map mapping.toml`` are the same kind of thing, and reading stays one function
whatever the source. A mapping file is read by the one parser of the format,
``nrr.dataset.load_mapping`` (docs/mapping.md); ``line_format`` only turns its
``[invoice_lines]`` section into this reading plan and checks its column names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from nrr.dataset.mapped_values import number_reader
from nrr.dataset.mapping import TableMapping, load_mapping
from nrr.errors import ConfigError

SECTION = "invoice_lines"  # the section of a mapping file nrr import invoices reads

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

    def number_text(self, text: str) -> str | None:
        """An amount as a plain decimal, read as a mapping reads a table's amounts
        (``"1.200,50 €"`` -> ``"1200.50"``); None if it is not one."""
        return number_reader(self.decimal, self.thousands, self.strip)(text)

    def headers(self, column: str) -> tuple[str, ...]:
        return self.columns.get(column, (column,))


DEFAULT = LineFormat()


def load_line_format(path: Path) -> LineFormat:
    """The ``[invoice_lines]`` section of the mapping file ``path`` (``--map``)."""
    table = load_mapping(path).table(SECTION)
    if table is None:
        raise ConfigError(f"{path}: no [{SECTION}] section (the section nrr import invoices reads)")
    return line_format(table)


def line_format(table: TableMapping) -> LineFormat:
    """A mapping's ``[invoice_lines]`` section as a reading plan. What this section reads
    differently from a table's (docs/importing.md): value maps compare in any letter case,
    and the lines file is the one on the command line, so ``file`` is refused."""
    source, name = table.source, table.name
    if table.file is not None:
        raise ConfigError(
            f"{source}: [{name}] file: the invoice-lines file is the one named on the command line"
        )
    unknown = table.unknown_column(COLUMNS)
    if unknown is not None:
        part, column = unknown
        raise ConfigError(
            f"{source}: [{name}.{part}] {column}: {column!r} is not a column of "
            f"invoice lines (one of {', '.join(COLUMNS)})"
        )
    return LineFormat(
        name=f"invoice lines mapped by {Path(source).name}",
        columns=MappingProxyType(
            {c: (h, *table.fallbacks.get(c, ())) for c, h in table.columns.items()}
        ),
        date_formats=table.date_formats or (ISO_DATE,),
        values=MappingProxyType(
            {c: _frozen({k.casefold(): v for k, v in m.items()}) for c, m in table.values.items()}
        ),
        constants=_frozen(table.constants),
        period_end_inclusive=table.period_end == "inclusive",
        decimal=table.decimal,
        thousands=table.thousands,
        strip=table.strip,
    )
