"""A lithography R&D project ready for payments, shared by the ledger tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from chain_client.chain.accounts import AliasTarget
from chain_client.contracts import Ledger, Registry, Token
from chain_client.session import Session
from chain_client.units import to_bytes32

P = to_bytes32("LITHO-14")
MATERIALS = to_bytes32("MATERIALS")
EQUIPMENT = to_bytes32("EQUIPMENT")
CREATOR = keccak(text="CREATOR_ROLE")
REVIEWER = keccak(text="REVIEWER_ROLE")
FINANCIER = keccak(text="FINANCIER_ROLE")
TRIGGER = keccak(text="TRIGGER_ROLE")
ALIASES = {
    "gov_fund": 5,
    "bank": 6,
    "chipco": 7,
    "resist_a": 8,
    "resist_b": 9,
    "team": 10,
    "financier": 11,
    "stranger": 12,
}

SPEC: dict[str, Any] = {
    "id": "LITHO-14",
    "owner": "chipco",
    "budget": {"MATERIALS": "12000000.00", "EQUIPMENT": "9000000.00"},
    "milestones": [
        {"stage": "RESEARCH", "amount": "8000000.00"},
        {"stage": "PILOT", "amount": "13000000.00"},
    ],
    "dual_control": "2000000.00",
}


@dataclass
class Litho:
    session: Session
    ledger: Ledger
    token: Token
    registry: Registry

    def a(self, alias: str) -> str:
        return self.session.accounts.resolve(alias)

    def pay(
        self,
        amount: int,
        to: str = "resist_a",
        category: str = "MATERIALS",
        milestone: int = 0,
        **extra: Any,
    ) -> Any:
        return self.ledger.disburse(
            "LITHO-14",
            {"to": to, "amount": amount, "category": category, "milestone": milestone, **extra},
        )


def setup_litho(
    session: Session,
    *,
    spec: dict[str, Any] | None = None,
    funding: int = 21_000_000_00,
    approve_first: bool = True,
) -> Litho:
    for name, index in ALIASES.items():
        session.accounts.add(name, AliasTarget(index=index))
    token, registry, ledger = Token(session), Registry(session), Ledger(session)
    token.mint("gov_fund", 30_000_000_00)
    token.mint("bank", 10_000_000_00)
    registry.register("resist_a", "Resist A", ["ARF_RESIST"], 8_000_000_00)
    registry.register("resist_b", "Resist B", ["ARF_RESIST"], 5_000_000_00)
    ledger.create_project(spec or SPEC)
    if funding:
        ledger.fund("LITHO-14", funding, funder="gov_fund")
    if approve_first:
        ledger.approve_milestone("LITHO-14", 0, "phase-1 report")
    return Litho(session, ledger, token, registry)
