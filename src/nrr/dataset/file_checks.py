"""What a file must be before it is parsed: a regular file, UTF-8 text, comma-separated.

Each check looks at the file's kind, its first bytes or its header only, so a wrong file
gets one message that names the fix ("save it as UTF-8", "save it as comma-separated CSV")
instead of one per row from a parser that met it unprepared: a ``;``-separated export with
decimal commas used to give one "wrong number of fields" issue per row, UTF-16 text one
about a stray byte, and a FIFO named ``customers.csv`` a reader waiting forever.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from nrr.dataset.contract import TABLES
from nrr.dataset.issues import Issue

# How much of a file the encoding check reads: enough for a header and a few rows.
_HEAD = 4096
# Byte order marks nrr does not read, longest first (UTF-32 LE starts like UTF-16 LE).
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
)
_SEPARATORS = {";": "';'-separated (decimal commas?)", "\t": "tab-separated", "|": "'|'-separated"}
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)
SAVE_AS_UTF8 = "save it as UTF-8, e.g. as 'CSV UTF-8' in Excel"


def not_a_file(path: Path, source: str) -> Issue | None:
    """A FIFO, socket, device or folder under a table's name: refused, never opened.

    Opening a FIFO blocks until something writes to it, that is forever; a device may never
    end. ``stat`` follows a symbolic link, so a link to a regular file is read.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return Issue(source, 0, "-", "file-unreadable", f"cannot read {path.name}: {exc.strerror}")
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "a device")
    return Issue(
        source,
        0,
        "-",
        "file-unreadable",
        f"{path.name} is {kind}, not a regular file: nrr reads tables from regular files only",
    )


def wide_encoding(path: Path, source: str) -> Issue | None:
    """UTF-16 or UTF-32 text, with a byte order mark or (UTF-16) without one.

    Without a mark, UTF-16 of the ASCII a CSV header is made of has a NUL byte in every
    other position: after each character (little-endian) or before it (big-endian). UTF-8
    text never holds NUL bytes that regularly, so the pattern names the encoding safely.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return None
    name = next((label for bom, label in _BOMS if head.startswith(bom)), None)
    if name is None:
        name = _utf16_without_bom(head)
    if name is None:
        return None
    return Issue(source, 0, "-", "file-unreadable", f"the file is {name} text: {SAVE_AS_UTF8}")


def _utf16_without_bom(head: bytes) -> str | None:
    pairs = len(head) // 2
    if pairs < 4:
        return None
    even = head[0 : 2 * pairs : 2].count(0)
    odd = head[1 : 2 * pairs : 2].count(0)
    if odd >= 0.9 * pairs and even == 0:
        return "UTF-16 (little-endian, no byte order mark)"
    if even >= 0.9 * pairs and odd == 0:
        return "UTF-16 (big-endian, no byte order mark)"
    return None


def other_separator(header: list[str], table: str, source: str) -> Issue | None:
    """A header whose first field splits on ``;``, tab or ``|`` into the table's columns,
    while its commas do not give them: the whole file uses that separator, said once
    rather than once per row.

    Excel writes ``;`` where the decimal separator is a comma (most of Europe), so such a
    file usually holds decimal commas too; both need the same fix. (A comma inside a
    header name still leaves the first field holding the ``;``-separated names.)
    """
    spec = TABLES[table]
    names = {field.strip().lower() for field in header}
    required = {c.name for c in spec.columns if c.required}
    if not header or required <= names:
        return None
    columns = set(spec.column_names)
    for separator, kind in _SEPARATORS.items():
        parts = {part.strip().lower() for part in header[0].split(separator)}
        if len(parts) > 1 and parts & columns:
            return Issue(
                source,
                1,
                "-",
                "file-unreadable",
                f"the file looks {kind}: save it as comma-separated CSV (with '.' as the "
                "decimal separator), e.g. as 'CSV UTF-8' in Excel",
            )
    return None
