"""Exceptions raised by nrr.

Library code raises these; only the CLI (and the web layer) turns them into messages and
exit codes, so a notebook user gets a normal exception with the same text the CLI prints.

    NrrError
    ├── InputError      the data breaks the contract (carries the full IssueSet); exit 1
    ├── ConfigError     a request or option that cannot be honoured; exit 2
    └── EngineError     the backend failed unexpectedly; exit 3
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nrr.dataset.issues import IssueSet


class NrrError(Exception):
    """Base class of every error nrr raises on purpose."""

    exit_code = 3


class InputError(NrrError):
    """The user's data violates the data contract; nothing is computed from it."""

    exit_code = 1

    def __init__(self, issues: IssueSet) -> None:
        self.issues = issues
        super().__init__(issues.render_text())


class ConfigError(NrrError):
    """A request, option or path that cannot be honoured as given."""

    exit_code = 2


class EngineError(NrrError):
    """The computation backend failed; the message says what to try next."""

    exit_code = 3
