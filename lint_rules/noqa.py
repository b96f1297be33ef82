"""``# noqa`` suppressions, read from real comment tokens (never from inside strings)."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:\s*,?\s*[A-Za-z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_FILE_NOQA = re.compile(
    r"#\s*bybit-lint\s*:\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:\s*,?\s*[A-Za-z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")


@dataclass
class Directive:
    line: int
    column: int
    codes: tuple[str, ...] | None  # None: bare ``# noqa`` (everything)
    used: set[str] = field(default_factory=set)

    def covers(self, code: str) -> bool:
        return self.codes is None or code in self.codes


@dataclass
class Suppressions:
    by_line: dict[int, Directive]
    file_codes: tuple[str, ...] | None
    file_wide: bool

    def suppresses(self, code: str, lines: tuple[int, ...]) -> bool:
        if self.file_wide and (self.file_codes is None or code in self.file_codes):
            return True
        for line in lines:
            directive = self.by_line.get(line)
            if directive is not None and directive.covers(code):
                directive.used.add(code)
                return True
        return False


def _codes(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(c.upper() for c in _CODE.findall(text))


def parse_suppressions(source: str) -> Suppressions:
    """Collect noqa comments. A file that cannot be tokenized has none."""
    by_line: dict[int, Directive] = {}
    file_codes: tuple[str, ...] | None = None
    file_wide = False
    if "noqa" not in source.lower():
        return Suppressions(by_line, None, False)
    try:
        # universal newlines: a file with CR-only line endings has as many lines as LibCST counts
        tokens = list(tokenize.generate_tokens(io.StringIO(source, newline=None).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return Suppressions(by_line, None, False)
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        file_match = _FILE_NOQA.match(tok.string)
        if file_match:
            file_wide = True
            codes = _codes(file_match.group("codes"))
            if codes is None:
                file_codes = None
            else:
                file_codes = tuple(set(file_codes or ()) | set(codes))
            continue
        match = _NOQA.search(tok.string)
        if match:
            line, col = tok.start
            by_line[line] = Directive(line, col + match.start() + 1, _codes(match.group("codes")))
    return Suppressions(by_line, file_codes, file_wide)
