"""Lint one source text: parse once, visit once with every rule that can apply, filter noqa.

Speed comes from doing less: rules whose trigger words are absent from the text never run,
only the metadata providers the remaining rules ask for are computed, the tree is walked
only when some rule hooks a node below the module (most rules read the module as a whole
through their family's shared analysis), and that walk reads the nodes instead of
rebuilding them as LibCST's own traversal does.
"""

from __future__ import annotations

import ast
import warnings
from contextlib import ExitStack
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import libcst as cst
from libcst import MaybeSentinel
from libcst.metadata import MetadataWrapper

from .analysis import release_shared
from .budget import no_gc_pauses, recursion_headroom
from .noqa import parse_suppressions
from .parsing import parse
from .rule import Finding, Rule, RuleContext
from .syntax import TRIVIA_TYPES, child_fields, child_nodes

SYNTAX_ERROR_CODE = "BYB001"
UNUSED_NOQA_CODE = "BYB002"


@lru_cache(maxsize=None)
def _hook_names(rule: type[Rule]) -> tuple[str, ...]:
    """The visit_/leave_ methods a rule class defines, found once per class.

    LibCST's own batched traversal looks them up with ``inspect.getmembers`` on every
    visitor of every file, which cost more than parsing. The no-op hooks every visitor
    inherits from LibCST (one per node type and field) are left out: calling them did
    nothing but cost as much again as the parse.
    """
    return tuple(
        name
        for name in dir(rule)
        if name.startswith(("visit_", "leave_"))
        and callable(getattr(rule, name, None))
        and getattr(rule, name) is not getattr(cst.BatchableCSTVisitor, name, None)
    )


