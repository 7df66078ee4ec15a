"""FundLedger payments: every hard rule reverts with its named error, soft rules flag."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain_client.errors import ContractRevert, InputError
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.conftest import all_event_names, assert_revert, events
from tests.contracts.ledger_fixtures import (
    MATERIALS,
    SPEC,
    TRIGGER,
    Litho,
    P,
    setup_litho,
)


def numbers(litho: Litho) -> tuple:  # type: ignore[type-arg]
    """Everything a failed payment must leave unchanged."""
    record = litho.ledger.project("LITHO-14")
    return (
        record,
        litho.token.balance_of(litho.ledger.address),
        litho.token.balance_of("resist_a"),
    )


def test_disburse_pays_the_supplier_and_records_one_event(litho: Litho) -> None:
    ledger_before = litho.token.balance_of(litho.ledger.address)
    result = litho.pay(1_200_000_00, memo="lot 1", invoice="INV-001")
    assert events(litho.session, result.tx_hash, litho.ledger.contract, "FundsDisbursed") == [
        {
            "project": P,
            "from": litho.ledger.address,
            "to": litho.a("resist_a"),
            "amount": 1_200_000_00,
            "category": MATERIALS,
            "milestone": 0,
            "ref": keccak(b"INV-001"),
            "memo": "lot 1",
        }
    ]
    assert all_event_names(
        litho.session, result.tx_hash, [litho.ledger.contract, litho.token.contract]
    ) == ["Transfer", "FundsDisbursed"]
    assert litho.token.balance_of("resist_a") == 1_200_000_00
    assert litho.token.balance_of(litho.ledger.address) == ledger_before - 1_200_000_00
    record = litho.ledger.project("LITHO-14")
    assert (record.spent, record.balance) == (1_200_000_00, 19_800_000_00)
    assert [(ln.category, ln.spent, ln.left) for ln in record.lines] == [
        ("MATERIALS", 1_200_000_00, 10_800_000_00),
        ("EQUIPMENT", 0, 9_000_000_00),
    ]
    assert record.milestones[0].spent == 1_200_000_00


def test_disburse_reverts_over_the_budget_line(session: Session) -> None:
    spec = {**SPEC, "budget": {"MATERIALS": "1000000.00", "EQUIPMENT": "20000000.00"}}
    litho = setup_litho(session, spec=spec)
    litho.pay(600_000_00)
    before = numbers(litho)
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(500_000_00)
    assert_revert(
        excinfo,
        "LedgerBudgetExceeded",
        project=P,
        category=MATERIALS,
        available=400_000_00,
        requested=500_000_00,
    )
    assert str(excinfo.value).startswith(
        "budget line MATERIALS of LITHO-14 has 400,000.00 left; 500,000.00 asked"
    )
    assert numbers(litho) == before


def test_disburse_reverts_on_an_unapproved_milestone(litho: Litho) -> None:
    before = numbers(litho)
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(100_00, milestone=1)
    assert_revert(excinfo, "LedgerMilestoneNotApproved", project=P, milestone=1)
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(100_00, milestone=7)
    assert_revert(excinfo, "LedgerUnknownMilestone", project=P, milestone=7)
    assert numbers(litho) == before


def test_disburse_reverts_when_the_tranche_is_exhausted(litho: Litho) -> None:
    litho.ledger.approve_payment(
        "LITHO-14",
        {"to": "resist_a", "amount": "7500000.00", "category": "MATERIALS", "milestone": 0},
    )
    litho.pay(7_500_000_00)
    before = numbers(litho)
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(600_000_00, category="EQUIPMENT")
    assert_revert(
        excinfo,
        "LedgerTrancheExhausted",
        project=P,
        milestone=0,
        available=500_000_00,
        requested=600_000_00,
    )
    assert numbers(litho) == before


def test_disburse_reverts_for_unregistered_disrupted_and_suspended_payees(litho: Litho) -> None:
    before = numbers(litho)
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(100_00, to="stranger")
    assert_revert(excinfo, "LedgerPayeeNotEligible", project=P, payee=litho.a("stranger"))
    registry = litho.registry.contract
    litho.session.transact(registry.functions.grantRole(TRIGGER, litho.a("financier")), "admin")
    litho.session.transact(registry.functions.markDisrupted(litho.a("resist_a")), "financier")
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(100_00)
    assert_revert(excinfo, "LedgerPayeeNotEligible", project=P, payee=litho.a("resist_a"))
    litho.registry.suspend("resist_b")
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(100_00, to="resist_b")
    assert_revert(excinfo, "LedgerPayeeNotEligible", project=P, payee=litho.a("resist_b"))
    assert numbers(litho) == before
    litho.session.transact(registry.functions.markRecovered(litho.a("resist_a")), "financier")
    litho.pay(100_00)
    assert litho.token.balance_of("resist_a") == 100_00


def test_team_wallets_are_allowed_by_a_reviewer_only(litho: Litho) -> None:
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.set_team_wallet("LITHO-14", "team", sender="chipco")
    assert excinfo.value.error_name == "AccessControlUnauthorizedAccount"
    result = litho.ledger.set_team_wallet("LITHO-14", "team")
    assert events(litho.session, result.tx_hash, litho.ledger.contract, "TeamWalletSet") == [
        {"project": P, "wallet": litho.a("team"), "allowed": True, "reviewer": litho.a("reviewer")}
    ]
    litho.pay(50_000_00, to="team")
    assert litho.token.balance_of("team") == 50_000_00
    litho.ledger.set_team_wallet("LITHO-14", "team", allowed=False)
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(50_000_00, to="team")
    assert_revert(excinfo, "LedgerPayeeNotEligible", project=P, payee=litho.a("team"))


def test_disburse_reverts_beyond_the_free_balance(session: Session) -> None:
    litho = setup_litho(session, funding=500_000_00)
    before = numbers(litho)
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(600_000_00)
    assert_revert(
        excinfo, "LedgerInsufficientBalance", project=P, available=500_000_00, requested=600_000_00
    )
    assert numbers(litho) == before


def test_disburse_reverts_while_paused_and_only_the_admin_pauses(litho: Litho) -> None:
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.pause(sender="reviewer")
    assert excinfo.value.error_name == "AccessControlUnauthorizedAccount"
    result = litho.ledger.pause()
    assert events(litho.session, result.tx_hash, litho.ledger.contract, "Paused") == [
        {"account": litho.a("admin")}
    ]
    before = numbers(litho)
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(100_00)
    assert_revert(excinfo, "EnforcedPause")
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.fund("LITHO-14", 100_00, funder="gov_fund")
    assert_revert(excinfo, "EnforcedPause")
    assert numbers(litho) == before
    litho.ledger.unpause()
    litho.pay(100_00)


def test_disburse_by_anyone_but_the_owner_reverts(litho: Litho) -> None:
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.disburse(
            "LITHO-14",
            {"to": "resist_a", "amount": "1.00", "category": "MATERIALS", "milestone": 0},
            sender="admin",
        )
    assert_revert(excinfo, "LedgerNotProjectOwner", project=P, account=litho.a("admin"))


def test_dual_control_needs_a_pre_approval_of_exactly_that_payment(litho: Litho) -> None:
    payment = {
        "to": "resist_a",
        "amount": "2000000.00",
        "category": "MATERIALS",
        "milestone": 0,
        "invoice": "INV-9",
    }
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.disburse("LITHO-14", payment)
    assert_revert(
        excinfo,
        "LedgerPaymentNotApproved",
        project=P,
        payee=litho.a("resist_a"),
        amount=2_000_000_00,
        threshold=2_000_000_00,
    )
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.approve_payment("LITHO-14", payment, sender="chipco")
    assert excinfo.value.error_name == "AccessControlUnauthorizedAccount"
    # an approval of another amount does not count
    litho.ledger.approve_payment("LITHO-14", {**payment, "amount": "2000000.01"})
    with pytest.raises(ContractRevert):
        litho.ledger.disburse("LITHO-14", payment)
    approved = litho.ledger.approve_payment("LITHO-14", payment)
    (event,) = events(litho.session, approved.tx_hash, litho.ledger.contract, "PaymentApproved")
    assert (event["to"], event["amount"], event["reviewer"]) == (
        litho.a("resist_a"),
        2_000_000_00,
        litho.a("reviewer"),
    )
    litho.ledger.disburse("LITHO-14", payment)
    assert litho.token.balance_of("resist_a") == 2_000_000_00
    with pytest.raises(ContractRevert) as excinfo:  # the approval is used up
        litho.ledger.disburse("LITHO-14", payment)
    assert excinfo.value.error_name == "LedgerPaymentNotApproved"


def flags(litho: Litho, tx_hash: str) -> list[tuple[str, bytes, int]]:
    return [
        (e["code"].rstrip(b"\x00").decode(), e["subject"], e["value"])
        for e in events(litho.session, tx_hash, litho.ledger.contract, "RiskFlagged")
    ]


def as_subject(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


def test_payee_share_flags_only_once_spend_passes_the_floor(litho: Litho) -> None:
    # floor: 10 % of the 21,000,000.00 budget = 2,100,000.00; share limit 50 %
    first = litho.pay(1_000_000_00)
    assert flags(litho, first.tx_hash) == []
    second = litho.pay(1_500_000_00, category="EQUIPMENT")  # spend 2,500,000.00, resist_a 100 %
    assert flags(litho, second.tx_hash) == [
        ("PAYEE_SHARE", as_subject(litho.a("resist_a")), 10_000)
    ]
    third = litho.pay(1_000_000_00, to="resist_b")  # resist_b: 1.0 / 3.5 = 28.57 %
    assert flags(litho, third.tx_hash) == []
    assert litho.token.balance_of("resist_a") == 2_500_000_00


def test_a_budget_line_crossing_90_percent_is_flagged_once(session: Session) -> None:
    spec = {**SPEC, "budget": {"MATERIALS": "1000000.00", "EQUIPMENT": "20000000.00"}}
    litho = setup_litho(session, spec=spec)
    assert flags(litho, litho.pay(800_000_00, to="resist_b").tx_hash) == []
    crossing = litho.pay(100_000_00)
    assert ("BUDGET_LINE_90", MATERIALS, 9_000) in flags(litho, crossing.tx_hash)
    after = litho.pay(50_000_00)
    assert [f for f in flags(litho, after.tx_hash) if f[0] == "BUDGET_LINE_90"] == []


def test_a_payment_just_under_dual_control_is_flagged(litho: Litho) -> None:
    # margin defaults to 10 % of 2,000,000.00: from 1,800,000.00 up to 1,999,999.99
    assert flags(litho, litho.pay(1_799_999_99).tx_hash) == []
    near = litho.pay(1_999_999_99, category="EQUIPMENT")
    assert ("NEAR_THRESHOLD", as_subject(litho.a("resist_a")), 1_999_999_99) in flags(
        litho, near.tx_hash
    )


def test_a_repeated_invoice_is_flagged_and_the_zero_invoice_never(litho: Litho) -> None:
    assert flags(litho, litho.pay(100_00, invoice="INV-7").tx_hash) == []
    repeated = litho.pay(200_00, invoice="INV-7")
    assert flags(litho, repeated.tx_hash) == [("REPEATED_INVOICE", keccak(b"INV-7"), 200_00)]
    litho.pay(100_00)
    assert flags(litho, litho.pay(100_00).tx_hash) == []
    assert litho.token.balance_of("resist_a") == 500_00


def test_a_batch_pays_in_order_or_not_at_all(litho: Litho) -> None:
    litho.ledger.set_team_wallet("LITHO-14", "team")
    payments = [
        {
            "to": "resist_a",
            "amount": "100.00",
            "category": "MATERIALS",
            "milestone": 0,
            "memo": "a",
        },
        {
            "to": "resist_b",
            "amount": "200.00",
            "category": "EQUIPMENT",
            "milestone": 0,
            "memo": "b",
        },
        {"to": "team", "amount": "300.00", "category": "EQUIPMENT", "milestone": 0, "memo": "c"},
    ]
    result = litho.ledger.disburse_batch("LITHO-14", payments)
    paid = events(litho.session, result.tx_hash, litho.ledger.contract, "FundsDisbursed")
    assert [(e["to"], e["amount"], e["memo"]) for e in paid] == [
        (litho.a("resist_a"), 100_00, "a"),
        (litho.a("resist_b"), 200_00, "b"),
        (litho.a("team"), 300_00, "c"),
    ]
    before = numbers(litho)
    bad = [*payments[:2], {**payments[2], "milestone": 1}]
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.disburse_batch("LITHO-14", bad)
    assert_revert(excinfo, "LedgerMilestoneNotApproved", project=P, milestone=1)
    assert numbers(litho) == before


def test_bad_payment_input_is_refused_before_sending(litho: Litho) -> None:
    block = litho.session.w3.eth.block_number
    for payment, message in [
        (
            {"to": "resist_a", "amount": "12.345", "category": "MATERIALS", "milestone": 0},
            "more than 2 decimals",
        ),
        (
            {"to": "resist_a", "amount": "-5", "category": "MATERIALS", "milestone": 0},
            "is not an amount",
        ),
        ({"to": "resist_a", "amount": "5", "category": "X" * 32, "milestone": 0}, "at most 31"),
        ({"to": "resist_a", "amount": "5", "category": "MATERIALS", "milestone": -1}, "milestone"),
    ]:
        with pytest.raises(InputError, match=message):
            litho.ledger.disburse("LITHO-14", payment)
    with pytest.raises(InputError, match="no project NOPE"):
        litho.ledger.disburse(
            "NOPE", {"to": "resist_a", "amount": "5", "category": "MATERIALS", "milestone": 0}
        )
    assert litho.session.w3.eth.block_number == block


def test_disbursement_gas_does_not_grow_with_projects_payees_or_payments(session: Session) -> None:
    litho = setup_litho(session)
    litho.pay(1_000_00)
    litho.pay(1_000_00, to="resist_b")
    first = litho.pay(1_000_00).gas_used
    for i in range(12):  # more projects, funders and payments in the system
        litho.ledger.create_project({**SPEC, "id": f"OTHER-{i}"})
        litho.ledger.fund(f"OTHER-{i}", 1_000_00, funder="bank")
        litho.pay(1_000_00, to="resist_b" if i % 2 else "resist_a", category="EQUIPMENT")
    later = litho.pay(1_000_00).gas_used
    assert later == first
    assert to_bytes32("OTHER-11") in [
        litho.ledger.contract.functions.projectAt(i).call() for i in range(13)
    ]
