"""Large files linted in pieces: bounded memory, and no LibCST parse where no rule can fire.

LibCST's tree of a whole 50,000-line module costs about a gigabyte and grows worse than
linearly to build, while CPython's ``ast`` reads the same file in a second. So a file of at
least ``CHUNK_LINES`` lines is split with ``ast`` at statement boundaries: the top-level
statements, and the methods of a top-level class that is itself larger than a piece
(ccxt's exchange classes are single 10,000-line classes). Consecutive statements are packed
into pieces of about ``PIECE_LINES`` lines, and each piece is linted as its own source:

    the header: the file's imports and short constants, wherever they are, and the
    functions and classes the piece names (copied, in the file's order)
    [for methods: the ``class X(...):`` lines, the class's constants, its ``__init__``
    and the methods the piece names]
    the piece, exactly as it stands in the file

Every line of that source is a line of the file, so findings are mapped back by line, a
``# noqa`` on the finding's line is seen, and a fix is the piece's own text changed. A
piece whose text holds none of the rules' trigger words is never parsed by LibCST. A
finding in a copied statement is taken once, however many pieces copy it. The file's
leading header (docstring, ``__future__`` imports) is a piece of its own, linted as it
stands, since nothing may come before a ``__future__`` import.

Rules judge one piece at a time, with the whole file's facts from the project model (its
role, its functions' summaries): a helper too large to be copied beside its caller is seen
as if it were in another module, which can hide a finding (or, rarely, show one the helper
would have cleared).

The per-file budget applies to each piece: a file that is merely big is linted, a
pathological piece (a single 50,000-line literal full of trigger words) is stopped with the
budget's usual message, naming its lines.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence

from .budget import BudgetExceeded, file_budget
from .finding import Finding
from .sources import Source

if TYPE_CHECKING:  # pragma: no cover
    from .rule import Rule
    from .runner import Mode

#: Files with at least this many lines are linted in pieces. Below it LibCST's parse stays
#: linear (about 0.1 ms and 17 KiB a line, so under 100 MiB): pieces would only cost.
CHUNK_LINES = 5_000
#: About how many lines a piece holds (a single longer statement is a piece of its own).
PIECE_LINES = 600
#: Below this many lines, a file whose pieces mostly hold trigger words is linted whole: the
#: headers copied into each piece cost more (up to +70% on the stdlib's 5-10k-line tests)
#: than the whole file's parse, which is still nearly linear and under 400 MiB there.
WHOLE_UP_TO = 20_000
#: A constant bound to a literal (a URL, an endpoint table) up to this many lines is copied
#: into the header of every piece; one bound to anything else (a client) up to
#: ``HEADER_STATEMENT_LINES``.
HEADER_LITERAL_LINES = 30
HEADER_STATEMENT_LINES = 3
#: An ``if`` / ``try`` block of imports and constants up to this many lines is copied too.
HEADER_BLOCK_LINES = 30
#: The header stops growing at this many lines (later candidates stay in their pieces).
HEADER_MAX_LINES = 300
#: At most this many lines of the functions a piece calls are copied into its header.
HELPER_LINES = 300

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_FILE_NOQA = re.compile(r"#\s*bybit-lint\s*:\s*noqa", re.IGNORECASE)
NOT_FIXED = " (not fixed: in a file linted in pieces, this fix would edit the file's header)"
UNUSED_NOQA_CODE = "BYB002"


def is_large(content: bytes) -> bool:
    """Whether a file is linted in pieces (cheap: counts line endings in the bytes)."""
    return max(content.count(b"\n"), content.count(b"\r")) >= CHUNK_LINES


@dataclass
class Unit:
    """One statement's lines [start, end] (1-based, inclusive), the comments before it included."""

    start: int
    end: int
    kind: str  # "header" (context every piece gets), "body", "open" (a split class's first lines)
    scope: int = 0  # 0: the module; n: the n-th split class
    text: str = ""

    @property
    def lines(self) -> int:
        return self.end - self.start + 1


@dataclass
class Piece:
    """Consecutive units of one scope, linted together: the units ``first`` to ``last``."""

    first: int
    last: int
    scope: int
    #: the file's leading header units (docstring, ``__future__`` imports): linted as they stand
    lead: bool = False


@dataclass
class Plan:
    """How a file is split: units that partition its lines, and the pieces that group them."""

    units: list[Unit]
    pieces: list[Piece]
    #: per scope, the indices of its header units (a class's start with its opening)
    headers: dict[int, list[int]] = field(default_factory=dict)
    #: per scope, the functions and classes it defines: name -> unit index
    defs: dict[int, dict[str, int]] = field(default_factory=dict)


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None) or ()
    return min([stmt.lineno] + [d.lineno for d in decorators])