class _Dispatcher(cst.CSTVisitor):
    """One traversal that calls every rule's hooks (rules cannot prune children).

    The traversal is the linter's own (``syntax.child_nodes``): LibCST's ``module.visit``
    rebuilds every node it passes, which cost as much as parsing. It calls the hooks in
    LibCST's order, skipping the whitespace and punctuation no rule hooks; a rule that does
    hook such nodes, or a field (``visit_Call_func``), gets LibCST's own traversal.
    """

    def __init__(self, visitors: Sequence[Rule]) -> None:
        super().__init__()
        methods: dict[str, list[Any]] = {}
        for visitor in visitors:
            for name in _hook_names(type(visitor)):
                methods.setdefault(name, []).append(getattr(visitor, name))
        self.methods = methods
        self.has_attribute_hooks = any(name.count("_") > 1 for name in methods)
        self.needs_libcst = self.has_attribute_hooks or any(
            _hooks_trivia(name.partition("_")[2]) for name in methods
        )
        self._hooks: dict[type, tuple[tuple[Any, ...], tuple[Any, ...]]] = {}

    def run(self, module: cst.Module) -> None:
        if self.needs_libcst:
            module.visit(self)
            return
        methods, table = self.methods, self._hooks
        if all(name.endswith("_Module") for name in methods):
            # most rules read the module as a whole, from their own per-module analysis
            for method in methods.get("visit_Module", ()):
                method(module)
            for method in methods.get("leave_Module", ()):
                method(module)
            return
        # per node type: its visit hooks, its leave hooks and the fields holding its children,
        # last first (``syntax.child_fields``): children are pushed here, not gathered by a
        # call per node, so that the first child is popped first
        stack: list[Any] = [module]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            item = pop()
            cls = type(item)
            if cls is tuple:  # the leave marker pushed below
                node = item[0]
                for method in table[type(node)][1]:
                    method(node)
                continue
            hooks = table.get(cls)
            if hooks is None:
                name = cls.__name__
                fields = child_fields(item)
                hooks = table[cls] = (
                    tuple(methods.get("visit_" + name, ())),
                    tuple(methods.get("leave_" + name, ())),
                    fields[::-1] if fields is not None else None,
                )
            for method in hooks[0]:
                method(item)
            if hooks[1]:
                push((item,))
            fields = hooks[2]
            if fields is None:  # a type whose fields are not all known yet
                children = child_nodes(item)
                children.reverse()
                extend(children)
                continue
            for field_name in fields:
                value = getattr(item, field_name)
                kind = type(value)
                if kind is tuple or kind is list:
                    extend(reversed(value))
                elif value is not None and kind is not MaybeSentinel:
                    push(value)

    def on_visit(self, node: cst.CSTNode) -> bool:
        for method in self.methods.get("visit_" + type(node).__name__, ()):
            method(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        for method in self.methods.get("leave_" + type(original_node).__name__, ()):
            method(original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if self.has_attribute_hooks:
            for method in self.methods.get(f"visit_{type(node).__name__}_{attribute}", ()):
                method(node)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if self.has_attribute_hooks:
            for method in self.methods.get(f"leave_{type(original_node).__name__}_{attribute}", ()):
                method(original_node)


def _hooks_trivia(type_name: str) -> bool:
    """Whether a hook is for a node type that only occurs among the skipped trivia."""
    cls = getattr(cst, type_name, None)
    return isinstance(cls, type) and issubclass(cls, TRIVIA_TYPES)


@dataclass
class FileResult:
    filename: str
    source: str
    findings: list[Finding]
    module: cst.Module | None = None


def _syntax_error(filename: str, source: str, exc: cst.ParserSyntaxError) -> Finding:
    """Prefer CPython's message (it names the problem); fall back to LibCST's."""
    line, col, message = exc.raw_line, exc.raw_column + 1, exc.message
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source, filename)
    except SyntaxError as py_exc:
        line = py_exc.lineno or line
        col = py_exc.offset or col
        message = py_exc.msg
    return _finding_for_syntax(filename, line, col, message)


def _finding_for_syntax(filename: str, line: int, col: int, message: str) -> Finding:
    return Finding(
        code=SYNTAX_ERROR_CODE,
        name="syntax-error",
        message=f"SyntaxError: {message} (the file was not linted)",
        filename=filename,
        line=line,
        column=col,
        end_line=line,
        end_column=col,
    )


def applicable_rules(
    source: str, rules: Sequence[type[Rule]], project: Any = None, filename: str = ""
) -> list[type[Rule]]:
    """Rules that can fire on this text: the others are not even instantiated.

    A rule may also ask to run on a file its words are absent from, when the project says
    the file reaches something that carries them (``Rule.reached_through``): an order
    wrapper imported from another module."""
    return [
        r
        for r in rules
        if not getattr(r, "engine_check", False)
        and (
            not r.words
            or any(w in source for w in r.words)
            or (project is not None and r.reached_through(project, filename))
        )
    ]


def lint_source(
    source: str,
    filename: str,
    rules: Sequence[type[Rule]],
    options: Mapping[str, Any] | None = None,
    *,
    keep_module: bool = False,
    project: Any = None,
    python_accepts: bool = False,
) -> FileResult:
    """Findings for one file, after ``# noqa``; the parsed module is kept for fixing.

    ``project`` (``project.Project``) holds the summaries of the tree the file belongs to,
    keyed by the same file names, so that rules can follow the project's own imports.

    CPython's parser reads the file first (it is far faster than LibCST's): a file it
    rejects is reported as BYB001 and never reaches LibCST, whose native parser can crash
    the process on input CPython refuses (thousands of nested brackets). ``python_accepts``:
    the caller has already seen CPython's parser accept this very text.
    """
    error = None if python_accepts else python_syntax_error(source, filename)
    if error is not None:
        return FileResult(filename, source, [error])
    with recursion_headroom(), no_gc_pauses():
        return _lint_source(source, filename, rules, options, keep_module=keep_module, project=project)


def python_syntax_error(source: str, filename: str) -> Finding | None:
    """BYB001 if CPython would refuse to compile the file, else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source, filename)
    except SyntaxError as exc:
        return _finding_for_syntax(filename, exc.lineno or 1, exc.offset or 1, exc.msg)
    except (RecursionError, MemoryError):
        return _finding_for_syntax(filename, 1, 1, "nested too deeply for Python's own parser")
    except ValueError as exc:  # null bytes
        return _finding_for_syntax(filename, 1, 1, str(exc))
    return None


def _lint_source(
    source: str,
    filename: str,
    rules: Sequence[type[Rule]],
    options: Mapping[str, Any] | None = None,
    *,
    keep_module: bool = False,
    project: Any = None,
) -> FileResult:
    options = options or {}
    report_unused_noqa = any(r.code == UNUSED_NOQA_CODE for r in rules)
    active = applicable_rules(source, rules, project, filename)
    if not active and not report_unused_noqa:
        return FileResult(filename, source, [])
    try:
        module, rewritten = parse(source, filename)
    except cst.ParserSyntaxError as exc:
        return FileResult(filename, source, [_syntax_error(filename, source, exc)])
    if rewritten:
        keep_module = False  # the rules read a rewritten text: never write it back
    findings: list[Finding] = []
    if active:
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        context = RuleContext(
            filename=filename,
            source=module.code if rewritten else source,
            options=options,
            wrapper=wrapper,
            project=project,
        )
        visitors = [rule(context) for rule in active]
        with ExitStack() as stack:
            for visitor in visitors:
                stack.enter_context(visitor.resolve(wrapper))  # metadata the rule declared
            _Dispatcher(visitors).run(module)
        for visitor in visitors:
            findings.extend(visitor.findings)
        release_shared()
    suppressions = parse_suppressions(source)
    kept = [
        f
        for f in findings
        if not suppressions.suppresses(f.code, (f.line,) if f.line == f.end_line else (f.line, f.end_line))
    ]
    if report_unused_noqa:
        known = {r.code for r in rules}
        for directive in suppressions.by_line.values():
            unused = (
                ()
                if directive.codes is None
                else tuple(c for c in directive.codes if c not in directive.used and c.startswith("BYB"))
            )
            if directive.codes is None and not directive.used:
                message = "Unused blanket `noqa` directive: remove it"
            elif unused:
                unknown = [c for c in unused if c not in known]
                detail = ", ".join(unused)
                message = f"Unused `noqa` directive ({detail}): remove it"
                if unknown:
                    message += f" (unknown or not selected: {', '.join(unknown)})"
            else:
                continue
            kept.append(
                Finding(
                    code=UNUSED_NOQA_CODE,
                    name="unused-noqa",
                    message=message,
                    filename=filename,
                    line=directive.line,
                    column=directive.column,
                    end_line=directive.line,
                    end_column=directive.column,
                )
            )
    kept.sort(key=lambda f: f.sort_key)
    return FileResult(filename, source, kept, module if keep_module else None)
