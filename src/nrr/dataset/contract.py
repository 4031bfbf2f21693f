"""The data contract's tables, columns and rule ids, as data.

Rules are named here once so that messages, docs and tests share one vocabulary; the docs
test asserts every id below is documented in docs/validation-errors.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    TEXT = "text"
    DATE = "date"
    DECIMAL = "decimal"
    INTEGER = "integer"
    CURRENCY = "currency"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = ColumnType.TEXT
    required: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    keeps_unknown_columns: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


T, D, N, INT, C = (
    ColumnType.TEXT,
    ColumnType.DATE,
    ColumnType.DECIMAL,
    ColumnType.INTEGER,
    ColumnType.CURRENCY,
)

CUSTOMERS = Table(
    "customers",
    (Column("customer_id", T, True), Column("name"), Column("parent_id")),
    keeps_unknown_columns=True,
)
SUBSCRIPTIONS = Table(
    "subscriptions",
    (
        Column("customer_id", T, True),
        Column("start_date", D, True),
        Column("end_date", D),
        Column("amount", N, True),
        Column("billing_months", INT),
        Column("currency", C),
        Column("kind"),
        Column("product"),
        Column("subscription_id"),
    ),
)
EVENTS = Table(
    "events",
    (
        Column("customer_id", T, True),
        Column("date", D, True),
        Column("mrr", N, True),
        Column("currency", C),
    ),
)
FX_RATES = Table(
    "fx_rates",
    (Column("date", D, True), Column("currency", C, True), Column("rate", N, True)),
)
CUSTOMER_ATTRIBUTES = Table(
    "customer_attributes",
    (
        Column("customer_id", T, True),
        Column("attribute", T, True),
        Column("value"),
        Column("valid_from", D, True),
    ),
)

# Optional health and usage signals (docs/insights.md): a measured value per customer, name
# and date, e.g. a health score or weekly active users. They never enter a revenue figure.
SIGNALS = Table(
    "signals",
    (
        Column("customer_id", T, True),
        Column("date", D, True),
        Column("name", T, True),
        Column("value", N, True),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (CUSTOMERS, SUBSCRIPTIONS, EVENTS, FX_RATES, CUSTOMER_ATTRIBUTES, SIGNALS)
}
RESERVED_CUSTOMER_COLUMNS = frozenset({"customer_id", "name", "parent_id"})
# Names no attribute may take, in the customers table or in customer_attributes: the
# customers table's own columns, ``product`` (``--by product`` groups by the lines' product)
# and ``organization_id`` (the staged customers table's column for the top-most account).
RESERVED_ATTRIBUTES = RESERVED_CUSTOMER_COLUMNS | {"product", "organization_id"}
KINDS = frozenset({"recurring", "usage"})

# The largest amount or mrr of one line, in its own currency (docs/validation-errors.md,
# ``amount-too-large``). Past it float64 arithmetic overflows (a 400-digit amount is
# infinite, two lines of 1e308 sum to infinity) and a figure turns null or, worse, plausible;
# below it every total nrr forms stays finite and keeps float64's 15-16 significant digits.
MAX_AMOUNT = 10**15
# The fx rates nrr reads (``rate-range``): a converted line stays below 1e24 base units, and
# no real pair of currencies is quoted outside this range.
MIN_RATE, MAX_RATE = 1e-9, 1e9
# The longest billing period (``billing-months-range``): 100 years, under the 1,100 years of
# dates nrr reads.
MAX_BILLING_MONTHS = 1200
DEFAULT_BASE_CURRENCY = "USD"

# rule id -> one-line description (rendered into docs/validation-errors.md)
RULES: dict[str, str] = {
    "table-missing": "the customers table and one revenue table (subscriptions or events) exist",
    "table-ambiguous": "only one of subscriptions and events is given",
    "file-unreadable": "the file can be parsed as CSV/Parquet/DuckDB",
    "file-empty": "the file has a header row",
    "column-missing": "every required column is present in the header",
    "column-duplicate": "no column name appears twice (names are case-insensitive)",
    "column-unnamed": "a column without a name in the header holds no values",
    "column-unknown": "(warning) a column of a non-customers table is not in the contract",
    "value-required": "a required value is not empty",
    "id-duplicate": "customer_id is unique in customers",
    "customer-unknown": "customer_id refers to a row of customers",
    "parent-unknown": "parent_id refers to a row of customers",
    "parent-cycle": "parent chains end at an account with no parent",
    "date-format": "dates are valid YYYY-MM-DD dates",
    "date-range": "dates lie between 1900-01-01 and 2999-12-31",
    "decimal-format": "amounts are plain decimals (digits, optional '.', optional leading '-')",
    "integer-format": "billing_months is a whole number",
    "currency-format": "currencies are three-letter ISO 4217 codes (any letter case)",
    "amount-negative": "amount and mrr are >= 0",
    "amount-too-large": "amount and mrr are at most 1,000,000,000,000,000 (1e15) per line",
    "billing-months-range": "billing_months is between 1 and 1200",
    "end-after-start": "end_date is after start_date",
    "kind-value": "kind is recurring or usage",
    "usage-end-required": "a usage line has an end_date",
    "event-duplicate": "one event per customer and date",
    "rate-positive": "an fx rate is > 0",
    "rate-range": "an fx rate lies between 1e-9 and 1e9",
    "rate-duplicate": "one fx rate per currency and date",
    "base-currency-ambiguous": "at most one used currency has no fx rates (it is the base)",
    "fx-missing": "a foreign-currency line has a rate in force on its start date",
    "signal-duplicate": "one signal value per customer, signal name and date",
    "attribute-conflict": "one value per customer, attribute and valid_from",
    "attribute-reserved": "no attribute takes a name nrr reserves (customer_id, name, "
    "parent_id, product, organization_id)",
}
