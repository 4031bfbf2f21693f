"""From validated text to typed staging tables.

``read_dataset`` is the dataset layer's one entry point: read, check every rule, and only
when no error remains build the typed Arrow tables the engine consumes. The user's files are
opened read-only and never written; a database is read in one read-only transaction.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from nrr.dataset.checked import column_checks, open_table, usable
from nrr.dataset.contract import TABLES, ColumnType
from nrr.dataset.currency_rules import check_currencies
from nrr.dataset.customer_rules import (
    CustomerIndex,
    check_customers,
    check_known_customers,
    index_customers,
)
from nrr.dataset.issues import Issue, IssueSet
from nrr.dataset.mapped import MappedTable, map_table, relabel
from nrr.dataset.mapping import Mapping, TableMapping
from nrr.dataset.parallel import each
from nrr.dataset.postgres_url import is_database_url
from nrr.dataset.raw import ReadResult
from nrr.dataset.readers import reader_for
from nrr.dataset.rules import TABLE_RULES
from nrr.dataset.staged import StagedData
from nrr.dataset.staged_tables import stage
from nrr.dataset.text import Text
from nrr.errors import ConfigError, InputError

__all__ = ["StagedData", "read_dataset"]


def read_dataset(path: Path | str, mapping: Mapping | None = None) -> StagedData:
    """Read and validate ``path``; raise InputError with every issue if any rule fails.

    ``path`` is a folder or DuckDB file, or a ``postgresql://`` URL given as a string.
    ``mapping``: a column mapping applied to the tables as read, in memory, before any
    rule (docs/mapping.md); the user's files are read as they are and never written.
    """
    if isinstance(path, str) and not is_database_url(path):
        path = Path(path)
    if mapping is not None:
        check_sections(mapping)
    files = {t: f for t, f in mapping.files.items() if t in TABLES} if mapping else None
    reader = reader_for(path, files)
    result = reader.read()
    mapped = _apply(result, mapping)
    issues = IssueSet(result.issues)
    checked = {name: open_table(raw) for name, raw in result.tables.items()}
    # The customer-id lookup (one hash of every id column) and the column rules of every
    # table are independent tasks: two run at a time (parallel.py).
    lookup: list[CustomerIndex | None] = []
    tasks = [
        lambda: lookup.append(index_customers(checked)),
        *(task for table in checked.values() for task in column_checks(table)),
    ]
    each(lambda task: task(), tasks)
    _check_presence(reader.source, result.found, issues)
    customers = checked.get("customers")
    ids = Text(pa.array([], pa.string()))
    roots: npt.NDArray[np.int64] | None = None
    usable_ids = customers is not None and usable(customers, "customer_id")
    index = lookup[0] if usable_ids else None
    if customers is not None:
        ids, roots = check_customers(customers, index)
    for name, table in checked.items():
        if name != "customers" and index is not None:
            check_known_customers(table, index)
        if name in TABLE_RULES:
            TABLE_RULES[name](table)
    base = check_currencies(checked, issues)
    for table in checked.values():
        issues.extend(table.issues)
    issues = IssueSet(relabel(issues, mapped)) if mapped else issues
    if issues.errors or customers is None or roots is None or base is None:
        raise InputError(issues)
    source = path if isinstance(path, Path) else reader.source  # the URL, password removed
    del result
    for table in checked.values():
        table.release()
    staged = stage(source, checked, ids, roots, base, tuple(issues.warnings))
    return staged if mapping is None else replace(staged, mapping=mapping.path)


# Sections an importer reads from the same mapping file, left to it (docs/importing.md):
# one mapping.toml may serve ``nrr import invoices`` and the dataset it wrote.
IMPORTER_SECTIONS = ("invoice_lines",)


def check_sections(mapping: Mapping) -> None:
    """Each section of ``mapping`` names an nrr table (or an importer's input, skipped),
    and each key one of its columns (the customers table takes any name: its other columns
    are attributes). The keys only an importer reads are refused in a table."""
    for name, table in mapping.tables.items():
        if name in IMPORTER_SECTIONS:
            continue
        _check_importer_keys(mapping, name, table)
        spec = TABLES.get(name)
        if spec is None:
            raise ConfigError(
                f"{mapping.path}: [{name}]: not an nrr table (tables: {', '.join(TABLES)})"
            )
        _check_constants(mapping, name, table.constants)
        if spec.keeps_unknown_columns:
            continue
        unknown = table.unknown_column(spec.column_names)
        if unknown is not None:
            part, column = unknown
            raise ConfigError(
                f"{mapping.path}: [{name}.{part}] {column}: {name} has no column "
                f"{column} (its columns: {', '.join(spec.column_names)})"
            )


def _check_importer_keys(mapping: Mapping, name: str, table: TableMapping) -> None:
    only = f"is read by nrr import invoices only ([{IMPORTER_SECTIONS[0]}])"
    if table.period_end is not None:
        raise ConfigError(f"{mapping.path}: [{name}] period_end: {only}")
    if table.fallbacks:
        column = next(iter(table.fallbacks))
        raise ConfigError(
            f"{mapping.path}: [{name}.columns] {column}: a list of headers {only}; name one header"
        )


# What a constant of each column type must look like: one bad constant would otherwise be
# reported once per row.
_CONSTANT_SHAPES = {
    ColumnType.CURRENCY: (r"[A-Za-z]{3}", "a three-letter currency code such as USD"),
    ColumnType.INTEGER: (r"-?\d{1,18}", "a whole number"),
    ColumnType.DECIMAL: (r"-?\d+(?:\.\d+)?", "a plain decimal number"),
    ColumnType.DATE: (r"\d{4}-\d{2}-\d{2}", "a YYYY-MM-DD date"),
}


def _check_constants(mapping: Mapping, name: str, constants: dict[str, str]) -> None:
    kinds = {c.name: c.type for c in TABLES[name].columns}
    for column, value in constants.items():
        shape = _CONSTANT_SHAPES.get(kinds.get(column, ColumnType.TEXT))
        if shape is not None and re.fullmatch(shape[0], value.strip()) is None:
            raise ConfigError(
                f"{mapping.path}: [{name}.constants] {column}: {value!r} is not {shape[1]}"
            )


def _apply(result: ReadResult, mapping: Mapping | None) -> list[MappedTable]:
    """Each table that has a section in ``mapping``, mapped; the dates and decimals of the
    contract are the columns its date format and separators apply to."""
    mapped: list[MappedTable] = []
    if mapping is None:
        return mapped
    for name, raw in result.tables.items():
        table = mapping.table(name)
        if table is None:
            continue
        spec = TABLES[name]
        dates = {c.name for c in spec.columns if c.type is ColumnType.DATE}
        numbers = {c.name for c in spec.columns if c.type is ColumnType.DECIMAL}
        done = map_table(raw, table, dates, numbers)
        result.tables[name] = done.raw
        mapped.append(done)
    return mapped


def _check_presence(path: str, checked: set[str], issues: IssueSet) -> None:
    if "customers" not in checked:
        issues.add(
            Issue(
                path,
                0,
                "-",
                "table-missing",
                "no customers table (customers.csv, customers.parquet or a customers table)",
            )
        )
    if "subscriptions" not in checked and "events" not in checked:
        issues.add(
            Issue(
                path,
                0,
                "-",
                "table-missing",
                "no revenue table: give subscriptions (revenue lines) or events (MRR changes)",
            )
        )
    if "subscriptions" in checked and "events" in checked:
        issues.add(
            Issue(
                path,
                0,
                "-",
                "table-ambiguous",
                "both subscriptions and events are given; keep the one that holds your revenue",
            )
        )
