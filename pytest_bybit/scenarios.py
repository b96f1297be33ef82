"""The scenario matrix behind ``pytest --bybit-faults``.

A scenario is transient trouble that a resilient bot must ride out: Bybit throttling it,
the network dropping one request, the machine's clock drifting. Each test that uses the
``bybit`` fixture runs once more per scenario, so a user learns which of Bybit's bad days
their bot survives. Scenario ids are public (``test_buy[bybit:rate_limit_burst]``): keep
them stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .faults import CATALOG


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    faults: tuple[tuple[str, dict[str, Any]], ...] = ()
    drift: float | None = None
    #: What a failing bot most likely does wrong, and the lint rule that finds it.
    advice: str = ""


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "rate_limit_burst", "three signed requests answered 10006 with X-Bapi-Limit* headers",
            faults=(("rate_limit", {"times": 3}),),
            advice="wait until X-Bapi-Limit-Reset-Timestamp, with exponential backoff (BYB202)",
        ),
        Scenario(
            "rate_limit_global", "two requests answered 10006 with no X-Bapi-Limit* headers",
            faults=(("rate_limit_no_headers", {"times": 2}),),
            advice="back off exponentially when the reset header is missing (BYB201)",
        ),
        Scenario(
            "timeout", "one request times out (requests ReadTimeout)",
            faults=(("timeout", {"times": 1}),),
            advice="retry idempotent requests after a timeout, with a cap (BYB204)",
        ),
        Scenario(
            "bad_gateway", "one request answered HTTP 502 Bad Gateway (an HTML body)",
            faults=(("bad_gateway", {"times": 1}),),
            advice="treat 5xx as transient: retry with backoff (BYB204)",
        ),
        Scenario(
            "connection_reset", "one connection reset by peer",
            faults=(("connection_reset", {"times": 1}),),
            advice="retry after a ConnectionError (BYB204)",
        ),
        Scenario(
            "ssl_error", "one SSLError CERTIFICATE_VERIFY_FAILED",
            faults=(("ssl_error", {"times": 1}),),
            advice="retry; never disable verification (BYB303)",
        ),
        Scenario(
            "clock_ahead_2s", "the bot's clock runs 2 s ahead of Bybit's",
            drift=2.0,
            advice="sign with server time from /v5/market/time: a clock > 1 s fast fails whatever recv_window is (BYB401)",
        ),
        Scenario(
            "clock_behind_7s", "the bot's clock runs 7 s behind Bybit's",
            drift=-7.0,
            advice="sync with /v5/market/time; recv_window 5000 does not cover 7 s (BYB401, BYB402)",
        ),
        Scenario(
            "lost_response", "an order is placed but its response is lost (ReadTimeout)",
            faults=(("lost_response", {"times": 1}),),
            advice="send an orderLinkId and look the order up before retrying (BYB205)",
        ),
    )
}

for _scenario in SCENARIOS.values():
    for _name, _ in _scenario.faults:
        assert _name in CATALOG, _name


class UnknownScenario(ValueError):
    pass


def parse_selection(value: str | None) -> list[Scenario]:
    """``"all"`` / ``""`` / ``"a,b"`` -> scenarios; an unknown name lists the known ones."""
    if value is None:
        return []
    value = value.strip()
    if value in ("", "all", "1", "true", "yes"):
        return list(SCENARIOS.values())
    if value in ("0", "false", "no", "none", "off"):
        return []
    chosen = []
    for name in (n.strip() for n in value.split(",")):
        if not name:
            continue
        if name not in SCENARIOS:
            # `pytest --bybit-faults tests/x.py`: the option's optional value swallowed the path.
            path_hint = (
                f"; {name!r} looks like a test path: write --bybit-faults=all (or =NAME,...) before it"
                if "/" in name or "::" in name or name.endswith(".py")
                else ""
            )
            raise UnknownScenario(
                f"--bybit-faults: unknown scenario {name!r}. Known scenarios: {', '.join(SCENARIOS)} "
                f"(pytest --bybit-faults-list describes them){path_hint}"
            )
        chosen.append(SCENARIOS[name])
    return chosen


def listing() -> str:
    width = max(len(n) for n in SCENARIOS)
    lines = ["bybit scenarios (pytest --bybit-faults=NAME[,NAME]):"]
    lines += [f"  {s.name:<{width}}  {s.description}" for s in SCENARIOS.values()]
    fwidth = max(len(n) for n in CATALOG)
    lines += ["", "bybit faults (@pytest.mark.bybit_fault(NAME, times=1, endpoint=None, ...)):"]
    lines += [f"  {f.name:<{fwidth}}  {f.description}" for f in CATALOG.values()]
    return "\n".join(lines) + "\n"
