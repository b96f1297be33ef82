"""The rule catalog: every ``Rule`` subclass defined in this package's modules.

One module per rule family (precision, resilience, environment, time, websockets); adding
a module is all it takes to add rules.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import GenericAlias

from ..rule import Rule


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            # ``list[str]`` passes isinstance(..., type) on 3.10, but not issubclass
            if not isinstance(value, type) or isinstance(value, GenericAlias):
                continue
            if issubclass(value, Rule) and value.code and value.__module__ == module.__name__:
                if value.code in found and found[value.code] is not value:
                    raise RuntimeError(f"duplicate rule code {value.code}")
                found[value.code] = value
    return tuple(sorted(found.values(), key=lambda r: r.code))


def rule_by_code(code: str) -> type[Rule] | None:
    code = code.strip().upper()
    for rule in all_rules():
        if rule.code == code or rule.name == code.lower():
            return rule
    return None
