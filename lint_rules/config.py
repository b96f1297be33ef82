"""``[tool.bybit-lint]`` in the nearest pyproject.toml, merged with the command line.

Unknown keys, unknown rule selectors and ill-typed options are errors that name the file
and the key: a typo in a linter's config silently turns rules off, which is worse than a
loud failure.
"""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from .budget import DEFAULT_MEMORY_BUDGET, DEFAULT_TIME_BUDGET

if TYPE_CHECKING:  # pragma: no cover - the catalog's RuleInfo stands in for a Rule
    from .rule import Rule

LIST_KEYS = ("select", "extend-select", "ignore", "extend-ignore", "exclude", "extend-exclude")
OTHER_KEYS = (
    "per-file-ignores",
    "cache-dir",
    "respect-gitignore",
    "force-exclude",
    "file-time-budget",
    "file-memory-budget",
)


class ConfigError(Exception):
    """A problem the user must fix in their configuration or command line (exit 2)."""


@dataclass
class Config:
    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    cache_dir: Path | None = None  # default: .bybit_lint_cache beside the config
    respect_gitignore: bool = True
    force_exclude: bool = False
    time_budget: float = DEFAULT_TIME_BUDGET  # seconds per file; 0 turns the limit off
    memory_budget: int = DEFAULT_MEMORY_BUDGET  # MiB per file; 0 turns the limit off


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml above ``start`` that has a [tool.bybit-lint] table.

    A pyproject.toml without the table is passed over, so a monorepo's root config still
    applies to its sub-packages.
    """
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        if candidate.is_file():
            tool = _read_toml(candidate).get("tool", {})
            if not isinstance(tool, dict):
                raise ConfigError(f"{candidate}: 'tool' must be a table ([tool.bybit-lint]), got {tool!r}")
            if "bybit-lint" in tool:
                return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's data; every way it can fail is a ``ConfigError`` naming the file.

    A malformed pyproject.toml is an error, not a file to pass over: skipping it would
    silently apply a parent folder's config instead of the one the user wrote.
    """
    from .sources import SourceReadError, read_bytes  # sources reads the config's names

    try:
        text = read_bytes(str(path)).decode("utf-8")
    except SourceReadError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: config file is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings, got {value!r}")
    return value


def load_config(path: Path | None, rules: Sequence[type[Rule]]) -> Config:
    """Read and validate a config file; ``None`` gives the defaults."""
    if path is None:
        return Config()
    if not path.exists() and not path.is_symlink():
        raise ConfigError(f"{path}: config file not found")
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory; give a pyproject.toml or bybit-lint.toml file")
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: 'tool' must be a table ([tool.bybit-lint]), got {tool!r}")
        table = tool.get("bybit-lint", {})
        prefix = f"{path}: [tool.bybit-lint]"
    else:  # a dedicated bybit-lint.toml
        table = data
        prefix = f"{path}:"
    if not isinstance(table, dict):
        raise ConfigError(f"{prefix} must be a table")
    option_specs = {opt.key: opt for rule in rules for opt in rule.options}
    config = Config(path=path, root=path.parent.resolve())
    for key, value in table.items():
        where = f"{prefix} key '{key}'"
        if key in ("select",):
            config.select = _str_list(value, where)
        elif key == "extend-select":
            config.extend_select = _str_list(value, where)
        elif key in ("ignore", "extend-ignore"):
            config.ignore += _str_list(value, where)
        elif key in ("exclude", "extend-exclude"):
            config.exclude += _str_list(value, where)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where} must be a table of glob = [codes]")
            config.per_file_ignores = {
                pattern: _str_list(codes, f"{where} entry '{pattern}'") for pattern, codes in value.items()
            }
        elif key == "cache-dir":
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where} must be a folder path (relative to {path.parent}), got {value!r}")
            config.cache_dir = configured_cache_dir(path)
        elif key in ("respect-gitignore", "force-exclude"):
            if not isinstance(value, bool):
                raise ConfigError(f"{where} must be true or false, got {value!r}")
            setattr(config, key.replace("-", "_"), value)
        elif key == "file-time-budget":
            config.time_budget = budget_value(value, where, float)
        elif key == "file-memory-budget":
            config.memory_budget = int(budget_value(value, where, int))
        elif key in option_specs:
            try:
                config.options[key] = option_specs[key].coerce(value, prefix)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
        else:
            known = ", ".join(sorted((*LIST_KEYS, *OTHER_KEYS, *option_specs)))
            raise ConfigError(f"{prefix} unknown key '{key}'. Known keys: {known}")
    return config


