"""``nrr map suggest``: a proposed ``mapping.toml`` from the headers and a sample of rows.

The proposal is text for the user to read, not a decision: every guess that may be wrong
carries a ``# CHECK:`` comment, the columns left unmatched are listed, and the file is read
back by the same strict ``load_mapping`` as one written by hand (docs/mapping.md).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from nrr.dataset.contract import TABLES, ColumnType
from nrr.dataset.raw import long_fields
from nrr.dataset.suggest_guess import (
    SYMBOLS,
    NumberGuess,
    guess_dates,
    guess_intervals,
    guess_numbers,
    match_columns,
    normalised,
    table_of,
)
from nrr.errors import ConfigError

SAMPLE_ROWS = 500


@dataclass(frozen=True)
class Sample:
    """A file's header and its first rows, as text."""

    path: Path
    headers: list[str]
    rows: list[list[str]]

    def values(self, header: str) -> list[str]:
        i = self.headers.index(header)
        return [row[i] for row in self.rows if i < len(row)]


def suggest(data: Path, table: str | None = None) -> str:
    """The proposed mapping for a folder (each CSV or Parquet file) or one file."""
    if table is not None and table not in TABLES:
        raise ConfigError(f"--table {table}: not an nrr table (tables: {', '.join(TABLES)})")
    if data.is_dir():
        if table is not None:
            raise ConfigError(f"{data}: --table applies to one file, not a folder")
        files = sorted(
            p
            for p in data.iterdir()
            if p.is_file()
            and p.suffix.lower() in {".csv", ".parquet"}
            and not p.name.startswith(".")
        )
    elif data.is_file():
        files = [data]
    else:
        raise ConfigError(f"{data}: no such file or folder")
    sections: dict[str, list[str]] = {}
    skipped: list[str] = []
    for path in files:
        sample = read_sample(path)
        name = table or table_of(path.stem, sample.headers)
        if name is None:
            skipped.append(f"{path.name}: its table could not be guessed (pass it with --table)")
        elif name in sections:
            skipped.append(f"{path.name}: a second file for {name}")
        else:
            sections[name] = section(name, sample)
    if not sections:
        raise ConfigError(
            f"{data}: no file's table could be guessed from its name or headers; "
            "run nrr map suggest FILE --table TABLE"
        )
    order = [t for t in TABLES if t in sections]
    lines = _preamble(data, sections, skipped) + [line for t in order for line in sections[t]]
    return "\n".join(lines)


def read_sample(path: Path) -> Sample:
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            batch = next(pq.ParquetFile(path).iter_batches(batch_size=SAMPLE_ROWS), None)
            headers = list(pq.read_schema(path).names)
            if batch is None:
                return Sample(path, headers, [])
            columns = [
                [("" if v is None else str(v)) for v in c.to_pylist()] for c in batch.columns
            ]
            return Sample(path, headers, [list(r) for r in zip(*columns, strict=True)])
        with long_fields(), path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            headers = next(reader, [])
            rows = [row for row in islice(reader, SAMPLE_ROWS) if row]
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read a sample of the file: {exc}") from exc
    return Sample(path, headers, rows)


def _preamble(data: Path, sections: dict[str, list[str]], skipped: list[str]) -> list[str]:
    lines = [
        "# Column mapping proposed by `nrr map suggest` from the headers and the first "
        f"{SAMPLE_ROWS} rows",
        f"# of the files in {data}. Read every line marked CHECK, then try it:",
        "#   nrr validate DATA --map mapping.toml",
        "# (saved as mapping.toml in the data folder, it is used without --map).",
        "# The format: docs/mapping.md.",
    ]
    if "customers" not in sections:
        lines.append("# CHECK: no customers file was found; nrr needs one (customer_id per row).")
    if "subscriptions" not in sections and "events" not in sections:
        lines.append("# CHECK: no revenue file (subscriptions or events) was found.")
    lines.extend(f"# skipped {reason}" for reason in skipped)
    return [*lines, ""]


