"""LITHO-14 with a funded pool and photoresist substitutes, for the financing tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chain_client.chain.accounts import AliasTarget
from chain_client.contracts import Financing, Pool
from chain_client.session import Session
from tests.contracts.ledger_fixtures import Litho, setup_litho

PART = "ARF_RESIST"
SUBSTITUTES = {"sub_hi": (13, 900), "sub_mid": (14, 750), "sub_lo": (15, 650)}


@dataclass
class World:
    litho: Litho
    financing: Financing
    pool: Pool
    issued: int = 0

    @property
    def session(self) -> Session:
        return self.litho.session

    def a(self, alias: str) -> str:
        return self.litho.a(alias)

    def order(
        self,
        value: int = 3_000_000_00,
        supplier: str = "resist_a",
        *,
        approve: bool = True,
        **extra: Any,
    ) -> int:
        """Register an order under the next purchase-order number; one at or above the
        dual-control threshold (2,000,000.00) is approved by the reviewer unless `approve`
        is false."""
        self.issued += 1
        spec = {
            "project": "LITHO-14",
            "po": f"PO-{self.issued}",
            "part": PART,
            "supplier": supplier,
            "value": value,
            "category": "MATERIALS",
            "milestone": 0,
            "due": "90d",
            **extra,
        }
        order = self.financing.register_order(spec)[1]
        if approve and self.financing.order(order).status == "Pending":
            self.financing.approve_order(order)
        return order

    def deliver(self, order: int, *, accept: bool = True) -> None:
        """The order's current supplier records delivery; the owner accepts it."""
        self.financing.record_delivery(order, "delivery note")
        if accept:
            self.financing.accept_delivery(order)

    def policy(self, **changes: Any) -> None:
        self.financing.set_policy(changes)

    def total_assets(self, block: int | str = "latest") -> int:
        return int(self.pool.contract.functions.totalAssets().call(block_identifier=block))


def setup_world(
    session: Session,
    *,
    substitutes: dict[str, tuple[int, int]] | None = None,
    pool_cash: int = 10_000_000_00,
    qualify: bool = True,
) -> World:
    litho = setup_litho(session)
    registry = litho.registry
    registry.rate("resist_a", 820)
    registry.rate("resist_b", 710)
    for name, (index, score) in (substitutes if substitutes is not None else SUBSTITUTES).items():
        session.accounts.add(name, AliasTarget(index=index))
        registry.register(name, name, [PART], 8_000_000_00)
        registry.rate(name, score)
        if qualify:
            registry.qualify(PART, "30d", supplier=name)
    pool = Pool(session)
    if pool_cash:
        pool.deposit(pool_cash, by="bank")
    return World(litho, Financing(session), pool)
