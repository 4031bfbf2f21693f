"""Importers: billing-system exports in, a dataset in nrr's own format out.

An importer never computes a metric: it translates another system's records into the
tables of docs/data-format.md (customers, subscriptions, customer_attributes), writes them
as CSV into a new folder, and says what it took, what it left out and why. The written
folder is then read and validated like any dataset, so an importer cannot smuggle in
data the rules would refuse.

    summary   what an import took and left out, with counts and warnings (``Tally``)
    writer    the output folder: new or empty, CSV with exact decimal text
    invoices  invoice lines -> a dataset (invoice_format: how a file is written, incl.
              --map's [invoice_lines]; invoice_read: checked lines; invoice_spread:
              netting, spreading, merging); chargebee: that export's format, as data
"""
