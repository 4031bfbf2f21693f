"""A column mapping file (``mapping.toml``): how a user's table becomes one nrr reads.

Nobody keeps revenue data in nrr's own column names and formats; a mapping says, per table,
which of the user's headers holds which column, the date format, the separators, the
currency symbols to strip, value translations and constants (docs/mapping.md). The file is
checked strictly here, before any data is read, so that a typo in it is named with its key
rather than showing up as a thousand data errors.

A section name is just a name here: which names are nrr tables is checked where an nrr
dataset is read (``staging``), so an importer reads the same format, through this same
parser, for its own input (``nrr import invoices`` and its ``[invoice_lines]`` section).
Two keys serve only that importer (a list of headers for one column, ``period_end``): they
are parsed here, with every other key, and refused by ``staging`` in an nrr table.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from nrr.errors import ConfigError

MAPPING_FILE = "mapping.toml"
DECIMALS = (".", ",")
THOUSANDS = ("", ",", ".", " ", "'")
_KEYS = (
    "file",
    "date_format",
    "decimal",
    "thousands",
    "strip",
    "columns",
    "values",
    "constants",
    "period_end",
)
PERIOD_ENDS = ("exclusive", "inclusive")
_PROBES = (date(2024, 1, 31), date(2023, 12, 5))  # day > 12 and day < 10: both orders differ


@dataclass(frozen=True)
class TableMapping:
    """One section: how one table of the user's becomes the table ``name``.

    ``columns`` maps an nrr column to the user's header as written in the mapping file;
    ``fallbacks`` the further headers of a column mapped to a list of them, read where the
    first is empty (``nrr import invoices`` only); ``values`` maps, per nrr column, a user's
    value (trimmed) to nrr's; ``constants`` gives a column the file lacks one value on every
    row. ``date_formats`` are tried in order; ``period_end`` (``None`` when not given) says
    whether a service period's end is its last day (``nrr import invoices`` only).
    """

    name: str
    source: str  # the mapping file, for messages
    file: str | None = None
    date_formats: tuple[str, ...] = ()
    decimal: str = "."
    thousands: str = ""
    strip: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    fallbacks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    period_end: str | None = None

    @property
    def converts_numbers(self) -> bool:
        return self.decimal != "." or self.thousands != "" or bool(self.strip)

    def unknown_column(self, known: tuple[str, ...]) -> tuple[str, str] | None:
        """The first (part, column) of ``columns``, ``values`` or ``constants`` naming a
        column outside ``known``, for its reader's message; None when all are known."""
        for part, columns in (
            ("columns", self.columns),
            ("values", self.values),
            ("constants", self.constants),
        ):
            for column in columns:
                if column not in known:
                    return part, column
        return None


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file: one ``TableMapping`` per section, in the file's order."""

    path: Path
    tables: dict[str, TableMapping]

    def table(self, name: str) -> TableMapping | None:
        return self.tables.get(name)

    @property
    def files(self) -> dict[str, str]:
        """Table -> the file the mapping reads it from, where it names one."""
        return {n: t.file for n, t in self.tables.items() if t.file is not None}


def find_mapping(data: Path | str) -> Path | None:
    """The mapping beside the data, used without ``--map``: ``mapping.toml`` in a folder,
    ``<stem>.mapping.toml`` beside a DuckDB file; a database URL has none."""
    if isinstance(data, str):
        if "://" in data:
            return None
        data = Path(data)
    if data.is_dir():
        found = data / MAPPING_FILE
    elif data.is_file():
        found = data.with_name(f"{data.stem}.{MAPPING_FILE}")
    else:
        return None
    return found if found.is_file() else None


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file; ``ConfigError`` names the file and the key at fault."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the mapping file: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not a valid TOML file: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a UTF-8 text file") from exc
    if not document:
        raise ConfigError(f"{path}: the mapping is empty: give one [table] section per table")
    tables = {}
    for name, section in document.items():
        if not isinstance(section, dict):
            raise ConfigError(
                f"{path}: {name}: expected a [{name}] section (a table), not a single value"
            )
        tables[name] = _table(path, name, section)
    return Mapping(path, tables)


