"""The settlement token: balances, mint (test chains), approve and transfer."""

from __future__ import annotations

from collections.abc import Callable

from eth_typing import ChecksumAddress

from ..errors import InputError, ScfError
from ..models import TxResult
from ..units import format_amount
from .base import Bound


class Token(Bound):
    """The deployment's settlement token (SettlementToken, or an existing ERC-20)."""

    artifact = "SettlementToken"

    def symbol(self) -> str:
        return str(self.session.call(self.contract.functions.symbol()))

    def balance_of(self, who: str) -> int:
        return int(self.session.call(self.contract.functions.balanceOf(self.resolve(who))))

    def allowance(self, owner: str, spender: str) -> int:
        fn = self.contract.functions.allowance(self.resolve(owner), self.resolve(spender))
        return int(self.session.call(fn))

    def mint(self, to: str, amount: int, *, sender: str = "admin") -> TxResult:
        """Create `amount` for `to`; the sender needs the minter role."""
        _positive(amount)
        return self.session.transact(
            self.contract.functions.mint(self.resolve(to), amount), sender
        )[0]

    def transfer(self, to: str, amount: int, *, sender: str) -> TxResult:
        _positive(amount)
        fn = self.contract.functions.transfer(self.resolve(to), amount)
        return self.session.transact(fn, sender)[0]

    def approve(self, spender: str | ChecksumAddress, amount: int, *, sender: str) -> TxResult:
        fn = self.contract.functions.approve(self.resolve(spender), amount)
        return self.session.transact(fn, sender)[0]

    def spend(
        self,
        spender: str | ChecksumAddress,
        amount: int,
        *,
        sender: str,
        then: Callable[[], TxResult],
    ) -> list[TxResult]:
        """Approve `spender` for `amount` of `sender`'s tokens, then run `then` (the call that
        pulls them). The balance is checked before anything is sent; if `then` is refused,
        the allowance is put back as it was, so a refused payment leaves no approval behind."""
        _positive(amount)
        have = self.balance_of(sender)
        if have < amount:
            raise InputError(
                f"{self.session.name_of(self.resolve(sender))} holds "
                f"{format_amount(have, grouping=True)}; {format_amount(amount, grouping=True)} "
                "needed"
            )
        before = self.allowance(sender, spender)
        approval = self.approve(spender, amount, sender=sender)
        try:
            return [approval, then()]
        except ScfError:
            self.approve(spender, before, sender=sender)
            raise


def _positive(amount: int) -> None:
    """A zero amount would mine a transaction that changes nothing: refused before sending."""
    if amount <= 0:
        raise InputError("the amount must be above 0")
