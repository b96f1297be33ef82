"""What a run reports, in types that do not need LibCST.

A findings cache is only worth having if a run on unchanged files never imports LibCST
(importing it costs more than linting a small file). So the types a cached finding is
rebuilt into, and the rule options the configuration is checked against, live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst


@dataclass(frozen=True)
class Option:
    """A rule option read from ``[tool.bybit-lint]`` (kebab-case key)."""

    key: str
    default: Any
    help: str

    def coerce(self, value: Any, where: str) -> Any:
        expected = type(self.default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, expected) or isinstance(value, bool) != isinstance(self.default, bool):
            raise ValueError(
                f"{where}: option '{self.key}' must be {expected.__name__}, got {value!r}"
            )
        return value


@dataclass(frozen=True)
class Fix:
    """Replacements applied to the tree, keyed by the original node's identity.

    A finding read back from the cache keeps the fix's safety and description but no
    replacements: applying it means linting the file again.
    """

    replacements: tuple[tuple[cst.CSTNode, cst.CSTNode | cst.RemovalSentinel], ...]
    safe: bool
    description: str


@dataclass
class Finding:
    code: str
    name: str
    message: str
    filename: str
    line: int
    column: int  # 1-based, as ruff prints it
    end_line: int
    end_column: int
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.filename, self.line, self.column, self.code)
