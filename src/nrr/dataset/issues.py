"""Input problems, collected rather than raised one at a time.

Users fix a file faster when they see every problem of it at once, so rules yield ``Issue``
objects into an ``IssueSet`` and only the caller decides whether to stop.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Issue:
    """One violated rule at one place: ``FILE:LINE: COLUMN: message [rule-id]``.

    ``line`` counts the header as line 1 (the first data row is line 2); 0 means the
    problem concerns the whole table rather than a row.

    ``key`` locates a row of a database table by its primary key (``id=42``), which the
    user can query, where a line number would mean nothing: the issue then renders as
    ``TABLE: KEY: COLUMN: message [rule-id]``. ``line`` still holds the row's position so
    issues keep sorting in table order; the key takes no part in comparisons.
    """

    file: str
    line: int
    column: str
    rule: str
    message: str
    severity: Severity = Severity.ERROR
    key: str | None = field(default=None, compare=False)

    def render(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        where = f"{self.file}: {self.key}" if self.key is not None else f"{self.file}:{self.line}"
        return f"{prefix}{where}: {self.column}: {self.message} [{self.rule}]"


class IssueSet:
    """An ordered, de-duplicated collection of issues (file, line, column, rule)."""

    def __init__(self, issues: Iterable[Issue] = ()) -> None:
        self._issues: set[Issue] = set(issues)

    def add(self, issue: Issue) -> None:
        self._issues.add(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        self._issues.update(issues)

    def __iter__(self) -> Iterator[Issue]:
        return iter(sorted(self._issues))

    def __len__(self) -> int:
        return len(self._issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self if i.severity is Severity.WARNING]

    def render_text(self) -> str:
        return "\n".join(issue.render() for issue in self)

    def render_json(self) -> str:
        return json.dumps([asdict(issue) for issue in self], indent=2)
