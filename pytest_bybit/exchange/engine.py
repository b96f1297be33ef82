"""The trading engine: accepts, matches, amends and cancels orders; keeps positions and wallets.

Deliberately simple market model: one last price per symbol (``set_price``). Market orders fill
at once at that price (taker); limit orders that cross fill at once (taker), others rest and fill
at their own price (maker) when the price moves through them. Fills move positions and the
unified wallet, fees included, so a bot's view of its balance can be checked end to end.
"""

from __future__ import annotations

from collections import deque
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from .. import facts
from . import conditional, ledger, liquidation
from .errors import BybitError, param_error
from .models import ZERO, Account, Ids, Instrument, Order, Position, as_int, dec, fmt
from .validation import OrderSpec, check_contract, check_option, check_spot_limit, parse_order

DEFAULT_LEVERAGE = Decimal(10)
#: Maintenance margin rate of the first risk tier (BTCUSDT's 0.5 %), applied to every contract.
MAINTENANCE_RATE = Decimal("0.005")
_FEE_QUANT = Decimal("1e-8")
_CATEGORIES = ("linear", "inverse", "spot", "option")
#: Option trading fee: a rate of the underlying's price per contract, capped at a share of the
#: premium (Bybit's published option fee rule: 0.03 % taker/maker, cap 7 %). UNCONFIRMED figures.
OPTION_FEE_RATE = Decimal("0.0003")
OPTION_FEE_CAP = Decimal("0.07")


from .parameters import not_modelled


