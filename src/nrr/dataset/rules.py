"""Which rule runs on which table, beyond the header and column types every table gets.

The rules live by what they check: ``checked`` (header and types), ``customer_rules``
(ids, parents, known customers), ``table_rules`` (revenue, rates, signals) and
``attribute_rules``. Currencies across tables are checked while staging
(``currency_rules``), since they need the revenue and rate tables together.
"""

from __future__ import annotations

from collections.abc import Callable

from nrr.dataset.attribute_rules import check_customer_attributes, check_customer_columns
from nrr.dataset.checked import Checked
from nrr.dataset.table_rules import (
    check_events,
    check_fx_rates,
    check_signals,
    check_subscriptions,
)

TABLE_RULES: dict[str, Callable[[Checked], None]] = {
    "customers": check_customer_columns,
    "customer_attributes": check_customer_attributes,
    "subscriptions": check_subscriptions,
    "events": check_events,
    "fx_rates": check_fx_rates,
    "signals": check_signals,
}
