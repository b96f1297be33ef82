"""What the configuration needs to know about the rules, without importing them.

Resolving ``select`` / ``ignore`` and checking rule options only needs each rule's code,
defaults and options; importing the rule modules needs LibCST and costs more than a warm
run's whole budget. The catalog is read from the rule classes once per tool fingerprint
and kept beside the findings cache.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from .finding import Option


@dataclass(frozen=True)
class RuleInfo:
    """The parts of a rule class the configuration and the reporters read."""

    code: str
    name: str
    message: str
    default_enabled: bool
    fixable: str
    options: tuple[Option, ...]
    #: the rule runs only on a file that contains one of these (none: on every file)
    words: tuple[str, ...] = ()
    #: reported by the engine itself (syntax errors, unused noqa), not by visiting
    engine_check: bool = False
    #: the project question under which the rule also runs on other files (``Rule.reached_by``)
    reached_by: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "default_enabled": self.default_enabled,
            "fixable": self.fixable,
            "options": [[o.key, o.default, o.help] for o in self.options],
            "words": list(self.words),
            "engine_check": self.engine_check,
            "reached_by": self.reached_by,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RuleInfo:
        return cls(
            code=data["code"],
            name=data["name"],
            message=data["message"],
            default_enabled=data["default_enabled"],
            fixable=data["fixable"],
            options=tuple(Option(key, default, help) for key, default, help in data["options"]),
            words=tuple(data["words"]),
            engine_check=data["engine_check"],
            reached_by=data["reached_by"],
        )


def describe(rules: Sequence[Any]) -> tuple[RuleInfo, ...]:
    return tuple(
        RuleInfo(
            r.code,
            r.name,
            r.message,
            r.default_enabled,
            r.fixable,
            tuple(r.options),
            tuple(r.words),
            bool(getattr(r, "engine_check", False)),
            getattr(r, "reached_by", ""),
        )
        for r in rules
    )


def may_fire(content: bytes, codes: Sequence[str], catalog: Mapping[str, RuleInfo]) -> bool:
    """Whether any of these rules can fire on this text (``engine.applicable_rules``'s test).

    A file none can fire on, and that does not ask for unused-noqa reports, needs only
    CPython's parser to be checked: LibCST is not even imported for it. The trigger words
    are ASCII, so looking for them in the UTF-8 bytes finds what looking in the text would.
    """
    for code in codes:
        info = catalog.get(code)
        if info is None:
            return True
        if info.engine_check:
            if code != "BYB001":  # BYB002 (unused noqa) needs the engine's full pass
                return True
            continue
        if not info.words or any(w.encode() in content for w in info.words):
            return True
    return False


def _imported() -> tuple[RuleInfo, ...]:
    from .rules import all_rules

    return describe(all_rules())


def load_catalog(directory: Path | None, fingerprint: str) -> tuple[RuleInfo, ...]:
    """The rule catalog, from ``directory`` when it was written by this very tool.

    ``directory`` is None when caching is off: then the rules are imported.
    """
    if directory is None:
        return _imported()
    path = directory / f"catalog-{fingerprint}.json"
    try:
        return tuple(RuleInfo.from_json(item) for item in json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    infos = _imported()
    try:
        from .cache import prepare_directory

        prepare_directory(directory)
        for old in directory.glob("catalog-*.json"):
            if old != path:
                old.unlink(missing_ok=True)  # written by another version of the rules
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps([i.to_json() for i in infos]), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only checkout still lints; it just imports the rules every time
    return infos
