"""What an import took, what it left out and why: the counts a user checks first.

A billing export always holds things NRR must not count (taxes, one-time charges, refunds)
and things an export cannot tell (two plan changes between two invoices). Silence about
either is how a wrong number looks right, so every importer reports both, with counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ImportSummary:
    """The outcome of one import: rows written per table, rows left out per reason."""

    source: str
    written: tuple[tuple[str, int], ...]
    read: tuple[tuple[str, int], ...]
    skipped: tuple[tuple[str, int], ...]
    warnings: tuple[str, ...]

    def lines(self) -> list[str]:
        """The summary as plain text lines, in a stable order (tests and the CLI read it)."""
        out = [f"imported from {self.source}:"]
        out += [f"  read {count:,} {what}" for what, count in self.read]
        out += [f"  wrote {count:,} rows to {table}" for table, count in self.written]
        if self.skipped:
            out.append("left out:")
            out += [f"  {count:,} {reason}" for reason, count in self.skipped]
        if self.warnings:
            out.append("warnings:")
            out += [f"  {warning}" for warning in self.warnings]
        return out


@dataclass
class Tally:
    """Collects an import's counts while it runs; ``summary()`` freezes them.

    Warnings repeat per record in a big export; they are kept once each, with a count.
    """

    source: str
    _read: Counter[str] = field(default_factory=Counter)
    _written: Counter[str] = field(default_factory=Counter)
    _skipped: Counter[str] = field(default_factory=Counter)
    _warnings: Counter[str] = field(default_factory=Counter)

    def read(self, what: str, count: int = 1) -> None:
        self._read[what] += count

    def wrote(self, table: str, count: int) -> None:
        self._written[table] += count

    def skip(self, reason: str, count: int = 1) -> None:
        self._skipped[reason] += count

    def warn(self, message: str) -> None:
        self._warnings[message] += 1

    def summary(self) -> ImportSummary:
        return ImportSummary(
            source=self.source,
            written=tuple(sorted(self._written.items())),
            read=tuple(sorted(self._read.items())),
            skipped=tuple(sorted(self._skipped.items(), key=lambda kv: (-kv[1], kv[0]))),
            warnings=tuple(
                message if count == 1 else f"{message} ({count:,} times)"
                for message, count in sorted(self._warnings.items())
            ),
        )