class Engine:
    """All market state shared by every account: instruments, prices, the order book of record."""

    def __init__(self, instruments: dict[tuple[str, str], Instrument], prices: dict[str, Decimal], ids: Ids) -> None:
        self.instruments = instruments
        self.prices = prices
        #: Mark and index prices pinned by a test; unpinned, they follow the last price.
        self.marks: dict[str, Decimal] = {}
        self.indexes: dict[str, Decimal] = {}
        self.funding_rates: dict[str, Decimal] = {}
        self.ids = ids
        self.accounts: dict[int, Account] = {}
        self.orders: list[Order] = []
        self.trades: dict[str, deque[dict[str, Any]]] = {}
        self.max_active_orders = 500
        self.max_conditional_orders = 10
        self.fee_rates: dict[str, tuple[Decimal, Decimal]] = {
            c: (Decimal(t), Decimal(m)) for c, (t, m) in facts.FEE_RATES.items()
        }
        self.fee_rates.setdefault("option", (OPTION_FEE_RATE, OPTION_FEE_RATE))
        self._seq = 0

    # --- lookups ---------------------------------------------------------------------------

    def instrument(self, category: Any, symbol: Any) -> Instrument:
        if category not in _CATEGORIES:
            raise param_error()
        inst = self.instruments.get((category, symbol))
        if inst is None:
            raise param_error("symbol")
        return inst

    def price(self, symbol: str) -> Decimal:
        return self.prices[symbol]

    def mark(self, symbol: str) -> Decimal:
        return self.marks.get(symbol) or self.prices[symbol]

    def index(self, symbol: str) -> Decimal:
        return self.indexes.get(symbol) or self.prices[symbol]

    def funding_rate(self, symbol: str) -> Decimal:
        return self.funding_rates.get(symbol, Decimal("0.0001"))

    def leverage(self, account: Account, symbol: str) -> Decimal:
        return account.leverage.get(symbol, DEFAULT_LEVERAGE)

    def find_order(self, account: Account, category: str, params: dict[str, Any]) -> Order:
        order_id = params.get("orderId") or ""
        link_id = params.get("orderLinkId") or ""
        if not order_id and not link_id:
            raise param_error()
        order = account.orders.get(order_id) if order_id else account.link_ids.get(link_id)
        if order is None or order.category != category or (params.get("symbol") not in (None, order.symbol)):
            raise BybitError(170213 if category == "spot" else 110001)
        return order

    # --- placing ---------------------------------------------------------------------------

    def place(self, account: Account, params: dict[str, Any], now_ms: int) -> Order:
        category = params.get("category")
        inst = self.instrument(category, params.get("symbol"))
        ref = self.price(inst.symbol)
        trigger = conditional.parse_trigger(self, inst, params)
        # A conditional order is judged at its trigger price: that is where it will enter.
        spec = parse_order(inst, params, trigger.price if trigger else ref)
        tpsl = conditional.parse_tpsl(self, inst, params, spec.side, spec.price or (trigger.price if trigger else ref))
        if spec.order_link_id and spec.order_link_id in account.link_ids:
            raise BybitError(110072)
        if inst.category == "spot":
            idx = 0
            if trigger is None:
                self._check_spot_funds(account, inst, spec, ref)
        else:
            idx = self._position_idx(account, inst, spec.position_idx)
            resting = account.open_orders(inst.category, inst.symbol)
            if trigger is not None:
                # Conditional orders have their own cap (bybit-v5.md D.4: 10 per symbol).
                if sum(o.status == "Untriggered" for o in resting) >= self.max_conditional_orders:
                    raise BybitError(110009, "The number of stop orders exceeds maximum limit allowed")
            elif sum(o.status != "Untriggered" for o in resting) >= self.max_active_orders:
                raise BybitError(110020, facts.RET_MESSAGES[110020].replace("500", str(self.max_active_orders)))
            if trigger is not None:
                pass  # no margin is held until it triggers; checked then
            elif inst.is_option:
                self._check_option_order(account, inst, spec, ref)
            else:
                self._check_contract_order(account, inst, spec, idx, ref)
        order = Order(
            order_id=self.ids.numeric() if inst.category == "spot" else self.ids.uuid(),
            order_link_id=spec.order_link_id,
            uid=account.uid,
            category=inst.category,
            symbol=inst.symbol,
            side=spec.side,
            order_type=spec.order_type,
            qty=spec.qty,
            price=spec.price,
            time_in_force=spec.time_in_force,
            position_idx=idx,
            reduce_only=spec.reduce_only,
            close_on_trigger=spec.close_on_trigger,
            created_ms=now_ms,
            last_price_on_created=ref,
            market_unit=spec.market_unit,
            take_profit=tpsl.take_profit if tpsl else None,
            stop_loss=tpsl.stop_loss if tpsl else None,
            is_leverage=spec.is_leverage,
        )
        if tpsl is not None:
            order.tp_trigger_by = tpsl.tp_trigger_by if tpsl.take_profit else ""
            order.sl_trigger_by = tpsl.sl_trigger_by if tpsl.stop_loss else ""
            order.tpsl_mode = tpsl.mode
        if trigger is not None:
            order.trigger_price, order.trigger_direction, order.trigger_by = trigger.price, trigger.direction, trigger.by
            order.stop_order_type = "tpslOrder" if params.get("orderFilter") == "tpslOrder" else "Stop"
            order.status = "Untriggered"
        self.add_order(account, order)
        if trigger is None:
            self._on_entry(account, inst, order, now_ms)
        return order

    def add_order(self, account: Account, order: Order) -> None:
        account.orders[order.order_id] = order
        if order.order_link_id:
            account.link_ids[order.order_link_id] = order
        self.orders.append(order)

    def _position_idx(self, account: Account, inst: Instrument, idx: int | None) -> int:
        if account.position_mode(inst.symbol) == 3:
            if idx not in (1, 2):
                raise param_error("position_idx")
            return idx
        if idx not in (None, 0):
            raise param_error("position_idx")
        return 0

    def _reducible(self, account: Account, inst: Instrument, side: str, idx: int) -> Decimal:
        """How much of an order on ``side`` would reduce the position it lands on."""
        pos = account.positions.get((inst.symbol, idx))
        if pos is None or not pos.size:
            return ZERO
        return pos.size if pos.side != side else ZERO

    def _check_contract_order(self, account: Account, inst: Instrument, spec: OrderSpec, idx: int, ref: Decimal) -> None:
        reducible = self._reducible(account, inst, spec.side, idx)
        closing = spec.reduce_only or (idx in (1, 2) and spec.side != ("Buy" if idx == 1 else "Sell"))
        if closing:
            if not reducible:
                raise BybitError(110017)
            if spec.qty > reducible:
                spec.qty = reducible  # Bybit trims a reduce-only order to the position
            return
        opening = max(ZERO, spec.qty - reducible)
        if not opening:
            return
        px = spec.price or ref
        lev = self.leverage(account, inst.symbol)
        taker = self.fee_rates[inst.category][0]
        if inst.is_inverse:
            cost = opening / px / lev + opening / px * taker
        else:
            cost = opening * px / lev + opening * px * taker
        if cost > self.available(account, inst.settle_coin):
            raise BybitError(110007)

    def _long_option_room(self, account: Account, inst: Instrument, exclude: Order | None = None) -> Decimal:
        """How much may still be sold: the long size less the open Sell orders' leaves."""
        pos = account.positions.get((inst.symbol, 0))
        size = pos.size if pos is not None and pos.side == "Buy" else ZERO
        selling = sum(
            (o.leaves_qty for o in account.open_orders("option", inst.symbol) if o.side == "Sell" and o is not exclude),
            ZERO,
        )
        return size - selling

    def option_fee(self, inst: Instrument, qty: Decimal, px: Decimal, rate: Decimal) -> Decimal:
        underlying = self.prices.get(inst.base_coin + "USDT", ZERO)
        return _fee(min(qty * underlying * rate, qty * px * OPTION_FEE_CAP))

    def _check_option_order(self, account: Account, inst: Instrument, spec: OrderSpec, ref: Decimal) -> None:
        """Long options only: a Buy pays its premium, a Sell may only close a long.

        Selling to open needs option margin (IM/MM from the underlying and the mark), which the
        fake does not simulate, so it is refused explicitly instead of being mis-priced.
        """
        if spec.side == "Sell":
            room = self._long_option_room(account, inst)
            if spec.reduce_only and room <= 0:
                raise BybitError(110017)
            if spec.qty > room:
                raise not_modelled("selling an option to open a short position (option margin)")
            return
        if spec.reduce_only:
            raise BybitError(110017)
        px = spec.price or ref
        cost = spec.qty * px + self.option_fee(inst, spec.qty, px, self.fee_rates["option"][0])
        if cost > self.available(account, inst.settle_coin):
            raise BybitError(110007)

    def _check_spot_funds(self, account: Account, inst: Instrument, spec: OrderSpec, ref: Decimal) -> None:
        if spec.side == "Buy":
            coin = inst.quote_coin
            need = spec.qty if spec.market_unit == "quoteCoin" else spec.qty * (spec.price or ref)
        else:
            coin = inst.base_coin
            need = spec.qty / ref if spec.market_unit == "quoteCoin" else spec.qty
        if need > self.available(account, coin):
            raise BybitError(170131)

    def _on_entry(self, account: Account, inst: Instrument, order: Order, now_ms: int) -> None:
        ref = self.price(inst.symbol)
        if order.order_type == "Market":
            self._fill(account, inst, order, order.leaves_qty, ref, maker=False, now_ms=now_ms)
            return
        assert order.price is not None
        crosses = order.price >= ref if order.side == "Buy" else order.price <= ref
        if crosses and order.time_in_force == "PostOnly":
            self._close(order, "Cancelled", now_ms, reject="EC_PostOnlyWillTakeLiquidity")
        elif crosses:
            self._fill(account, inst, order, order.leaves_qty, ref, maker=False, now_ms=now_ms)
        elif order.time_in_force in ("IOC", "FOK"):
            self._close(order, "Cancelled", now_ms, reject="EC_NoImmediateQtyToFill")

    # --- amending and cancelling -----------------------------------------------------------

    def amend(self, account: Account, params: dict[str, Any], now_ms: int) -> Order:
        category = params.get("category")
        inst = self.instrument(category, params.get("symbol"))
        order = self.find_order(account, category, params)
        if not order.is_open:
            raise BybitError(170213 if category == "spot" else 110001)
        qty = dec(params.get("qty")) if params.get("qty") not in (None, "") else None
        price = dec(params.get("price")) if params.get("price") not in (None, "") else None
        if order.status == "Untriggered":
            return self._amend_untriggered(inst, order, params, qty, price, now_ms)
        if (qty is None and price is None) or order.order_type != "Limit":
            raise param_error()
        new_qty = qty if qty is not None else order.qty
        new_price = price if price is not None else order.price
        assert new_price is not None
        ref = self.price(inst.symbol)
        if inst.category == "spot":
            check_spot_limit(inst, order.side, new_qty, new_price, ref)
        elif inst.is_option:
            check_option(inst, new_qty, new_price)
            if order.side == "Sell" and new_qty - order.cum_exec_qty > self._long_option_room(account, inst, exclude=order):
                raise not_modelled("selling an option to open a short position (option margin)")
        else:
            check_contract(inst, order.side, "Limit", new_qty, new_price, ref)
        if new_qty <= order.cum_exec_qty:
            raise param_error()
        if new_qty == order.qty and new_price == order.price:
            raise param_error()
        order.qty, order.price, order.updated_ms = new_qty, new_price, now_ms
        self._on_entry(account, inst, order, now_ms)
        return order

    def _amend_untriggered(self, inst: Instrument, order: Order, params: dict[str, Any], qty: Decimal | None, price: Decimal | None, now_ms: int) -> Order:
        """A conditional order may move its trigger, qty and price before it triggers."""
        trigger = order.trigger_price
        if params.get("triggerPrice") not in (None, ""):
            moved = conditional.parse_trigger(
                self, inst, {"triggerPrice": params["triggerPrice"], "triggerDirection": order.trigger_direction, "triggerBy": params.get("triggerBy") or order.trigger_by}
            )
            if moved is None:
                raise param_error()
            trigger = moved.price
            order.trigger_by = moved.by
        if qty is None and price is None and trigger == order.trigger_price:
            raise param_error()
        new_qty = qty if qty is not None else order.qty
        new_price = price if price is not None else order.price
        assert trigger is not None
        if inst.category == "spot":
            if new_price is not None:
                check_spot_limit(inst, order.side, new_qty, new_price, trigger)
        else:
            check_contract(inst, order.side, order.order_type, new_qty, new_price if order.order_type == "Limit" else None, trigger)
        order.qty, order.trigger_price, order.updated_ms = new_qty, trigger, now_ms
        if order.order_type == "Limit":
            order.price = new_price
        return order

    def cancel(self, account: Account, params: dict[str, Any], now_ms: int) -> Order:
        category = params.get("category")
        self.instrument(category, params.get("symbol"))
        order = self.find_order(account, category, params)
        if not order.is_open:
            raise BybitError(170213 if category == "spot" else 110001)
        self._cancel(order, now_ms)
        return order

    def cancel_all(self, account: Account, params: dict[str, Any], now_ms: int) -> list[Order]:
        category = params.get("category")
        if category not in _CATEGORIES:
            raise param_error()
        symbol = params.get("symbol")
        base = params.get("baseCoin")
        settle = params.get("settleCoin")
        kinds = _CANCEL_FILTERS.get(params.get("orderFilter") or "")
        if kinds is None:
            raise BybitError(10001, "params error: orderFilter must be Order, StopOrder or tpslOrder")
        stop_type = params.get("stopOrderType")
        if stop_type not in (None, "", "Stop"):
            raise BybitError(10001, "params error: stopOrderType must be Stop")
        cancelled = []
        for order in account.open_orders(category, symbol):
            inst = self.instruments[(order.category, order.symbol)]
            if (base and inst.base_coin != base) or (settle and inst.settle_coin != settle):
                continue
            if (kinds != "*" and order.stop_order_type not in kinds) or (stop_type and order.stop_order_type != stop_type):
                continue
            self._cancel(order, now_ms)
            cancelled.append(order)
        return cancelled

    def _cancel(self, order: Order, now_ms: int, cancel: str = "CancelByUser") -> None:
        if order.status == "Untriggered":  # a conditional order cancelled before it triggered
            self._close(order, "Deactivated", now_ms, cancel=cancel)
            return
        partial = order.cum_exec_qty > 0 and order.category == "spot"
        self._close(order, "PartiallyFilledCanceled" if partial else "Cancelled", now_ms, cancel=cancel)

    @staticmethod
    def _close(order: Order, status: str, now_ms: int, cancel: str = "UNKNOWN", reject: str = "EC_NoError") -> None:
        order.status = status
        order.cancel_type = cancel
        order.reject_reason = reject
        order.updated_ms = now_ms

    # --- the market ------------------------------------------------------------------------

    def set_price(self, symbol: str, price: Decimal, now_ms: int) -> None:
        """Move the last price; resting limit orders it crosses fill at their own price (maker)."""
        self.prices[symbol] = price
        self.sweep(symbol, now_ms)

    def set_mark(self, symbol: str, price: Decimal, now_ms: int) -> None:
        self.marks[symbol] = price
        self.sweep(symbol, now_ms)

    def set_index(self, symbol: str, price: Decimal, now_ms: int) -> None:
        self.indexes[symbol] = price
        self.sweep(symbol, now_ms)

    def sweep(self, symbol: str, now_ms: int) -> None:
        """Everything a price move sets off, in the exchange's order: resting limit orders fill,
        conditional orders trigger, position TP/SL fire, positions past their liquidation price
        are liquidated."""
        price = self.prices[symbol]
        for account in list(self.accounts.values()):
            for order in account.open_orders(symbol=symbol):
                if order.status == "Untriggered" or order.order_type != "Limit" or order.price is None:
                    continue
                if (order.side == "Buy" and price <= order.price) or (order.side == "Sell" and price >= order.price):
                    inst = self.instruments[(order.category, order.symbol)]
                    self._fill(account, inst, order, order.leaves_qty, order.price, maker=True, now_ms=now_ms)
            for order in account.open_orders(symbol=symbol):
                if order.status == "Untriggered" and conditional.is_due(self, order):
                    self._trigger(account, order, now_ms)
            for (sym, _), pos in list(account.positions.items()):
                if sym != symbol:
                    continue
                inst = self.instruments[(pos.category, sym)]
                fired = conditional.fired_position_stop(self, inst, pos)
                if fired is not None:
                    self._close_position(account, inst, pos, fired[0], fired[1], now_ms)
        for account in list(self.accounts.values()):
            for (sym, _), pos in list(account.positions.items()):
                if sym == symbol and pos.size and not self.instruments[(pos.category, sym)].is_option:
                    self._maybe_liquidate(account, self.instruments[(pos.category, sym)], pos, now_ms)

    def _trigger(self, account: Account, order: Order, now_ms: int) -> None:
        """Untriggered -> Triggered -> a live order, checked now as a new one would be."""
        inst = self.instruments[(order.category, order.symbol)]
        order.status = "Triggered"
        order.updated_ms = now_ms
        ref = self.price(inst.symbol)
        try:
            if inst.category == "spot":
                self._check_spot_funds(account, inst, order, ref)  # type: ignore[arg-type]
            elif order.close_on_trigger and order.reduce_only:
                reducible = self._reducible(account, inst, order.side, order.position_idx)
                if not reducible:
                    raise BybitError(110017)
                order.qty = min(order.qty, reducible)
            else:
                self._check_contract_order(account, inst, order, order.position_idx, ref)  # type: ignore[arg-type]
        except BybitError:
            self._close(order, "Deactivated", now_ms, cancel="CancelByTpSlTsClear" if order.reduce_only else "UNKNOWN", reject="EC_NoError")
            return
        order.status = "New"
        self._on_entry(account, inst, order, now_ms)

    def _close_position(self, account: Account, inst: Instrument, pos: Position, kind: str, trigger: Decimal, now_ms: int) -> None:
        """A Full-mode TP or SL fired: a reduce-only Market order closes the whole position."""
        self._close_whole(
            account, inst, pos, now_ms, None, self.price(inst.symbol),
            trigger_price=trigger,
            trigger_direction=conditional.RISE if (pos.side == "Buy") == (kind == "TakeProfit") else conditional.FALL,
            trigger_by=pos.tp_trigger_by if kind == "TakeProfit" else pos.sl_trigger_by,
            stop_order_type=kind,
            tpsl_mode="Full",
        )

    def _close_whole(
        self, account: Account, inst: Instrument, pos: Position, now_ms: int, price: Decimal | None, fill_at: Decimal, **fields: Any
    ) -> None:
        """A reduce-only IOC Market order for the whole position, filled at once at ``fill_at``."""
        order = conditional.closing_order(self, account.uid, pos, pos.size, price, now_ms, **fields)
        self.add_order(account, order)
        self._fill(account, inst, order, order.qty, fill_at, maker=False, now_ms=now_ms)

    # --- liquidation -----------------------------------------------------------------------

    def liq_prices(self, account: Account, inst: Instrument, pos: Position) -> tuple[Decimal | None, Decimal | None]:
        """(liqPrice, bustPrice) of a position, on the tick; None where there is none."""
        return liquidation.prices(self, account, inst, pos)

    def _maybe_liquidate(self, account: Account, inst: Instrument, pos: Position, now_ms: int) -> None:
        liq, bust = self.liq_prices(account, inst, pos)
        if not liquidation.crossed(pos, self.mark(inst.symbol), liq):
            return
        assert bust is not None
        for order in account.open_orders(inst.category, inst.symbol):
            self._cancel(order, now_ms, cancel="CancelByLiq")
        self._close_whole(account, inst, pos, now_ms, bust, bust, exec_type="BustTrade")

    def fill(self, order: Order, qty: Decimal | None, price: Decimal | None, now_ms: int, maker: bool = True) -> None:
        """Fill ``qty`` (default: all that is left) of an open order, e.g. to make it PartiallyFilled."""
        if not order.is_open:
            raise ValueError(f"order {order.order_id} is {order.status}")
        inst = self.instruments[(order.category, order.symbol)]
        account = self.accounts[order.uid]
        px = price if price is not None else (order.price or self.price(order.symbol))
        self._fill(account, inst, order, qty if qty is not None else order.leaves_qty, px, maker, now_ms)

    def _fill(self, account: Account, inst: Instrument, order: Order, qty: Decimal, px: Decimal, maker: bool, now_ms: int) -> None:
        taker_rate, maker_rate = self.fee_rates[inst.category]
        rate = maker_rate if maker else taker_rate
        if inst.category == "spot":
            if order.quote_sized:
                base_qty = (qty / px).quantize(inst.qty_step, rounding=ROUND_DOWN)
            else:
                base_qty = qty
            value = base_qty * px
            if order.side == "Buy":
                fee = _fee(base_qty * rate)
                self._credit(account, inst.quote_coin, -value)
                self._credit(account, inst.base_coin, base_qty - fee)
                moves = ((inst.quote_coin, -value, ZERO), (inst.base_coin, base_qty, fee))
            else:
                fee = _fee(value * rate)
                self._credit(account, inst.base_coin, -base_qty)
                self._credit(account, inst.quote_coin, value - fee)
                moves = ((inst.base_coin, -base_qty, ZERO), (inst.quote_coin, value, fee))
            exec_qty = base_qty
            for coin, flow, coin_fee in moves:
                self.log_transaction(account, inst, order, coin, "TRADE", now_ms, qty=base_qty, px=px, cash_flow=flow, fee=coin_fee, rate=rate)
        elif inst.is_option:
            # Premium changes hands in the settle coin (USDC) at once; the position keeps the
            # entry for realised/unrealised PnL, which is therefore not credited again.
            value = qty * px
            fee = self.option_fee(inst, qty, px, rate)
            realised = self._apply_position(account, inst, order, qty, px, now_ms)
            self._credit(account, inst.settle_coin, (-value if order.side == "Buy" else value) - fee)
            pos = account.positions[(inst.symbol, order.position_idx)]
            pos.cum_realised += realised - fee
            pos.cur_realised += realised - fee
            exec_qty = qty
            self.log_transaction(account, inst, order, inst.settle_coin, "TRADE", now_ms, qty=qty, px=px, cash_flow=-value if order.side == "Buy" else value, fee=fee, rate=rate, size=pos.size)
        else:
            value = qty / px if inst.is_inverse else qty * px
            fee = _fee(value * rate)
            realised = self._apply_position(account, inst, order, qty, px, now_ms)
            self._credit(account, inst.settle_coin, realised - fee)
            pos = account.positions[(inst.symbol, order.position_idx)]
            pos.cum_realised += realised - fee
            pos.cur_realised += realised - fee
            exec_qty = qty
            kind = "LIQUIDATION" if order.exec_type == "BustTrade" else "TRADE"
            self.log_transaction(account, inst, order, inst.settle_coin, kind, now_ms, qty=qty, px=px, cash_flow=realised, fee=fee, rate=rate, size=pos.size)
            if (order.take_profit or order.stop_loss) and not order.reduce_only and pos.size and pos.side == order.side:
                self._attach_tpsl(account, order, pos, qty, now_ms)
        order.cum_exec_qty += exec_qty
        order.cum_exec_value += value
        order.cum_exec_fee += fee
        order.updated_ms = now_ms
        done = order.leaves_qty <= 0 or order.order_type == "Market" or order.quote_sized
        order.status = "Filled" if done else "PartiallyFilled"
        self._record_execution(account, inst, order, exec_qty, px, value, fee, rate, maker, now_ms)

    def _attach_tpsl(self, account: Account, order: Order, pos: Position, qty: Decimal, now_ms: int) -> None:
        """The TP/SL sent with an order take effect as it fills: on the position (Full) or as
        reduce-only conditional orders of the filled size (Partial)."""
        if order.tpsl_mode == "Partial":
            for kind, price, by in (("PartialTakeProfit", order.take_profit, order.tp_trigger_by), ("PartialStopLoss", order.stop_loss, order.sl_trigger_by)):
                if price:
                    self.add_order(account, conditional.partial_order(self, pos, account.uid, kind, price, qty, by or "LastPrice", now_ms))
            return
        if order.take_profit:
            pos.take_profit, pos.tp_trigger_by = order.take_profit, order.tp_trigger_by or "LastPrice"
        if order.stop_loss:
            pos.stop_loss, pos.sl_trigger_by = order.stop_loss, order.sl_trigger_by or "LastPrice"

    def _apply_position(self, account: Account, inst: Instrument, order: Order, qty: Decimal, px: Decimal, now_ms: int) -> Decimal:
        key = (inst.symbol, order.position_idx)
        pos = account.positions.get(key)
        if pos is None:
            pos = account.positions[key] = Position(inst.category, inst.symbol, order.position_idx, created_ms=now_ms)
        self._seq += 1
        pos.seq = self._seq
        pos.updated_ms = now_ms
        hedge_side = {1: "Buy", 2: "Sell"}.get(order.position_idx)
        if not pos.size or pos.side == order.side:
            if hedge_side and order.side != hedge_side:
                return ZERO
            pos.avg_price = _average(inst, pos.size, pos.avg_price, qty, px)
            pos.size += qty
            pos.side = order.side
            return ZERO
        closed = min(qty, pos.size)
        direction = 1 if pos.side == "Buy" else -1
        if inst.is_inverse:
            realised = (1 / pos.avg_price - 1 / px) * closed * direction
        else:
            realised = (px - pos.avg_price) * closed * direction
        self._record_closed_pnl(account, inst, order, pos, closed, px, realised, now_ms)
        pos.size -= closed
        rest = qty - closed
        if not pos.size:
            pos.side, pos.avg_price = "", ZERO
            # Full-mode TP/SL and a chosen risk tier go with the position, and so do Partial ones.
            pos.take_profit = pos.stop_loss = pos.trailing_stop = ZERO
            pos.risk_id = 0
            for other in account.open_orders(inst.category, inst.symbol):
                if other is not order and other.position_idx == pos.idx and other.stop_order_type in conditional.PARTIAL_KINDS:
                    self._close(other, "Deactivated", now_ms, cancel="CancelByTpSlTsClear")
        if rest and not hedge_side:  # one-way mode: the order flips the position
            pos.side, pos.size, pos.avg_price = order.side, rest, px
        return realised

    def _record_closed_pnl(self, account: Account, inst: Instrument, order: Order, pos: Position, closed: Decimal, px: Decimal, realised: Decimal, now_ms: int) -> None:
        account.closed_pnl.append(ledger.closed_pnl_row(inst, order, pos, closed, px, realised, self.leverage(account, inst.symbol), now_ms))

    def _record_execution(self, account: Account, inst: Instrument, order: Order, qty: Decimal, px: Decimal, value: Decimal, fee: Decimal, rate: Decimal, maker: bool, now_ms: int) -> None:
        self._seq += 1
        exec_id = self.ids.uuid()
        account.executions.append(
            {
                "symbol": order.symbol,
                "orderType": order.order_type,
                "underlyingPrice": "",
                "orderLinkId": order.order_link_id,
                "side": order.side,
                "indexPrice": "",
                "orderId": order.order_id,
                "stopOrderType": order.stop_order_type or "UNKNOWN",
                "leavesQty": fmt(order.leaves_qty),
                "execTime": str(now_ms),
                "feeCurrency": (inst.base_coin if order.side == "Buy" else inst.quote_coin) if inst.category == "spot" else "",
                "isMaker": maker,
                "execFee": fmt(fee),
                "feeRate": fmt(rate),
                "execId": exec_id,
                "tradeIv": "",
                "blockTradeId": "",
                "markPrice": inst.fmt_price(self.price(inst.symbol)),
                "execPrice": inst.fmt_price(px),
                "markIv": "",
                "orderQty": fmt(order.qty),
                "orderPrice": inst.fmt_price(order.price) if order.price else "0",
                "execValue": fmt(value),
                "execType": order.exec_type,
                "execQty": fmt(qty),
                "closedSize": "",
                "seq": self._seq,
                "category": inst.category,
            }
        )
        feed = self.trades.setdefault(inst.symbol, deque(maxlen=1000))
        feed.appendleft(
            {
                "execId": exec_id,
                "symbol": inst.symbol,
                "price": inst.fmt_price(px),
                "size": fmt(qty),
                "side": order.side,
                "time": str(now_ms),
                "isBlockTrade": False,
                "isRPITrade": False,
            }
        )

    def log_transaction(
        self, account: Account, inst: Instrument | None, order: Order | None, coin: str, kind: str, now_ms: int,
        *, qty: Decimal = ZERO, px: Decimal = ZERO, cash_flow: Decimal = ZERO, fee: Decimal = ZERO, rate: Decimal = ZERO, size: Decimal = ZERO,
    ) -> None:
        """One /v5/account/transaction-log row: what moved ``coin`` in the unified wallet and why."""
        self._seq += 1
        trade_id = self.ids.uuid() if order else ""
        account.transactions.append(
            ledger.transaction_row(
                f"{self._seq}_{account.uid}", inst, order, coin, kind, now_ms, trade_id, account.balances.get(coin, ZERO),
                qty=qty, px=px, cash_flow=cash_flow, fee=fee, rate=rate, size=size,
            )
        )

    @staticmethod
    def _credit(account: Account, coin: str, amount: Decimal) -> None:
        account.balances[coin] = account.balances.get(coin, ZERO) + amount

    # --- positions and leverage ------------------------------------------------------------

    def set_leverage(self, account: Account, params: dict[str, Any]) -> None:
        inst = self.instrument(params.get("category"), params.get("symbol"))
        if inst.category == "spot":
            raise param_error()
        if inst.is_option:
            raise not_modelled("leverage on options")
        buy = dec(params.get("buyLeverage"))
        sell = dec(params.get("sellLeverage"))
        if buy is None or sell is None:
            raise param_error()
        if account.position_mode(inst.symbol) == 0 and buy != sell:
            raise param_error()
        for lev in (buy, sell):
            if lev < inst.min_leverage or lev > inst.max_leverage or lev % inst.leverage_step:
                raise param_error()
        if buy == self.leverage(account, inst.symbol):
            raise BybitError(110043)
        account.leverage[inst.symbol] = buy

    def switch_mode(self, account: Account, params: dict[str, Any]) -> None:
        category = params.get("category")
        if category not in ("linear", "inverse"):
            raise param_error()
        try:
            mode = as_int(params.get("mode"))
        except ValueError:
            raise param_error() from None
        if mode not in (0, 3):
            raise param_error()
        if params.get("symbol"):
            targets = [self.instrument(category, params["symbol"])]
        elif params.get("coin"):
            targets = [i for (c, _), i in self.instruments.items() if c == category and i.settle_coin == params["coin"]]
        else:
            raise param_error()
        if all(account.position_mode(i.symbol) == mode for i in targets):
            raise BybitError(110025)
        for inst in targets:
            if any(p.size for (s, _), p in account.positions.items() if s == inst.symbol):
                raise BybitError(110024)
            if account.open_orders(category, inst.symbol):
                raise BybitError(110028)
        for inst in targets:
            if mode == 3:
                account.hedge_symbols.add(inst.symbol)
            else:
                account.hedge_symbols.discard(inst.symbol)

    def trading_stop(self, account: Account, params: dict[str, Any], now_ms: int) -> None:
        conditional.trading_stop(self, account, params, now_ms)

    # --- derived views ---------------------------------------------------------------------

    def unrealised(self, inst: Instrument, pos: Position) -> Decimal:
        if not pos.size:
            return ZERO
        mark = self.mark(inst.symbol)
        direction = 1 if pos.side == "Buy" else -1
        if inst.is_inverse:
            return (1 / pos.avg_price - 1 / mark) * pos.size * direction
        return (mark - pos.avg_price) * pos.size * direction

    def position_margin(self, account: Account, inst: Instrument, pos: Position) -> Decimal:
        if not pos.size or inst.is_option:  # a long option's premium is paid: no margin
            return ZERO
        lev = self.leverage(account, inst.symbol)
        return pos.size / pos.avg_price / lev if inst.is_inverse else pos.size * pos.avg_price / lev

    def locked(self, account: Account, coin: str) -> tuple[Decimal, Decimal]:
        """(order margin, spot funds on hold) in ``coin`` for open orders."""
        order_im = spot_hold = ZERO
        for order in account.open_orders():
            if order.status == "Untriggered":
                continue
            inst = self.instruments[(order.category, order.symbol)]
            leaves = order.leaves_qty
            if order.category == "spot":
                if order.side == "Buy" and inst.quote_coin == coin and order.price is not None:
                    spot_hold += leaves * order.price
                elif order.side == "Sell" and inst.base_coin == coin:
                    spot_hold += leaves
            elif inst.is_option:
                if inst.settle_coin == coin and order.side == "Buy" and order.price is not None:
                    order_im += leaves * order.price  # the premium a resting Buy would pay
            elif inst.settle_coin == coin and not order.reduce_only and order.price is not None:
                lev = self.leverage(account, inst.symbol)
                order_im += leaves / order.price / lev if inst.is_inverse else leaves * order.price / lev
        return order_im, spot_hold

    def coin_view(self, account: Account, coin: str) -> dict[str, Decimal]:
        wallet = account.balances.get(coin, ZERO)
        upl = position_im = position_mm = cum_realised = options_value = ZERO
        for (symbol, _), pos in account.positions.items():
            inst = self.instruments.get((pos.category, symbol))
            if inst is None or inst.settle_coin != coin:
                continue
            if inst.is_option:
                # Equity counts a long option at its mark value (premium already left the wallet).
                options_value += self.price(symbol) * pos.size if pos.side == "Buy" else ZERO
                cum_realised += pos.cum_realised
                continue
            upl += self.unrealised(inst, pos)
            im = self.position_margin(account, inst, pos)
            position_im += im
            position_mm += liquidation.maintenance_margin(inst, pos)
            cum_realised += pos.cum_realised
        order_im, spot_hold = self.locked(account, coin)
        return {
            "wallet": wallet,
            "upl": upl,
            "position_im": position_im,
            "position_mm": position_mm,
            "order_im": order_im,
            "locked": spot_hold,
            "equity": wallet + upl + options_value,
            "available": wallet + upl - position_im - order_im - spot_hold,
            "cum_realised": cum_realised,
        }

    def available(self, account: Account, coin: str) -> Decimal:
        return self.coin_view(account, coin)["available"]

    def usd_price(self, coin: str) -> Decimal:
        if coin in ("USDT", "USDC", "USD"):
            return Decimal(1)
        for symbol in (coin + "USDT", coin + "USD"):
            if symbol in self.prices:
                return self.prices[symbol]
        return ZERO

    def coins_of(self, account: Account) -> Iterable[str]:
        coins = [c for c, v in account.balances.items() if v]
        for (symbol, _), pos in account.positions.items():
            inst = self.instruments.get((pos.category, symbol))
            if inst and pos.size and inst.settle_coin not in coins:
                coins.append(inst.settle_coin)
        return coins


#: orderFilter of cancel-all -> the stopOrderType values it cancels ("*": all).
_CANCEL_FILTERS: dict[str, Any] = {
    "": "*",
    "Order": ("",),
    "StopOrder": ("Stop",),
    "tpslOrder": ("TakeProfit", "StopLoss", "PartialTakeProfit", "PartialStopLoss"),
}


def _fee(amount: Decimal) -> Decimal:
    return amount.quantize(_FEE_QUANT, rounding=ROUND_HALF_UP)


def _average(inst: Instrument, size: Decimal, avg: Decimal, qty: Decimal, px: Decimal) -> Decimal:
    if not size:
        return px
    if inst.is_inverse:  # contracts are USD: the entry is the harmonic mean
        return (size + qty) / (size / avg + qty / px)
    return (avg * size + px * qty) / (size + qty)