def _units(body: Sequence[ast.stmt], first: int, last: int) -> list[tuple[int, int, list[ast.stmt]]]:
    """Consecutive line ranges covering [first, last], one per statement (statements sharing
    a line share a unit); the comments before a statement belong to it."""
    units: list[tuple[int, int, list[ast.stmt]]] = []
    start = first
    for stmt in body:
        begin, end = _first_line(stmt), stmt.end_lineno or stmt.lineno
        if units and begin <= units[-1][1]:
            s, e, stmts = units[-1]
            units[-1] = (s, max(e, end), stmts + [stmt])
        else:
            units.append((start, end, [stmt]))
        start = units[-1][1] + 1
    if units:
        s, e, stmts = units[-1]
        units[-1] = (s, max(e, last), stmts)
    return units


def _only_imports(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        return _is_constant(stmt)
    if isinstance(stmt, ast.If):
        return all(_only_imports(s) for s in stmt.body + stmt.orelse)
    if isinstance(stmt, ast.Try):
        handlers = [s for h in stmt.handlers for s in h.body]
        return all(_only_imports(s) for s in stmt.body + handlers + stmt.orelse + stmt.finalbody)
    return False


def _is_constant(stmt: ast.stmt) -> bool:
    """A short assignment to plain names: the constants rules look up from anywhere."""
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
    names = all(
        isinstance(t, ast.Name) or (isinstance(t, ast.Tuple) and all(isinstance(e, ast.Name) for e in t.elts))
        for t in targets
    )
    value = getattr(stmt, "value", None)
    lines = (stmt.end_lineno or stmt.lineno) - stmt.lineno + 1
    limit = HEADER_LITERAL_LINES if _is_literal(value) else HEADER_STATEMENT_LINES
    return names and value is not None and lines <= limit


_LITERALS = (ast.Constant, ast.JoinedStr, ast.Name, ast.Attribute, ast.Dict, ast.List, ast.Tuple, ast.Set, ast.BinOp, ast.UnaryOp)


def _is_literal(value: ast.AST | None) -> bool:
    """Data written out (strings, numbers, tables of them, names joined into a URL), no call."""
    return value is not None and all(isinstance(n, _LITERALS + (ast.expr_context, ast.operator, ast.unaryop, ast.FormattedValue)) for n in ast.walk(value))


def _is_header(stmts: Sequence[ast.stmt], index: int, span: int) -> bool:
    """Whether a unit is context every piece needs: a docstring, imports, short constants."""
    for stmt in stmts:
        value = getattr(stmt, "value", None)
        if index == 0 and stmt is stmts[0] and isinstance(stmt, ast.Expr) and isinstance(value, ast.Constant) and isinstance(value.value, str):
            continue
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and _is_constant(stmt):
            continue
        if isinstance(stmt, (ast.If, ast.Try)) and span <= HEADER_BLOCK_LINES and _only_imports(stmt):
            continue
        return False
    return True


def plan(tree: ast.Module, lines: Sequence[str], piece_lines: int = PIECE_LINES) -> Plan | None:
    """The units and pieces of a file, or None when it would be a single piece anyway."""
    result = Plan([], [], {0: []})
    units, pieces = result.units, result.pieces

    def add(start: int, end: int, stmts: Sequence[ast.stmt], index: int, scope: int, room: int) -> int:
        """Add a unit, extending the current piece or opening a new one; returns the header
        lines still allowed in this scope."""
        span = end - start + 1
        header = span <= room and _is_header(stmts, index, span)
        if header:
            result.headers.setdefault(scope, []).append(len(units))
        units.append(Unit(start, end, "header" if header else "body", scope))
        if len(stmts) == 1 and isinstance(stmts[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            result.defs.setdefault(scope, {})[stmts[0].name] = len(units) - 1
        last = pieces[-1] if pieces else None
        if (
            last is not None
            and last.scope == scope
            and last.last == len(units) - 2
            and end - units[last.first].start < piece_lines
            and not (last.lead and not header)  # the file's leading header is a piece of its own
        ):
            last.last = len(units) - 1
        else:
            pieces.append(Piece(len(units) - 1, len(units) - 1, scope, lead=len(units) == 1 and header))
        return room - span if header else room

    room = HEADER_MAX_LINES
    for index, (start, end, stmts) in enumerate(_units(tree.body, 1, len(lines))):
        node = stmts[0]
        if (
            len(stmts) == 1
            and isinstance(node, ast.ClassDef)
            and end - start + 1 > piece_lines
            and _first_line(node.body[0]) > node.lineno
        ):
            scope = len(result.headers)
            body_start = _first_line(node.body[0])
            result.headers[scope] = [len(units)]
            units.append(Unit(start, body_start - 1, "open", scope))
            class_room = HEADER_MAX_LINES
            for inner, (s, e, inner_stmts) in enumerate(_units(node.body, body_start, end)):
                class_room = add(s, e, inner_stmts, inner, scope, class_room)
            continue
        room = add(start, end, stmts, index, 0, room)
    if len(pieces) < 2:
        return None
    for unit in units:
        unit.text = "".join(lines[unit.start - 1 : unit.end])
    return result


@dataclass
class _Source:
    """A piece's source: the header units outside it, then the piece; maps its lines back."""

    text: str
    #: (first synthetic line, ("u", unit index) or ("p", piece index)), in order
    starts: list[tuple[int, tuple[str, int]]]

    def locate(self, line: int) -> tuple[tuple[str, int], int] | None:
        """Where a synthetic line comes from: the unit or piece, and the line's offset in it."""
        found = None
        for first, key in self.starts:
            if first > line:
                break
            found = (key, line - first)
        return found


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _helpers(plan_: Plan, piece: Piece, body: str) -> tuple[list[int], list[int]]:
    """The functions and classes of the file (methods of the piece's class) a piece names but
    does not hold (and its class's ``__init__``): copied into its header, so that the rules see
    the helpers its code calls, as they do in the whole file. The nearest first, up to ``HELPER_LINES``; a larger
    helper is left out."""
    names = set(_NAME.findall(body))
    if piece.scope:
        names.add("__init__")  # where the attributes a method uses (``self.client``) are set
    room = HELPER_LINES
    found: tuple[list[int], list[int]] = ([], [])
    for side, scope in ((0, 0), (1, piece.scope)) if piece.scope else ((0, 0),):
        defs = plan_.defs.get(scope, {})
        wanted = sorted(
            (u for name, u in defs.items() if name in names and not piece.first <= u <= piece.last),
            key=lambda u: min(abs(u - piece.first), abs(u - piece.last)),
        )
        for u in wanted:
            if plan_.units[u].lines <= room:
                room -= plan_.units[u].lines
                found[side].append(u)
    return found


def _build(plan_: Plan, index: int, body: str) -> _Source:
    piece = plan_.pieces[index]
    inside = range(piece.first, piece.last + 1)
    context: list[int] = []
    if not piece.lead:
        module_helpers, class_helpers = _helpers(plan_, piece, body)
        context = sorted([u for u in plan_.headers[0] if u not in inside] + module_helpers)
        if piece.scope:
            context += sorted([u for u in plan_.headers[piece.scope] if u not in inside] + class_helpers)
    parts: list[str] = []
    starts: list[tuple[int, tuple[str, int]]] = []
    line = 1
    for u in context:
        starts.append((line, ("u", u)))
        parts.append(plan_.units[u].text)
        line += plan_.units[u].lines
        if not parts[-1].endswith(("\n", "\r")):
            parts[-1] += "\n"  # the file's last line, moved up into the header
    starts.append((line, ("p", index)))
    parts.append(body)
    return _Source("".join(parts), starts)


def _words(rules: Sequence[type[Rule]], project: Any, filename: str) -> tuple[bool, tuple[str, ...]]:
    """Whether every piece must be linted, else the trigger words that make a piece worth it."""
    words: list[str] = []
    for rule in rules:
        if getattr(rule, "engine_check", False):
            continue
        if not rule.words or (project is not None and rule.reached_through(project, filename)):
            return True, ()
        words.extend(rule.words)
    return False, tuple(dict.fromkeys(words))


@contextmanager
def _piece_budget(mode: Mode, start: int, end: int) -> Iterator[None]:
    """The per-file budget, applied to one piece; the message names the piece's lines."""
    try:
        with file_budget(mode.time_budget, mode.memory_budget):
            yield
    except BudgetExceeded as exc:
        raise BudgetExceeded(f"lines {start}-{end} (the file is linted in pieces): {exc}", exc.option) from None


def _whole(mode: Mode, whole: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    with file_budget(mode.time_budget, mode.memory_budget):
        return whole()


def lint_in_pieces(
    filename: str,
    decoded: Source,
    rules: Sequence[type[Rule]],
    options: Mapping[str, Any],
    mode: Mode,
    project: Any,
    *,
    whole: Callable[[], dict[str, Any]],
    piece_lines: int | None = None,
) -> dict[str, Any]:
    """The runner's result for one large file (``runner._lint``'s shape), linted piece by piece.

    A file that does not parse, that cannot be split, or that asks for unused-``noqa``
    reports (which need every suppression of the file judged at once) is linted ``whole``,
    within the file's budget.
    """
    from . import engine

    source = decoded.text
    if any(r.code == UNUSED_NOQA_CODE for r in rules):
        return _whole(mode, whole)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _whole(mode, whole)
    lines = _LINE.findall(source)
    plan_ = plan(tree, lines, piece_lines or PIECE_LINES)
    del tree
    if plan_ is None:
        return _whole(mode, whole)
    if project is None:  # the rules read the whole file's facts (its role, its functions)
        from .project import Project

        project = Project.from_sources({filename: source})
    every, words = _words(rules, project, filename)
    units = plan_.units
    texts = ["".join(u.text for u in units[p.first : p.last + 1]) for p in plan_.pieces]
    fixing = mode.fix or mode.diff
    located: list[tuple[Finding, tuple[tuple[str, int], int], tuple[tuple[str, int], int]]] = []
    fixed = 0
    fixed_codes: Counter[str] = Counter()
    changed_pieces: set[int] = set()

    def keep(findings: Sequence[Finding], built: _Source) -> bool:
        """Record a source's findings where they come from; False on a syntax error (a split
        gone wrong: the file is then linted whole)."""
        for finding in findings:
            if finding.code == engine.SYNTAX_ERROR_CODE:
                return False
            start, end = built.locate(finding.line), built.locate(finding.end_line)
            if start is not None and end is not None:
                located.append((finding, start, end))
        return True

    if len(lines) < WHOLE_UP_TO:
        parsed_lines = sum(text.count("\n") for text in texts if every or any(w in text for w in words))
        if parsed_lines * 2 > len(lines):
            return _whole(mode, whole)  # pieces would save little parsing and cost their headers
    for index, piece in enumerate(plan_.pieces):
        body = texts[index]
        if not (every or any(w in body for w in words)):
            continue  # no rule can fire on it: never parsed
        built = _build(plan_, index, body)
        header = built.text[: len(built.text) - len(body)]
        with _piece_budget(mode, units[piece.first].start, units[piece.last].end):
            if fixing:
                text, count, findings, codes = _fix_piece(built.text, len(header), filename, rules, options, mode, project)
                if text != built.text:
                    texts[index] = text[len(header) :]
                    changed_pieces.add(index)
                    fixed += count
                    fixed_codes += codes
                ok = keep(findings, _Source(text, built.starts))
            else:
                ok = keep(engine.lint_source(built.text, filename, rules, options, project=project).findings, built)
        if not ok:
            return _whole(mode, whole)

    if changed_pieces:  # what other pieces saw in a header unit a fix has changed since is stale
        owner = {u: i for i, p in enumerate(plan_.pieces) for u in range(p.first, p.last + 1)}
        located = [
            item
            for item in located
            if not any(key[0] == "u" and owner.get(key[1]) in changed_pieces for key in (item[1][0], item[2][0]))
        ]
    out: dict[str, Any] = {"findings": _merge(located, plan_, texts, source)}
    if fixing:
        from .fixes import keep_final_line_ending, unified_diff

        new_source = keep_final_line_ending(source, _assemble(plan_, texts))
        changed = new_source if new_source != source else None
        out.update(
            changed=decoded.encode(changed) if changed is not None else None,
            patch=unified_diff(source, new_source, filename) if (mode.diff and changed) else None,
            fixed=fixed,
        )
        if mode.show_fixes and changed is not None:
            out["fixed_codes"] = dict(fixed_codes)
    return out


def _applies(finding: Finding, mode: Mode) -> bool:
    return finding.fix is not None and (finding.fix.safe or mode.unsafe)


def _fix_piece(
    text: str, header: int, filename: str, rules: Sequence[type[Rule]], options: Mapping[str, Any], mode: Mode, project: Any
) -> tuple[str, int, list[Finding], Counter[str]]:
    """A piece's source with the fixes of its own findings applied (``fixes.fix_source``'s
    loop), its header (the first ``header`` characters) untouched.

    Findings in the header are another piece's to fix. A fix that would edit the header
    (add an import) is left out, and its finding says so.
    """
    import libcst as cst

    from . import engine
    from .budget import no_gc_pauses, recursion_headroom
    from .fixes import MAX_ROUNDS, _Replacer, keep_final_line_ending

    prefix = text[:header]
    first_body_line = len(_LINE.findall(prefix)) + 1
    refused: set[tuple[str, int, int]] = set()
    fixed = 0
    with recursion_headroom(), no_gc_pauses():
        result = engine.lint_source(text, filename, rules, options, keep_module=True, project=project)
        before = Counter(f.code for f in result.findings if _applies(f, mode) and f.line >= first_body_line)
        for _ in range(MAX_ROUNDS):
            todo = [
                f
                for f in result.findings
                if _applies(f, mode) and f.line >= first_body_line and (f.code, f.line, f.column) not in refused
            ]
            if not todo or result.module is None:
                break
            module = result.module

            def apply(findings: Sequence[Finding]) -> tuple[str, int]:
                replacements: dict[int, cst.CSTNode | cst.RemovalSentinel] = {}
                count = 0
                for finding in findings:
                    assert finding.fix is not None
                    if any(id(old) in replacements for old, _ in finding.fix.replacements):
                        continue  # overlapping: the next round picks it up
                    for old, new in finding.fix.replacements:
                        replacements[id(old)] = new
                    count += 1
                return keep_final_line_ending(text, module.visit(_Replacer(replacements)).code), count

            new_text, count = apply(todo)
            if not new_text.startswith(prefix):  # some fix edits the header: find it, leave it out
                for finding in todo:
                    if not apply([finding])[0].startswith(prefix):
                        refused.add((finding.code, finding.line, finding.column))
                new_text, count = apply([f for f in todo if (f.code, f.line, f.column) not in refused])
            if new_text == text:
                break
            text, fixed = new_text, fixed + count
            result = engine.lint_source(text, filename, rules, options, keep_module=True, project=project)
    remaining = [
        replace(f, message=f.message + NOT_FIXED, fix=None) if (f.code, f.line, f.column) in refused else f
        for f in result.findings
    ]
    after = Counter(f.code for f in remaining if _applies(f, mode) and f.line >= first_body_line)
    return text, fixed, remaining, before - after


def _assemble(plan_: Plan, texts: Sequence[str]) -> str:
    """The file again: each piece's (maybe fixed) text, the split classes' opening lines between."""
    firsts = {p.first: i for i, p in enumerate(plan_.pieces)}
    parts = []
    for u, unit in enumerate(plan_.units):
        if unit.kind == "open":
            parts.append(unit.text)
        elif u in firsts:
            parts.append(texts[firsts[u]])
    return "".join(parts)


def _new_starts(plan_: Plan, texts: Sequence[str]) -> dict[tuple[str, int], int]:
    """The first line of each unit and piece in the (maybe fixed) file. A header unit inside a
    fixed piece keeps its offset from the piece's start (exact unless a fix above it, in
    that piece, changed the number of lines)."""
    starts: dict[tuple[str, int], int] = {}
    firsts = {p.first: i for i, p in enumerate(plan_.pieces)}
    line = 1
    for u, unit in enumerate(plan_.units):
        if unit.kind == "open":
            starts[("u", u)] = line
            line += unit.lines
        elif u in firsts:
            index = firsts[u]
            piece = plan_.pieces[index]
            starts[("p", index)] = line
            for inner in range(piece.first, piece.last + 1):
                starts[("u", inner)] = line + plan_.units[inner].start - unit.start
            line += len(_LINE.findall(texts[index]))
    return starts


def _merge(
    located: Sequence[tuple[Finding, tuple[tuple[str, int], int], tuple[tuple[str, int], int]]],
    plan_: Plan,
    texts: Sequence[str],
    source: str,
) -> list[list[Any]]:
    """The file's findings as records, on the file's own lines, each header finding once."""
    from .cache import finding_record
    from .noqa import parse_suppressions

    starts = _new_starts(plan_, texts)
    seen: set[tuple[Any, ...]] = set()
    merged: list[Finding] = []
    for finding, (first, offset), (last, end_offset) in located:
        moved = replace(finding, line=starts[first] + offset, end_line=starts[last] + end_offset)
        key = (moved.code, moved.line, moved.column, moved.end_line, moved.end_column, moved.message)
        if key in seen:
            continue
        seen.add(key)
        merged.append(moved)
    if merged and _FILE_NOQA.search(source):  # a file-wide suppression in some other piece
        suppressions = parse_suppressions(source)
        if suppressions.file_wide:
            merged = [f for f in merged if not suppressions.suppresses(f.code, ())]
    merged.sort(key=lambda f: f.sort_key)
    return [finding_record(f) for f in merged]
