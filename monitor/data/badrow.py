"""One rejected row: the record every reader of observation data reports problems with.

Apart from :mod:`monitor.data.observations` so that the CSV row reader
(:mod:`monitor.data.csvrows`) and the validator share it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BadRow:
    """One rejected row: where it came from and which check it failed."""

    file: str
    line: int
    column: str
    check: str
    value: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: column {self.column!r}: {self.check} (got {self.value!r})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "check": self.check,
            "value": self.value,
        }
