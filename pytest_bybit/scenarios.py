"""The scenario matrix behind ``pytest --bybit-faults``.

A scenario is transient trouble that a resilient bot must ride out: Bybit throttling it,
the network dropping one request, the machine's clock drifting. Each test that uses the
``bybit`` fixture runs once more per scenario, so a user learns which of Bybit's bad days
their bot survives. Scenario ids are public (``test_buy[bybit:rate_limit_burst]``): keep
them stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .faults import CATALOG


@dataclass(frozen=True)
class Scenario:
    """Trouble a resilient bot rides out, and the fairness rule that makes surviving it possible.

    ``fair`` says what a client that follows Bybit's documented advice with common settings
    does to get through (pybit's defaults where they apply, exponential backoff from 0.25 s
    with 3 attempts or more): the suite checks every scenario against those clients.
    """

    name: str
    description: str
    faults: tuple[tuple[str, dict[str, Any]], ...] = ()
    drift: float | None = None
    #: What a failing bot most likely does wrong, and the lint rule that finds it.
    advice: str = ""
    #: Who survives it: the fairness rule, in the scenario's description.
    fair: str = ""

    @property
    def signed_only(self) -> bool:
        """A clock scenario only means something to a test that signs a request."""
        return self.drift is not None


_TRANSPORT = (
    ("timeout", "one request times out (requests ReadTimeout)", "retry idempotent requests after a timeout, with a cap (BYB204)"),
    ("bad_gateway", "one request answered HTTP 502 Bad Gateway (an HTML body)", "treat 5xx as transient: retry with backoff (BYB204)"),
    ("connection_reset", "one connection reset by peer", "retry after a ConnectionError (BYB204)"),
    ("ssl_error", "one SSLError CERTIFICATE_VERIFY_FAILED", "retry; never disable verification (BYB303)"),
)
_AIM = {"": ("", "any"), "@signed": (" on the first signed request", "private"), "@order": (" on the first order request", "order")}
_TRANSPORT_FAIR = (
    "survived by a bot that retries the failed request with growing waits (3 attempts or more); "
    "an order is retried with the same orderLinkId"
)


def _transport() -> list[Scenario]:
    out = []
    for name, description, advice in _TRANSPORT:
        for suffix, (where, scope) in _AIM.items():
            out.append(
                Scenario(
                    name + suffix,
                    description + where,
                    faults=((name, {"times": 1, "scope": scope}),),
                    advice=advice + (": send an orderLinkId so the retry cannot duplicate the order (BYB205)" if scope == "order" else ""),
                    fair=_TRANSPORT_FAIR,
                )
            )
    return out


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "rate_limit_burst",
            "a signed endpoint's rate-limit window is used up: 10006 with X-Bapi-Limit* headers until the reset "
            "time 600 ms ahead, then OK",
            faults=(("rate_limit_window", {"times": 1}),),
            advice="wait until X-Bapi-Limit-Reset-Timestamp, or back off with growing waits (BYB202, BYB203)",
            fair="survived by pybit's defaults (they wait for the reset header) and by exponential backoff from "
            "0.25 s with 3 attempts or more",
        ),
        Scenario(
            "rate_limit_global",
            "a global 10006 without X-Bapi-Limit* headers on signed endpoints until its 500 ms window resets, then OK",
            faults=(("rate_limit_global_window", {"times": 1}),),
            advice="back off with growing waits when the reset header is missing (BYB201, BYB202)",
            fair="survived by pybit's defaults (2 s without the header) and by exponential backoff from 0.25 s "
            "with 3 attempts or more",
        ),
        *_transport(),
        Scenario(
            "clock_ahead_2s", "the bot's clock runs 2 s ahead of Bybit's",
            drift=2.0,
            advice="sign with server time from /v5/market/time: a clock > 1 s fast fails whatever recv_window is (BYB401)",
            fair="survived by a bot that signs with the server time from /v5/market/time (ccxt's adjustForTimeDifference)",
        ),
        Scenario(
            "clock_behind_7s", "the bot's clock runs 7 s behind Bybit's",
            drift=-7.0,
            advice="sync with /v5/market/time; recv_window 5000 does not cover 7 s (BYB401, BYB402)",
            fair="survived by pybit's defaults (they widen recv_window to 7500 on 10002) and by a bot that signs "
            "with the server time",
        ),
        Scenario(
            "lost_response", "an order is placed but its response is lost (ReadTimeout)",
            faults=(("lost_response", {"times": 1}),),
            advice="send an orderLinkId and look the order up before retrying (BYB205)",
            fair="survived by a bot that retries with the same orderLinkId and takes 110072 as 'already placed', "
            "or looks the order up by orderLinkId",
        ),
    )
}

for _scenario in SCENARIOS.values():
    for _name, _ in _scenario.faults:
        assert _name in CATALOG, _name
    assert _scenario.fair, _scenario.name


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
            raise UnknownScenario(
                f"--bybit-faults: unknown scenario {name!r}. Known scenarios: {', '.join(SCENARIOS)} "
                "(pytest --bybit-faults-list describes them)"
            )
        chosen.append(SCENARIOS[name])
    return chosen


def listing() -> str:
    width = max(len(n) for n in SCENARIOS)
    lines = ["bybit scenarios (pytest --bybit-faults=NAME[,NAME]):"]
    for s in SCENARIOS.values():
        lines.append(f"  {s.name:<{width}}  {s.description}")
        lines.append(f"  {'':<{width}}  fair: {s.fair}")
    fwidth = max(len(n) for n in CATALOG)
    lines += ["", "bybit faults (@pytest.mark.bybit_fault(NAME, times=1, endpoint=None, ...)):"]
    lines += [f"  {f.name:<{fwidth}}  {f.description}" for f in CATALOG.values()]
    return "\n".join(lines) + "\n"