def section(name: str, sample: Sample) -> list[str]:
    """One table's section: settings, columns, values and constants, with comments."""
    spec = TABLES[name]
    matched = match_columns(name, sample.headers)
    head = [f"[{name}]"]
    if sample.path.stem.lower() != name:
        head.append(f"file = {_quoted(sample.path.name)}")
    kinds = {c.name: c.type for c in spec.columns}
    dates = [h for c, h in matched.items() if kinds.get(c) is ColumnType.DATE]
    numbers = [h for c, h in matched.items() if kinds.get(c) is ColumnType.DECIMAL]
    head += _date_lines([v for h in dates for v in sample.values(h)])
    strip: tuple[str, ...] = ()
    if numbers:
        guess = guess_numbers([v for h in numbers for v in sample.values(h)])
        strip = guess.strip
        head += _number_lines(guess)
    columns = [f"[{name}.columns]  # matched by their names: check each"]
    for column, header in matched.items():
        columns.append(f"{column} = {_quoted(header)}{_column_note(column, header)}")
    for needed in spec.columns:
        if needed.required and needed.name not in matched:
            columns.append(
                f"# CHECK: no column found for {needed.name} (required): "
                f'add {needed.name} = "HEADER"'
            )
    quantity = next((h for h in sample.headers if normalised(h) == "quantity"), None)
    if quantity is not None and any(v.strip() not in {"", "1"} for v in sample.values(quantity)):
        columns.append(f"# CHECK: {quantity!r} is not applied: amount must be the line's total")
    rest = [h for h in sample.headers if h not in matched.values() and h.strip()]
    if rest:
        kept = (
            "kept as attributes, named in lower case" if spec.keeps_unknown_columns else "ignored"
        )
        columns.append(f"# not mapped ({kept}): {', '.join(_quoted(h) for h in rest)}")
    return [
        *head,
        "",
        *columns,
        "",
        *_value_lines(name, matched, sample),
        *_constant_lines(name, matched, sample, strip),
    ]


def _number_lines(guess: NumberGuess) -> list[str]:
    lines = [f"# {note}" for note in guess.notes]
    if guess.decimal != ".":
        lines.append(f"decimal = {_quoted(guess.decimal)}")
    if guess.thousands:
        lines.append(f"thousands = {_quoted(guess.thousands)}  # found in the amounts")
    if guess.strip:
        listed = ", ".join(_quoted(s) for s in guess.strip)
        lines.append(f"strip = [{listed}]  # symbols found in the amounts")
    return lines


def _date_lines(values: list[str]) -> list[str]:
    if not any(v.strip() for v in values):
        return []
    guess = guess_dates(values)
    if not guess.formats:
        example = next(v for v in values if v.strip())
        return [
            f"# CHECK: no date format fits every sampled date (e.g. {example!r}): set date_format",
            '# date_format = "%Y-%m-%d"',
        ]
    fmt = guess.formats[0]
    lines = []
    if guess.ambiguous:
        other = fmt.replace("%m", "%M").replace("%d", "%m").replace("%M", "%d")
        lines.append(
            f"# CHECK: no sampled day is above 12, so {fmt} (month first) and {other} (day "
            "first) both fit: keep the one your system writes"
        )
    if " %H" in fmt or "T%H" in fmt:
        lines.append("# the time of day is dropped: a date is the day as written (e.g. UTC)")
    if fmt == "%Y-%m-%d":
        return lines
    return [*lines, f"date_format = {_quoted(fmt)}  # fits every sampled date"]


def _column_note(column: str, header: str) -> str:
    form = normalised(re.sub(r"\(.*?\)", "", header))
    if column == "amount" and form == "mrr":
        return "  # CHECK: a monthly figure: billing_months must then be 1"
    if column == "start_date" and form.startswith("created"):
        return "  # CHECK: the creation date; a trial's end may be the first paid day"
    if column == "end_date" and form.startswith(("cancel", "canceled")):
        return "  # CHECK: when the cancellation was asked for; ended_at is when it took effect"
    return ""


def _value_lines(name: str, matched: dict[str, str], sample: Sample) -> list[str]:
    header = matched.get("billing_months")
    if header is None:
        return []
    guess = guess_intervals(sample.values(header))
    if guess is None:
        return []
    lines = [f"[{name}.values.billing_months]  # interval words as months"]
    lines += [f"{_quoted(word)} = {_quoted(months)}" for word, months in guess.values.items()]
    lines += [
        f"# CHECK: {word!r} is no whole number of months: nrr cannot read such lines; "
        "give their monthly amount with billing_months 1"
        for word in guess.unreadable
    ]
    counts = [h for h in sample.headers if normalised(h) in {"intervalcount", "planintervalcount"}]
    if counts and any(v.strip() not in {"", "1"} for v in sample.values(counts[0])):
        lines.append(
            f"# CHECK: {counts[0]!r} multiplies the interval (every 3 months): such rows need "
            "billing_months by hand"
        )
    return [*lines, ""]


def _constant_lines(
    name: str, matched: dict[str, str], sample: Sample, strip: Sequence[str]
) -> list[str]:
    if "currency" in matched:
        values = {v.strip() for v in sample.values(matched["currency"]) if v.strip()}
        if any(v != v.upper() for v in values):
            return ["# currency codes such as 'usd' are read in any letter case", ""]
        return []
    if name not in {"subscriptions", "events"}:
        return []
    codes = {
        SYMBOLS.get(s) or s.upper()
        for s in strip
        if s in SYMBOLS or re.fullmatch(r"[A-Za-z]{3}", s)
    }
    if len(codes) == 1:
        code = codes.pop()
        note = f"CHECK: from the {', '.join(repr(s) for s in strip)} in the amounts"
    else:
        code, note = "USD", "CHECK: no currency column was found; set the file's currency"
    return [f"[{name}.constants]", f"currency = {_quoted(code)}  # {note}", ""]


def _quoted(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)
