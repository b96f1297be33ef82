"""Checks the engine itself performs: files that do not parse, and stale suppressions."""

from __future__ import annotations

from typing import ClassVar

from ..rule import Invalid, Rule, Valid


class SyntaxErrorCheck(Rule):
    """
    ## What it does
    Reports a file that Python (or LibCST) cannot parse, with the parser's message and the
    line it stopped at. The rest of the run goes on.

    ## Why is this bad?
    A file that does not parse is a file no rule has looked at: a bot that does not even
    import will also fail in production.
    """

    code = "BYB001"
    name = "syntax-error"
    message = "SyntaxError: the file was not linted"
    engine_check: ClassVar[bool] = True
    VALID = [Valid("x = 1\n")]
    INVALID = [Invalid("def broken(:\n    pass\n", line=1)]


class UnusedNoqa(Rule):
    """
    ## What it does
    Reports `# noqa` comments that suppress nothing: a bare `# noqa` on a clean line, or
    codes in `# noqa: BYB101` that were not reported there.

    ## Why is this bad?
    A stale suppression hides the next real finding on that line. Select `BYB002`
    explicitly (it is off by default) to clean them up.

    ## Example
    ```python
    session.place_order(qty="0.01")  # noqa: BYB101
    ```

    ## Use instead
    ```python
    session.place_order(qty="0.01")
    ```
    """

    code = "BYB002"
    name = "unused-noqa"
    message = "Unused `noqa` directive: remove it"
    default_enabled = False
    engine_check: ClassVar[bool] = True
    VALID = [Valid("x = 1  # no comment\n")]
    INVALID = [Invalid("x = 1  # noqa: BYB101\n", line=1)]
