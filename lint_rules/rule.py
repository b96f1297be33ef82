"""The rule base class: one small class per rule, carrying its docs and its own test cases.

Modelled on Fixit and ruff: the code, the one-line message, the rationale (the class
docstring, with ruff's headings), the Bybit error it prevents and the VALID / INVALID
examples all live on the class, so `bybit-lint rule CODE`, the README table, SARIF help and
the test-suite read the same text and cannot drift apart.
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping, Sequence

import libcst as cst
from libcst.metadata import CodeRange, ProviderT

from .finding import Finding, Fix, Option

__all__ = ["Finding", "Fix", "Invalid", "Option", "Rule", "RuleContext", "Valid"]


@dataclass(frozen=True)
class Valid:
    """Code the rule must stay silent on."""

    code: str
    options: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Invalid:
    """Code the rule must flag; ``line`` (1-based, in the dedented code) pins where.

    ``fixed`` is the code after the safe fixes; ``unsafe_fixed`` after safe and unsafe ones.
    """

    code: str
    line: int | None = None
    count: int = 1
    fixed: str | None = None
    unsafe_fixed: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass
class RuleContext:
    filename: str
    source: str
    options: Mapping[str, Any]
    wrapper: Any = None  # the MetadataWrapper of this file, set by the engine
    _positions: Any = None
    #: The tree this file is linted with (``project.Project``), or None for a lone file.
    project: Any = None
    _summary: Any = None

    def summary(self) -> Mapping[str, Any]:
        """This module's own summary (role, functions, constants), from the project when
        the tree was summarised, else built on first use."""
        if self._summary is None:
            found = self.project.summary(self.filename) if self.project is not None else None
            if found is None:
                from .project import summarize

                found = summarize(self.source)
            self._summary = found
        return self._summary

    def role(self) -> str:
        """``bot``, ``script`` or ``library`` (see ``project.Project.role``)."""
        if self.project is not None:
            role = self.project.role(self.filename)
            if role is not None:
                return role
        return self.summary()["role"]

    def resolve(self, dotted: str | None) -> Any:
        """What a name imported from another module of the project is (``project.Resolved``)."""
        if self.project is None or not dotted:
            return None
        return self.project.resolve(self.filename, dotted)

    def position(self, node: cst.CSTNode) -> CodeRange:
        """Positions are computed once per file, and only for files that need one.

        Most files have no finding, so asking for positions lazily (and computing them
        more cheaply than LibCST's PositionProvider, see ``positions``) is the linter's
        biggest saving.
        """
        if self._positions is None:
            from .positions import Positions

            self._positions = Positions(self.wrapper.module)
        return self._positions[node]


class Rule(cst.BatchableCSTVisitor):
    """Base class. Subclasses set the class attributes below and visit nodes."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    message: ClassVar[str] = ""
    #: The Bybit error(s) this rule prevents, as shown to users.
    prevents: ClassVar[str] = ""
    #: The pytest-bybit fault (marker name) that demonstrates the failure at run time.
    fault: ClassVar[str] = ""
    #: A file is only visited when at least one of these words occurs in its text.
    words: ClassVar[tuple[str, ...]] = ()
    #: Off unless selected explicitly (like ruff's preview / RUF100).
    default_enabled: ClassVar[bool] = True
    #: Whether a fix exists and how safe it is: "" (none), "safe", "unsafe", "sometimes".
    fixable: ClassVar[str] = ""
    options: ClassVar[Sequence[Option]] = ()
    VALID: ClassVar[Sequence[Valid | str]] = ()
    INVALID: ClassVar[Sequence[Invalid | str]] = ()

    #: Metadata computed before the visit. Positions are not listed: they come lazily
    #: through ``self.position(node)`` so that files without findings never pay for them.
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = ()

    #: A question to the project (the name of a ``project.Project`` predicate taking the
    #: file's name) under which the rule runs on a file none of ``words`` occurs in, because
    #: of what it imports: ``"imports_order_wrapper"``. Named rather than coded, so that the
    #: runner can ask it without importing the rules.
    reached_by: ClassVar[str] = ""

    @classmethod
    def reached_through(cls, project: Any, filename: str) -> bool:
        """Whether the file must be linted although none of ``words`` occurs in it, because
        of what it imports from the project (see ``engine.applicable_rules``)."""
        return bool(cls.reached_by) and bool(getattr(project, cls.reached_by)(filename))

    def __init__(self, context: RuleContext) -> None:
        super().__init__()
        self.context = context
        self.findings: list[Finding] = []
        self.option_values: dict[str, Any] = {
            opt.key: context.options.get(opt.key, opt.default) for opt in self.options
        }

    # -- reporting ---------------------------------------------------------------------
    def report(
        self,
        node: cst.CSTNode,
        message: str | None = None,
        *,
        replacement: cst.CSTNode | cst.RemovalSentinel | None = None,
        replacements: Sequence[tuple[cst.CSTNode, cst.CSTNode | cst.RemovalSentinel]] = (),
        unsafe: bool = False,
        fix_description: str = "",
        position: CodeRange | None = None,
    ) -> None:
        """Record a finding at ``node`` (or ``position``), optionally with a fix."""
        pos = position or self.context.position(node)
        pairs = tuple(replacements)
        if replacement is not None:
            pairs = ((node, replacement),) + pairs
        fix = Fix(pairs, safe=not unsafe, description=fix_description) if pairs else None
        self.findings.append(
            Finding(
                code=self.code,
                name=self.name,
                message=message or self.message,
                filename=self.context.filename,
                line=pos.start.line,
                column=pos.start.column + 1,
                end_line=pos.end.line,
                end_column=pos.end.column + 1,
                fix=fix,
            )
        )

    def position(self, node: cst.CSTNode) -> CodeRange:
        return self.context.position(node)

    # -- documentation -----------------------------------------------------------------
    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.message

    @classmethod
    def valid_cases(cls) -> list[Valid]:
        return [c if isinstance(c, Valid) else Valid(c) for c in cls.VALID]

    @classmethod
    def invalid_cases(cls) -> list[Invalid]:
        return [c if isinstance(c, Invalid) else Invalid(c) for c in cls.INVALID]

    @classmethod
    def explain(cls) -> str:
        """The full text of ``bybit-lint rule CODE``."""
        parts = [f"# {cls.name} ({cls.code})", ""]
        parts.append(f"Message: {cls.message}")
        if cls.prevents:
            parts.append(f"Prevents: Bybit {cls.prevents}")
        if cls.fault:
            parts.append(f"Demonstrated by: @pytest.mark.bybit_fault({cls.fault!r})")
        fix = {
            "safe": "a safe fix is available (`--fix`)",
            "unsafe": "a fix is available under `--unsafe-fixes`",
            "sometimes": "fixable in some cases (`--fix`; fixes marked unsafe need `--unsafe-fixes`)",
        }.get(cls.fixable, "no automatic fix")
        parts.append(f"Fix: {fix}")
        if not cls.default_enabled:
            parts.append("Enabled: only when selected explicitly")
        parts += ["", cls.doc()]
        if cls.options:
            parts += ["", "## Options", ""]
            for opt in cls.options:
                parts.append(f"- `{opt.key}` (default `{opt.default!r}`): {opt.help}")
        invalid = cls.invalid_cases()
        valid = cls.valid_cases()
        if invalid:
            parts += ["", "## Flagged", "", "```python", textwrap.dedent(invalid[0].code).strip(), "```"]
        if valid:
            parts += ["", "## Not flagged", "", "```python", textwrap.dedent(valid[0].code).strip(), "```"]
        return "\n".join(parts).rstrip() + "\n"
