"""The financing pool: bank deposits and withdrawals, and its numbers."""

from __future__ import annotations

from decimal import Decimal

from ..errors import InputError
from ..models import TxResult
from ..orders import PoolStatus
from .base import Bound
from .token import Token

#: OpenZeppelin's virtual-share offset used by the pool (shares have 3 more decimals).
DECIMALS_OFFSET = 3


class Pool(Bound):
    """The deployment's FinancingPool (ERC-4626)."""

    artifact = "FinancingPool"

    def deposit(self, amount: int, *, by: str) -> list[TxResult]:
        """Approve the pool for `amount`, then deposit it for `by` (two transactions)."""
        fn = self.contract.functions.deposit(amount, self.resolve(by))
        return Token(self.session).spend(
            self.address, amount, sender=by, then=lambda: self.session.transact(fn, by)[0]
        )

    def withdraw(self, amount: int, *, by: str) -> TxResult:
        """Withdraw `amount` of the token to `by` (limited to idle cash)."""
        if amount <= 0:
            raise InputError("the amount must be above 0")
        owner = self.resolve(by)
        return self.session.transact(self.contract.functions.withdraw(amount, owner, owner), by)[0]

    def shares_of(self, who: str) -> int:
        return int(self.session.call(self.contract.functions.balanceOf(self.resolve(who))))

    def assets_of(self, who: str) -> int:
        shares = self.shares_of(who)
        return int(self.session.call(self.contract.functions.convertToAssets(shares)))

    def share_price(self) -> Decimal:
        """Token per whole share, as OpenZeppelin's virtual-share arithmetic values it."""
        f = self.contract.functions
        assets = int(self.session.call(f.totalAssets()))
        supply = int(self.session.call(f.totalSupply()))
        offset = 10**DECIMALS_OFFSET
        return Decimal(assets + 1) * offset / Decimal(supply + offset)

    def status(self) -> PoolStatus:
        f = self.contract.functions
        supply = int(self.session.call(f.totalSupply()))
        return PoolStatus(
            total_assets=self.session.call(f.totalAssets()),
            idle=self.session.call(f.idle()),
            outstanding_principal=self.session.call(f.outstandingPrincipal()),
            accrued_interest=self.session.call(f.accruedInterest()),
            total_shares=str(Decimal(supply) / Decimal(10 ** (2 + DECIMALS_OFFSET))),
            share_price=f"{self.share_price():.10f}",
        )
