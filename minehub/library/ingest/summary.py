"""What an import reports: the summary of a run, its problems and outcomes, and the two
exceptions that end a file (:class:`ImportFileError`) or a line (:class:`LineRejected`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, unreadable, not UTF-8)."""


class LineRejected(Exception):
    """One line cannot be imported; ``reason`` says why (translated)."""

    def __init__(self, reason: str, external_id: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.external_id = external_id


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Problem:
    """A rejected line or a warning about an imported one."""

    line: int
    external_id: str
    message: str

    def __str__(self) -> str:
        if self.external_id:
            return _("Line %(line)s (%(external_id)s): %(message)s") % {
                "line": self.line,
                "external_id": self.external_id,
                "message": self.message,
            }
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportSummary:
    """What an import did: counts overall and per type, rejected lines and warnings."""

    dry_run: bool = False
    lines: int = 0
    by_type: dict[str, Counter[str]] = field(default_factory=dict)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def _total(self, outcome: str) -> int:
        return sum(counts[outcome] for counts in self.by_type.values())

    @property
    def created(self) -> int:
        return self._total(Outcome.CREATED)

    @property
    def updated(self) -> int:
        return self._total(Outcome.UPDATED)

    @property
    def unchanged(self) -> int:
        return self._total(Outcome.UNCHANGED)

    def count(self, type_key: str, outcome: str) -> None:
        self.by_type.setdefault(type_key, Counter())[outcome] += 1
