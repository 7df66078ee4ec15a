"""Token holdings of scf's contracts checked against what their own books say they hold.

The ledger must hold exactly the sum of its projects' balances, the pool its idle cash, and
the financing contract nothing between transactions. Tokens sent straight to a contract
outside any function show up as unattributed surplus: a finding of its own, not a broken
book. (The full audit rebuilds these books from events; this check reads contract state.)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ..contracts import Ledger, Pool, Token
from ..models import Amount
from ..session import Session


class Holding(BaseModel):
    model_config = ConfigDict(frozen=True)

    contract: str
    expected: Amount
    held: Amount
    surplus: Amount
    ok: bool


def check_holdings(session: Session) -> list[Holding]:
    """Per contract: what its books say it holds, what it holds, and the difference."""
    token, ledger, pool = Token(session), Ledger(session), Pool(session)
    deployment = session.deployment()
    books = {
        "FundLedger": sum(ledger.project(p).balance for p in ledger.project_ids()),
        "FinancingPool": pool.status().idle,
        "SubstituteFinancing": 0,
    }
    out = []
    for name, expected in books.items():
        held = token.balance_of(deployment.address(name))
        out.append(
            Holding(
                contract=name,
                expected=expected,
                held=held,
                surplus=max(held - expected, 0),
                ok=held >= expected,
            )
        )
    return out
