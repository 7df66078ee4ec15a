"""Found by a red-team review of the FundLedger storage layout (`free`/`spent` packed per
project, a line's and a milestone's spent derived from what is left, amounts bounded by
MAX_AMOUNT = 2**120 - 1). Each test failed before its fix."""

from __future__ import annotations

import pytest

from chain_client.errors import ContractRevert
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.contracts.ledger_fixtures import (
    EQUIPMENT,
    FINANCIER,
    MATERIALS,
    Litho,
    P,
    setup_litho,
)

MAX_AMOUNT = 2**120 - 1
NO_INVOICE = bytes(32)


def unbacked_recovery(litho: Litho, amount: int) -> None:
    """A FINANCIER_ROLE holder records on resist_b a recovery of `amount` against a
    MATERIALS / milestone 0 reservation that paid nothing (reserved, then released), and
    resist_b repays it if the ledger takes the repayment."""
    session, f = litho.session, litho.ledger.contract.functions
    session.transact(f.grantRole(FINANCIER, litho.a("financier")), "admin")
    session.transact(f.reserve(P, 7, MATERIALS, 0, 1_000_00), "financier")
    session.transact(f.release(P, 7), "financier")
    session.transact(f.recordRecovery(P, 7, litho.a("resist_b"), amount), "financier")
    litho.token.mint("resist_b", amount)
    # the repayment would restore more of the line than was spent on it: refused
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.repay_recovery("LITHO-14", "resist_b", amount, by="resist_b")
    assert (excinfo.value.error_name, excinfo.value.arguments) == ("Panic", {"code": 0x11})
    assert litho.ledger.contract.functions.recoveryOwed(P, litho.a("resist_b")).call() == amount


# 1. a recovery repaid beyond what its line and milestone spent --------------------------


def test_a_recovery_repaid_beyond_its_lines_spend_never_breaks_the_views_or_the_line(
    litho: Litho,
) -> None:
    unbacked_recovery(litho, 500_00)
    f = litho.ledger.contract.functions
    # views must not revert (they do: cap - left - reserved underflows)
    for _, cap, spent, reserved in f.budgetLines(P).call():
        assert spent + reserved <= cap
    for _, tranche, spent, reserved, _, _ in f.milestones(P).call():
        assert spent + reserved <= tranche
    # and the line stays payable (it is not: `_flagLine(cap - line.left)` panics)
    litho.pay(1_00)


def test_a_recovery_repaid_beyond_its_milestones_spend_never_lifts_the_tranche(
    litho: Litho,
) -> None:
    unbacked_recovery(litho, 500_00)
    f = litho.ledger.contract.functions
    tranche = 8_000_000_00  # milestone 0, nothing spent on it yet
    over = tranche + 500_00
    litho.session.transact(
        f.approvePayment(P, litho.a("resist_a"), over, EQUIPMENT, 0, NO_INVOICE), "reviewer"
    )
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(
            f.disburse(P, litho.a("resist_a"), over, EQUIPMENT, 0, NO_INVOICE, ""), "chipco"
        )
    assert excinfo.value.error_name == "LedgerTrancheExhausted"


# 2. totals past 2**256 are a panic, not LedgerAmountTooLarge -----------------------------


def test_a_cap_whose_budget_overflows_is_refused_as_too_large(session: Session) -> None:
    litho = setup_litho(session, funding=0, approve_first=False)
    spec = (
        to_bytes32("NEW-1"),
        litho.a("chipco"),
        [MATERIALS, EQUIPMENT],
        [1, 2**256 - 1],
        [0, 1],
        [1, 0],
        (0, 0, 0, 0),
        True,
    )
    with pytest.raises(ContractRevert) as excinfo:
        session.transact(litho.ledger.contract.functions.createProject(spec), "admin")
    assert excinfo.value.error_name == "LedgerAmountTooLarge"  # got Panic(0x11)
    assert excinfo.value.arguments["max"] == MAX_AMOUNT


def test_funding_whose_total_overflows_is_refused_as_too_large(litho: Litho) -> None:
    approve = litho.token.contract.functions.approve(litho.ledger.address, 2**256 - 1)
    litho.session.transact(approve, "bank")
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(litho.ledger.contract.functions.fund(P, 2**256 - 1), "bank")
    assert excinfo.value.error_name == "LedgerAmountTooLarge"  # got Panic(0x11)
    assert excinfo.value.arguments["max"] == MAX_AMOUNT
