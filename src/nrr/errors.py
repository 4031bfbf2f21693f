"""Exceptions raised by nrr.

Library code raises these; only the CLI (and the web layer) turns them into messages and
exit codes, so a notebook user gets a normal exception with the same text the CLI prints.

    NrrError
    ├── InputError      the data breaks the contract (carries the full IssueSet); exit 1
    ├── ConfigError     a request or option that cannot be honoured; exit 2
    │   └── RequestError    a request that breaks one of its own rules, said field by field
    └── EngineError     the backend failed unexpectedly; exit 3
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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


class RequestError(ConfigError):
    """A request that breaks one of its rules, in a shape each interface can re-word.

    The library names a request's parts by the Python API's parameters (``start``, ``by``);
    the CLI calls them ``--from`` and ``--by``, the web its query and spec fields. So the
    message is a ``template`` whose ``{field}`` placeholders name those parts, ``rule`` says
    which check failed and ``values`` hold what was asked: ``str(error)`` speaks the
    library's words, and ``worded(names)`` an interface's own.
    """

    def __init__(
        self,
        rule: str,
        template: str,
        fields: tuple[str, ...],
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self.rule = rule
        self.template = template
        self.fields = fields
        self.values = dict(values or {})
        super().__init__(self.worded({}))

    @staticmethod
    def literal(text: str) -> str:
        """``text`` (a name or number from the data) as literal template text."""
        return text.replace("{", "{{").replace("}", "}}")

    @property
    def field(self) -> str:
        """The part of the request at fault (the first, when a rule relates two)."""
        return self.fields[0]

    def worded(self, names: Mapping[str, str], template: str | None = None) -> str:
        """The message with each field called by ``names`` (unnamed ones keep theirs);
        ``template`` says it in an interface's own sentence, from the same placeholders."""
        return (template or self.template).format_map(
            {**self.values, **{f: names.get(f, f) for f in self.fields}}
        )


class EngineError(NrrError):
    """The computation backend failed; the message says what to try next."""

    exit_code = 3