def _table(path: Path, name: str, section: dict[str, object]) -> TableMapping:
    where = f"{path}: [{name}]"
    for key in section:
        if key not in _KEYS:
            raise ConfigError(f"{where} {key}: unknown key (known: {', '.join(_KEYS)})")
    file = _text(section, "file", where)
    if file is not None and (
        not file.strip() or "/" in file or "\\" in file or file in {".", ".."}
    ):
        raise ConfigError(f"{where} file: {file!r} must be a file name in the data folder")
    date_formats = _texts(section, "date_format", where, 'e.g. "%m/%d/%Y"')
    for fmt in date_formats:
        _check_date_format(fmt, f"{where} date_format")
    decimal, thousands = _separators(section, where)
    strip = section.get("strip", [])
    if not isinstance(strip, list) or not all(isinstance(s, str) and s.strip() for s in strip):
        raise ConfigError(f'{where} strip: expected a list of texts, e.g. ["$", "USD"]')
    period_end = _text(section, "period_end", where)
    if period_end is not None and period_end not in PERIOD_ENDS:
        raise ConfigError(f'{where} period_end: {period_end!r} must be "exclusive" or "inclusive"')
    headers = _columns(section, name, path)
    columns = {column: found[0] for column, found in headers.items()}
    constants = _pairs(section, "constants", f"[{name}.constants]", path)
    for column in constants:
        if column in columns:
            raise ConfigError(
                f"{path}: [{name}.constants] {column}: also mapped to the column "
                f"{columns[column]!r} in [{name}.columns]; keep one"
            )
    values = _values(section, name, path, constants)
    return TableMapping(
        name,
        str(path),
        file,
        date_formats,
        decimal,
        thousands,
        tuple(strip),
        {_name(c): h for c, h in columns.items()},
        {_name(c): {k.strip(): v for k, v in m.items()} for c, m in values.items()},
        {_name(c): v for c, v in constants.items()},
        {_name(c): found[1:] for c, found in headers.items() if len(found) > 1},
        period_end,
    )


def _separators(section: dict[str, object], where: str) -> tuple[str, str]:
    decimal = _text(section, "decimal", where) or "."
    thousands = _text(section, "thousands", where) or ""
    if decimal not in DECIMALS:
        raise ConfigError(f'{where} decimal: {decimal!r} must be "." or ","')
    if thousands not in THOUSANDS:
        allowed = ", ".join(repr(t) for t in THOUSANDS)
        raise ConfigError(f"{where} thousands: {thousands!r} must be one of {allowed}")
    if thousands == decimal:
        raise ConfigError(f"{where} thousands: {thousands!r} is also the decimal separator")
    return decimal, thousands


def _columns(section: dict[str, object], name: str, path: Path) -> dict[str, tuple[str, ...]]:
    """``[table.columns]``: a header, or a list of headers; no header may feed two columns."""
    label = f"[{name}.columns]"
    table = section.get("columns", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {label}: expected a section of name = value")
    columns: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for column in table:
        if not column.strip():
            raise ConfigError(f"{path}: {label}: a name is empty")
        headers = _texts(table, column, f"{path}: {label}", 'e.g. "Customer ID"')
        if not headers:
            raise ConfigError(f"{path}: {label} {column}: the list of headers is empty")
        for header in headers:
            if not header.strip():
                raise ConfigError(f"{path}: {label} {column}: the header is empty")
            key = header.strip().lower()
            if key in seen:
                raise ConfigError(
                    f"{path}: {label} {column}: the column {header!r} is already mapped "
                    f"to {seen[key]} (headers compare case-insensitively)"
                )
            seen[key] = column
        columns[column] = headers
    return columns


def _values(
    section: dict[str, object], name: str, path: Path, constants: dict[str, str]
) -> dict[str, dict[str, str]]:
    values_section = section.get("values", {})
    if not isinstance(values_section, dict):
        raise ConfigError(f"{path}: [{name}] values: expected [{name}.values.COLUMN] sections")
    values = {}
    for column, table in values_section.items():
        label = f"[{name}.values.{column}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {label}: expected a section of value = value")
        if column in constants:
            raise ConfigError(f"{path}: {label}: {column} is a constant; it has no values to map")
        values[column] = _pairs({"v": table}, "v", label, path)
    return values


def _name(column: str) -> str:
    """A column's name as tables name it: trimmed and lower-cased (``raw.column_name_of``)."""
    return column.strip().lower()


def _text(section: dict[str, object], key: str, where: str) -> str | None:
    value = section.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where} {key}: expected a quoted text, got {value!r}")
    return value


def _texts(section: dict[str, object], key: str, where: str, example: str) -> tuple[str, ...]:
    """A key that takes a text or a list of texts (several date formats, several headers)."""
    value = section.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} {key}: expected a text or a list of texts, {example}")
    return tuple(value)


def _pairs(section: dict[str, object], key: str, label: str, path: Path) -> dict[str, str]:
    """A ``name = value`` section; numbers are taken as their text (``year = 12``)."""
    table = section.get(key, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {label}: expected a section of name = value")
    pairs = {}
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ConfigError(f"{path}: {label} {name}: expected a text, got {value!r}")
        if not name.strip():
            raise ConfigError(f"{path}: {label}: a name is empty")
        pairs[name] = value if isinstance(value, str) else str(value)
    return pairs


def _check_date_format(fmt: str, where: str) -> None:
    """A format must read back the dates it writes: a day, a month and a year, and nothing
    ``strptime`` refuses."""
    for probe in _PROBES:
        try:
            written = datetime(probe.year, probe.month, probe.day).strftime(fmt)
            back = datetime.strptime(written, fmt).date()
        except ValueError as exc:
            raise ConfigError(f"{where}: {fmt!r} is not a date format: {exc}") from exc
        if back != probe:
            raise ConfigError(
                f"{where}: {fmt!r} does not hold a whole date (it needs a year, a month and "
                "a day, e.g. %m/%d/%Y or %d.%m.%Y)"
            )
