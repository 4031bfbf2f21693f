"""Chargebee's invoice export with line items, as a ``LineFormat`` (data, not code).

The columns are those of Chargebee's "Invoices" export with line items; docs/importing.md
("Chargebee") lists what each becomes and what is assumed (the date forms, the end of a
line's period, metered add-ons read as recurring). The same format can be written as a
``[invoice_lines]`` section of a mapping file, which is how a user adapts it to an export
that differs.
"""

from __future__ import annotations

from types import MappingProxyType

from nrr.importers.invoice_format import LineFormat

COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_id": ("Customer Id",),
    "customer_name": ("Customer Company", "Customer Name"),
    "invoice_id": ("Invoice Number",),
    "invoice_date": ("Invoice Date",),
    "service_period_start": ("Line Item Date From",),
    "service_period_end": ("Line Item Date To",),
    "amount": ("Line Item Amount",),
    "discount_amount": ("Line Item Discount Amount",),
    "tax_amount": ("Line Item Tax Amount",),
    "currency": ("Currency",),
    "kind": ("Entity Type",),
    "product": ("Entity Id",),
    "quantity": ("Line Item Quantity",),
    "subscription_id": ("Subscription Id",),
}
# Entity Type -> kind: item prices (Product Catalog 2.0) and the older plan/addon/adhoc
ENTITY_TYPES: dict[str, str] = {
    "plan_item_price": "subscription",
    "addon_item_price": "subscription",
    "charge_item_price": "one_time",
    "plan": "subscription",
    "addon": "subscription",
    "adhoc": "one_time",
    "plan_setup": "one_time",
}
# ISO dates or Chargebee's "31-Jan-2024", with or without a time of day (which is dropped)
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d-%b-%Y",
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y %H:%M",
)

CHARGEBEE = LineFormat(
    name="Chargebee invoice export",
    columns=MappingProxyType(COLUMNS),
    date_formats=DATE_FORMATS,
    values=MappingProxyType({"kind": MappingProxyType(ENTITY_TYPES)}),
)
PRESETS = {"chargebee": CHARGEBEE}