def configured_cache_dir(path: Path) -> Path | None:
    """The ``cache-dir`` a config file sets, read before the rest is checked.

    The rest needs the rule catalog, which lives in that folder; a file that cannot be
    read gives None here and its error when it is loaded for real.
    """
    try:
        data = _read_toml(path)
    except ConfigError:
        return None
    tool = data.get("tool", {})
    table = (tool.get("bybit-lint", {}) if isinstance(tool, dict) else {}) if path.name == "pyproject.toml" else data
    value = table.get("cache-dir") if isinstance(table, dict) else None
    if not isinstance(value, str) or not value:
        return None
    return (path.parent / Path(value).expanduser()).resolve()


def budget_value(value: Any, where: str, kind: type) -> float:
    """A per-file budget: a non-negative number (seconds or MiB), 0 for no limit."""
    number_ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        number_ok = number_ok and float(value).is_integer()
    if not number_ok or value < 0 or value != value or value == float("inf"):
        unit = "seconds" if kind is float else "MiB (a whole number)"
        raise ConfigError(f"{where} must be a number of {unit} >= 0 (0 = no limit), got {value!r}")
    return kind(value)


def _best(code: str, selectors: Iterable[str]) -> int:
    return max((len(s) for s in selectors if code.startswith(s)), default=-1)


def validate_selectors(selectors: Iterable[str], rules: Sequence[type[Rule]], where: str) -> list[str]:
    codes = [r.code for r in rules]
    out = []
    for raw in selectors:
        sel = raw.strip().upper()
        if not sel:
            continue
        if sel == "ALL":
            sel = "BYB"
        if not any(code.startswith(sel) for code in codes):
            raise ConfigError(
                f"{where}: unknown rule selector '{raw}'. Use a code or a prefix such as BYB1; "
                "`bybit-lint rules` lists them"
            )
        out.append(sel)
    return out


def resolve_rules(
    rules: Sequence[type[Rule]],
    select: Sequence[str] | None,
    ignore: Sequence[str],
    extend_select: Sequence[str] = (),
) -> list[type[Rule]]:
    """Ruff's resolution: the most specific matching selector wins; a tie goes to ignore.

    Rules that are off by default run only when a selector names them more specifically
    than the bare ``BYB`` family prefix.
    """
    chosen = []
    for rule in rules:
        if select is None:
            sel = _best(rule.code, ["BYB"] + list(extend_select)) if rule.default_enabled else _best(rule.code, extend_select)
        else:
            sel = _best(rule.code, list(select) + list(extend_select))
            if not rule.default_enabled and sel <= len("BYB"):
                sel = _best(rule.code, [s for s in list(select) + list(extend_select) if len(s) > 3])
        if sel < 0:
            continue
        if _best(rule.code, ignore) >= sel:
            continue
        chosen.append(rule)
    return chosen


def is_excluded(path: Path, patterns: Sequence[str], root: Path) -> bool:
    """Match a glob against the path relative to the config root, or against its name."""
    if not patterns:
        return False
    try:
        rel = path.resolve().relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    name = path.name
    for pattern in patterns:
        pat = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(name, pat) or rel.startswith(pat + "/"):
            return True
    return False


def per_file_ignored(path: Path, config: Config) -> list[str]:
    out: list[str] = []
    for pattern, codes in config.per_file_ignores.items():
        if is_excluded(path, [pattern], config.root):
            out += [c.upper() for c in codes]
    return out
