"""The live demo: a store at work while the scheduled DAGs run.

Every `tick` seconds a background thread makes ERP changes (`vtex_demo.erp_changes`), places
orders in the sandbox (admin API ``POST /_sandbox/orders``) and lets the ERP answer the orders
the feed brought in (`vtex_demo.erp_simulator`: order codes, invoices, tracking, an order
change now and then, cancellations). It prints one line per tick that did something; an error
is printed and the next tick tries again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import requests

from vtex_demo.erp_changes import CatalogChanges
from vtex_demo.erp_simulator import ErpSimulator
from vtex_sync.erp.sql import SqlErp


class LiveDemo:
    """Runs the ERP and the shoppers of the demo store until `stop()`."""

    def __init__(
        self,
        erp_url: str,
        sandbox_url: str,
        sandbox_headers: Mapping[str, str],
        *,
        seed: int = 1,
        tick: float = 20.0,
        orders_per_tick: int = 1,
        report: Callable[[str], None] = print,
    ) -> None:
        self.erp = SqlErp(erp_url)
        self.changes = CatalogChanges(self.erp, seed=seed)
        self.simulator = ErpSimulator(self.erp, seed=seed, invoice_after=timedelta(minutes=1),
                                      ship_after=timedelta(minutes=2), tracking_every=timedelta(minutes=2),
                                      change_rate=0.25, cancel_rate=0.15)
        self.sandbox_url = sandbox_url
        self.headers = dict(sandbox_headers)
        self.tick = tick
        self.orders_per_tick = orders_per_tick
        self.report = report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="live-demo", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self.erp.engine.dispose()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.report(self.step(datetime.now(UTC)))
            except Exception as error:  # the demo goes on; the next tick tries again
                self.report(f"   live demo: tick failed: {error}")
            self._stop.wait(self.tick)

    def step(self, now: datetime) -> str:
        """One tick: ERP changes, new orders, the ERP's answers. Returns the line it prints."""
        changes = self.changes.step(now)
        orders = self.place_orders()
        answers = {k: v for k, v in self.simulator.step(now).items() if v}
        parts = [", ".join(f"{n} {k}" for k, n in changes.items() if n)]
        parts.append(f"{orders} new order(s) in the sandbox" if orders else "")
        if answers:
            parts.append("ERP answered: " + ", ".join(f"{n} {k}" for k, n in answers.items()))
        return "   live demo: " + "; ".join(p for p in parts if p)

    def place_orders(self) -> int:
        if self.orders_per_tick <= 0:
            return 0
        response = requests.post(f"{self.sandbox_url}/_sandbox/orders", headers=self.headers,
                                 json={"count": self.orders_per_tick}, timeout=30)
        response.raise_for_status()
        return len(response.json().get("orderIds", []))
