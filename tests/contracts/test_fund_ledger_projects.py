"""FundLedger projects: creation, funding, milestones, reallocations, reservations, close."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain_client.errors import ContractRevert, InputError
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.conftest import assert_revert, events
from tests.contracts.ledger_fixtures import (
    CREATOR,
    EQUIPMENT,
    FINANCIER,
    MATERIALS,
    REVIEWER,
    SPEC,
    Litho,
    P,
    setup_litho,
)

MAX_AMOUNT = 2**120 - 1


def raw_spec(session: Session, **overrides: object) -> tuple:  # type: ignore[type-arg]
    spec = {
        "id": to_bytes32("NEW-1"),
        "owner": session.accounts.resolve("chipco"),
        "categories": [MATERIALS, EQUIPMENT],
        "caps": [12_000_000_00, 9_000_000_00],
        "stages": [0, 1],
        "tranches": [8_000_000_00, 13_000_000_00],
        "thresholds": (0, 0, 0, 0),
        "substituteFinancing": True,
    }
    spec.update(overrides)
    return tuple(spec.values())


def test_create_project_records_lines_and_milestones_with_events(session: Session) -> None:
    litho = setup_litho(session, funding=0, approve_first=False)
    logs = litho.ledger.contract.events
    created = logs.ProjectCreated().get_logs(from_block=0)
    assert [dict(e["args"]) for e in created] == [
        {
            "project": P,
            "owner": litho.a("chipco"),
            "creator": litho.a("admin"),
            "budget": 21_000_000_00,
            "thresholds": {
                "dualControl": 2_000_000_00,
                "nearMargin": 0,
                "payeeShareBps": 0,
                "shareFloor": 0,
            },
            "substituteFinancing": True,
        }
    ]
    tx = created[0]["transactionHash"]
    assert events(session, tx, litho.ledger.contract, "BudgetLineSet") == [
        {"project": P, "category": MATERIALS, "cap": 12_000_000_00},
        {"project": P, "category": EQUIPMENT, "cap": 9_000_000_00},
    ]
    assert events(session, tx, litho.ledger.contract, "MilestoneAdded") == [
        {"project": P, "milestone": 0, "stage": 0, "tranche": 8_000_000_00},
        {"project": P, "milestone": 1, "stage": 1, "tranche": 13_000_000_00},
    ]
    record = litho.ledger.project("LITHO-14")
    assert (record.status, record.budget, record.balance) == ("Open", 21_000_000_00, 0)
    assert [(m.stage, m.tranche, m.approved) for m in record.milestones] == [
        ("RESEARCH", 8_000_000_00, False),
        ("PILOT", 13_000_000_00, False),
    ]


def test_create_project_is_refused_to_anyone_but_an_approved_creator(litho: Litho) -> None:
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.create_project({**SPEC, "id": "ROGUE"}, sender="chipco")
    assert_revert(
        excinfo, "AccessControlUnauthorizedAccount", account=litho.a("chipco"), neededRole=CREATOR
    )


@pytest.mark.parametrize(
    ("overrides", "error", "arguments"),
    [
        ({"id": P}, "LedgerProjectExists", {"project": P}),
        (
            {"tranches": [12_000_000_00, 9_000_000_01]},
            "LedgerTranchesExceedBudget",
            {"tranches": 21_000_000_01, "budget": 21_000_000_00},
        ),
        (
            {"categories": [MATERIALS, MATERIALS]},
            "LedgerDuplicateCategory",
            {"category": MATERIALS},
        ),
        (
            {"categories": [to_bytes32(f"C{i}") for i in range(17)], "caps": [1] * 17},
            "LedgerCountInvalid",
            {"count": 17, "max": 16},
        ),
        ({"stages": [], "tranches": []}, "LedgerCountInvalid", {"count": 0, "max": 16}),
        ({"caps": [1]}, "LedgerLengthMismatch", {}),
        ({"thresholds": (0, 0, 10_001, 0)}, "LedgerShareInvalid", {"bps": 10_001}),
        ({"caps": [0, 1]}, "LedgerZeroValue", {}),
        # the ledger packs amounts two to a slot: each, and the budget, at most 2**120 - 1
        (
            {"caps": [MAX_AMOUNT, 1], "tranches": [1, 1]},
            "LedgerAmountTooLarge",
            {"amount": MAX_AMOUNT + 1, "max": MAX_AMOUNT},
        ),
        (
            {"caps": [MAX_AMOUNT - 1, 1], "tranches": [MAX_AMOUNT + 1, 0]},
            "LedgerAmountTooLarge",
            {"amount": MAX_AMOUNT + 1, "max": MAX_AMOUNT},
        ),
        (
            {"thresholds": (MAX_AMOUNT + 1, 0, 0, 0)},
            "LedgerAmountTooLarge",
            {"amount": MAX_AMOUNT + 1, "max": MAX_AMOUNT},
        ),
        (
            {"thresholds": (0, 2**256 - 1, 0, 0)},
            "LedgerAmountTooLarge",
            {"amount": 2**256 - 1, "max": MAX_AMOUNT},
        ),
        (
            {"thresholds": (0, 0, 0, MAX_AMOUNT + 1)},
            "LedgerAmountTooLarge",
            {"amount": MAX_AMOUNT + 1, "max": MAX_AMOUNT},
        ),
    ],
)
def test_create_project_reverts_on_bad_specs(
    litho: Litho, overrides: dict, error: str, arguments: dict
) -> None:  # type: ignore[type-arg]
    fn = litho.ledger.contract.functions.createProject(raw_spec(litho.session, **overrides))
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(fn, "admin")
    assert_revert(excinfo, error, **arguments)


def test_bad_specs_are_refused_by_the_client_with_the_field(session: Session) -> None:
    from chain_client.contracts import Ledger

    ledger = Ledger(session)
    with pytest.raises(InputError, match="milestones.0.stage: stage 'DESIGN' is not one of"):
        ledger.create_project({**SPEC, "milestones": [{"stage": "DESIGN", "amount": "1.00"}]})
    with pytest.raises(InputError, match=r"^budget: "):
        ledger.create_project({**SPEC, "budget": {}})
    with pytest.raises(InputError, match="more than 2 decimals"):
        ledger.create_project({**SPEC, "budget": {"MATERIALS": "1.001"}})


def test_fund_moves_tokens_in_and_records_each_funder(litho: Litho) -> None:
    result = litho.ledger.fund("LITHO-14", 1_000_000_00, funder="bank")[1]
    assert events(litho.session, result.tx_hash, litho.ledger.contract, "ProjectFunded") == [
        {"project": P, "from": litho.a("bank"), "to": litho.ledger.address, "amount": 1_000_000_00}
    ]
    assert litho.token.balance_of("bank") == 9_000_000_00
    assert litho.token.balance_of(litho.ledger.address) == 22_000_000_00
    record = litho.ledger.project("LITHO-14")
    assert [(f.address, f.amount) for f in record.funders] == [
        (litho.a("gov_fund"), 21_000_000_00),
        (litho.a("bank"), 1_000_000_00),
    ]
    assert (record.funded, record.balance) == (22_000_000_00, 22_000_000_00)


def test_a_budget_of_the_largest_amount_is_taken_and_views_stay_exact(session: Session) -> None:
    litho = setup_litho(session, funding=0, approve_first=False)
    spec = raw_spec(session, caps=[MAX_AMOUNT - 1, 1], tranches=[MAX_AMOUNT, 0])
    session.transact(litho.ledger.contract.functions.createProject(spec), "admin")
    new = to_bytes32("NEW-1")
    lines = litho.ledger.contract.functions.budgetLines(new).call()
    assert [(line[1], line[2], line[3]) for line in lines] == [(MAX_AMOUNT - 1, 0, 0), (1, 0, 0)]
    info = litho.ledger.contract.functions.project(new).call()
    assert info[7] == MAX_AMOUNT  # the budget
    assert litho.ledger.contract.functions.MAX_AMOUNT().call() == MAX_AMOUNT


def test_funding_past_the_largest_amount_is_refused(litho: Litho) -> None:
    litho.token.mint("bank", MAX_AMOUNT)
    fund = litho.ledger.contract.functions.fund(P, MAX_AMOUNT)
    approve = litho.token.contract.functions.approve(litho.ledger.address, 2**256 - 1)
    litho.session.transact(approve, "bank")
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(fund, "bank")
    funded = litho.ledger.project("LITHO-14").funded
    assert_revert(excinfo, "LedgerAmountTooLarge", amount=funded + MAX_AMOUNT, max=MAX_AMOUNT)


def test_fund_of_an_unknown_project_reverts(litho: Litho) -> None:
    fn = litho.ledger.contract.functions.fund(to_bytes32("NOPE"), 1)
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(fn, "gov_fund")
    assert_revert(excinfo, "LedgerProjectUnknown", project=to_bytes32("NOPE"))
    with pytest.raises(InputError, match="no project NOPE"):
        litho.ledger.fund("NOPE", 1, funder="gov_fund")


def test_approve_milestone_by_reviewer_with_evidence(session: Session) -> None:
    litho = setup_litho(session, approve_first=False)
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.approve_milestone("LITHO-14", 0, sender="chipco")
    assert_revert(
        excinfo, "AccessControlUnauthorizedAccount", account=litho.a("chipco"), neededRole=REVIEWER
    )
    result = litho.ledger.approve_milestone("LITHO-14", 0, "phase-1 report")
    assert events(session, result.tx_hash, litho.ledger.contract, "MilestoneApproved") == [
        {
            "project": P,
            "milestone": 0,
            "reviewer": litho.a("reviewer"),
            "evidence": keccak(b"phase-1 report"),
        }
    ]
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.approve_milestone("LITHO-14", 0)
    assert_revert(excinfo, "LedgerMilestoneAlreadyApproved", project=P, milestone=0)
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.approve_milestone("LITHO-14", 2)
    assert_revert(excinfo, "LedgerUnknownMilestone", project=P, milestone=2)


def test_reallocation_is_proposed_by_the_owner_and_approved_by_a_reviewer(litho: Litho) -> None:
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.propose_reallocation(
            "LITHO-14", "EQUIPMENT", "MATERIALS", 1_000_000_00, sender="reviewer"
        )
    assert_revert(excinfo, "LedgerNotProjectOwner", project=P, account=litho.a("reviewer"))
    result, proposal = litho.ledger.propose_reallocation(
        "LITHO-14", "EQUIPMENT", "MATERIALS", 1_000_000_00
    )
    assert proposal == 1
    assert events(litho.session, result.tx_hash, litho.ledger.contract, "ReallocationProposed") == [
        {"project": P, "id": 1, "from": EQUIPMENT, "to": MATERIALS, "amount": 1_000_000_00}
    ]
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.approve_reallocation("LITHO-14", 1, sender="chipco")
    assert excinfo.value.error_name == "AccessControlUnauthorizedAccount"
    approved = litho.ledger.approve_reallocation("LITHO-14", 1)
    assert events(litho.session, approved.tx_hash, litho.ledger.contract, "BudgetLineSet") == [
        {"project": P, "category": EQUIPMENT, "cap": 8_000_000_00},
        {"project": P, "category": MATERIALS, "cap": 13_000_000_00},
    ]
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.approve_reallocation("LITHO-14", 1)
    assert_revert(excinfo, "LedgerReallocationUnknown", project=P, id=1)
    _, too_much = litho.ledger.propose_reallocation(
        "LITHO-14", "EQUIPMENT", "MATERIALS", 8_000_000_01
    )
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.approve_reallocation("LITHO-14", too_much)
    assert_revert(
        excinfo,
        "LedgerBudgetExceeded",
        project=P,
        category=EQUIPMENT,
        available=8_000_000_00,
        requested=8_000_000_01,
    )
    assert [ln.cap for ln in litho.ledger.project("LITHO-14").lines] == [
        13_000_000_00,
        8_000_000_00,
    ]


def _financier(litho: Litho) -> None:
    grant = litho.ledger.contract.functions.grantRole(FINANCIER, litho.a("financier"))
    litho.session.transact(grant, "admin")


def test_reservations_hold_line_tranche_and_balance_and_pay_on_settlement(litho: Litho) -> None:
    f = litho.ledger.contract.functions
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(f.reserve(P, 1, MATERIALS, 1, 3_000_000_00), "chipco")
    assert_revert(
        excinfo, "AccessControlUnauthorizedAccount", account=litho.a("chipco"), neededRole=FINANCIER
    )
    _financier(litho)
    # milestone 1 is not approved: reserving is allowed, paying is not
    reserved, receipt = litho.session.transact(
        f.reserve(P, 1, MATERIALS, 1, 3_000_000_00), "financier"
    )
    assert events(litho.session, reserved.tx_hash, litho.ledger.contract, "FundsReserved") == [
        {"project": P, "ref": 1, "category": MATERIALS, "milestone": 1, "amount": 3_000_000_00}
    ]
    record = litho.ledger.project("LITHO-14")
    assert (record.reserved, record.free, record.open_reservations) == (
        3_000_000_00,
        18_000_000_00,
        1,
    )
    assert (record.lines[0].reserved, record.lines[0].left) == (3_000_000_00, 9_000_000_00)
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(f.reserve(P, 1, MATERIALS, 1, 1), "financier")
    assert_revert(excinfo, "LedgerReservationExists", project=P, ref=1)
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.close("LITHO-14")
    assert_revert(excinfo, "LedgerOpenItems", project=P, count=1)
    invoice = keccak(text="PO-1")
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(f.payReservation(P, 1, litho.a("resist_a"), invoice), "financier")
    assert_revert(excinfo, "LedgerMilestoneNotApproved", project=P, milestone=1)
    litho.ledger.approve_milestone("LITHO-14", 1)
    # the final payee must be eligible, as for a direct payment
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(f.payReservation(P, 1, litho.a("stranger"), invoice), "financier")
    assert_revert(excinfo, "LedgerPayeeNotEligible", project=P, payee=litho.a("stranger"))
    # the pool's leg: part of the reservation, no invoice reference; the rest stays reserved
    pool_leg, _ = litho.session.transact(
        f.payPoolFromReservation(P, 1, litho.a("financier"), 1_000_000_00), "financier"
    )
    assert f.reservationLeft(P, 1).call() == 2_000_000_00
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(
            f.payPoolFromReservation(P, 1, litho.a("financier"), 2_000_000_01), "financier"
        )
    assert_revert(
        excinfo,
        "LedgerInsufficientBalance",
        project=P,
        available=2_000_000_00,
        requested=2_000_000_01,
    )
    paid, _ = litho.session.transact(
        f.payReservation(P, 1, litho.a("resist_a"), invoice), "financier"
    )
    leg = {"project": P, "from": litho.ledger.address, "category": MATERIALS, "milestone": 1}
    assert events(litho.session, pool_leg.tx_hash, litho.ledger.contract, "FundsDisbursed") == [
        {**leg, "to": litho.a("financier"), "amount": 1_000_000_00, "ref": bytes(32), "memo": ""}
    ]
    assert events(litho.session, paid.tx_hash, litho.ledger.contract, "FundsDisbursed") == [
        {**leg, "to": litho.a("resist_a"), "amount": 2_000_000_00, "ref": invoice, "memo": ""}
    ]
    assert litho.token.balance_of("financier") == 1_000_000_00
    assert litho.token.balance_of("resist_a") == 2_000_000_00
    assert litho.ledger.contract.functions.paidTo(P, litho.a("resist_a")).call() == 2_000_000_00
    record = litho.ledger.project("LITHO-14")
    assert (record.reserved, record.spent, record.open_reservations) == (0, 3_000_000_00, 0)
    assert record.milestones[1].spent == 3_000_000_00
    assert f.reservationLeft(P, 1).call() == 0
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(f.payReservation(P, 1, litho.a("resist_a"), invoice), "financier")
    assert_revert(excinfo, "LedgerReservationUnknown", project=P, ref=1)


def test_a_released_reservation_frees_its_room(litho: Litho) -> None:
    _financier(litho)
    f = litho.ledger.contract.functions
    litho.session.transact(f.reserve(P, 7, EQUIPMENT, 0, 8_000_000_00), "financier")
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(1_00)
    assert_revert(
        excinfo, "LedgerTrancheExhausted", project=P, milestone=0, available=0, requested=1_00
    )
    released, _ = litho.session.transact(f.release(P, 7), "financier")
    assert events(
        litho.session, released.tx_hash, litho.ledger.contract, "ReservationReleased"
    ) == [{"project": P, "ref": 7, "amount": 8_000_000_00}]
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(f.release(P, 7), "financier")
    assert_revert(excinfo, "LedgerReservationUnknown", project=P, ref=7)
    litho.pay(1_00)


def test_close_then_funders_claim_pro_rata(litho: Litho) -> None:
    litho.ledger.fund("LITHO-14", 9_000_000_00, funder="bank")  # gov 21M, bank 9M
    litho.pay(1_500_000_00)
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.close("LITHO-14", sender="reviewer")
    assert_revert(excinfo, "LedgerNotProjectOwner", project=P, account=litho.a("reviewer"))
    closed = litho.ledger.close("LITHO-14")
    assert events(litho.session, closed.tx_hash, litho.ledger.contract, "ProjectClosed") == [
        {"project": P, "remaining": 28_500_000_00}
    ]
    with pytest.raises(ContractRevert) as excinfo:
        litho.pay(1_00)
    assert_revert(excinfo, "LedgerProjectStatus", project=P, status=2)
    gov_before = litho.token.balance_of("gov_fund")
    claim = litho.ledger.claim("LITHO-14", funder="gov_fund")
    assert events(litho.session, claim.tx_hash, litho.ledger.contract, "FundsRefunded") == [
        {
            "project": P,
            "from": litho.ledger.address,
            "to": litho.a("gov_fund"),
            "amount": 19_950_000_00,
        }
    ]
    assert litho.token.balance_of("gov_fund") == gov_before + 19_950_000_00
    assert litho.ledger.claimable("LITHO-14", "bank") == 8_550_000_00
    litho.ledger.claim("LITHO-14", funder="bank")
    for funder in ("gov_fund", "stranger"):
        with pytest.raises(ContractRevert) as excinfo:
            litho.ledger.claim("LITHO-14", funder=funder)
        assert_revert(excinfo, "LedgerNothingToClaim", project=P, funder=litho.a(funder))
    record = litho.ledger.project("LITHO-14")
    assert (record.refunded, record.balance) == (28_500_000_00, 0)
    assert litho.token.balance_of(litho.ledger.address) == 0


def test_the_admin_may_close_too(litho: Litho) -> None:
    litho.ledger.close("LITHO-14", sender="admin")
    assert litho.ledger.project("LITHO-14").status == "Closed"


def test_a_refused_funding_or_deposit_leaves_no_approval_behind(litho: Litho) -> None:
    from chain_client.contracts import Pool

    token, ledger, pool = litho.token, litho.ledger, Pool(litho.session)
    journal = len(litho.session.journal)
    with pytest.raises(InputError, match="stranger .* holds 0.00; 5.00 needed"):
        ledger.fund("LITHO-14", 5_00, funder="stranger")
    with pytest.raises(InputError, match="holds 0.00; 5.00 needed"):
        pool.deposit(5_00, by="stranger")
    assert len(litho.session.journal) == journal  # nothing was sent
    # refused by the contract after the approval: the approval is put back as it was
    token.mint("stranger", 5_00)
    ledger.pause()
    with pytest.raises(ContractRevert) as excinfo:
        ledger.fund("LITHO-14", 5_00, funder="stranger")
    assert excinfo.value.error_name == "EnforcedPause"
    assert token.allowance("stranger", ledger.address) == 0
    assert token.balance_of("stranger") == 5_00
