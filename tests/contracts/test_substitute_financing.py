"""SubstituteFinancing and FinancingPool: orders, the trigger, settlement, default."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain_client.contracts import Registry
from chain_client.errors import ContractRevert
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.conftest import assert_revert, events
from tests.contracts.financing_fixtures import PART, World, setup_world
from tests.contracts.ledger_fixtures import MATERIALS, P

ORACLE = keccak(text="ORACLE_ROLE")
YEAR = 365 * 86400
DAY = 86400


def interest(principal: int, rate_bps: int, seconds: int) -> int:
    """Simple interest in smallest units, rounded up as the pool rounds what is owed."""
    return -(-principal * rate_bps * seconds // (YEAR * 10_000))


def block_of(world: World, tx_hash: str) -> dict:  # type: ignore[type-arg]
    w3 = world.session.w3
    return dict(w3.eth.get_block(w3.eth.get_transaction_receipt(tx_hash)["blockNumber"]))


def balances(world: World, *who: str) -> tuple[int, ...]:
    token = world.litho.token
    return tuple(token.balance_of(w) for w in who) + (token.balance_of(world.pool.address),)


# orders


def test_register_order_reserves_its_value_and_the_suppliers_capacity(world: World) -> None:
    result, order = world.financing.register_order(
        {
            "project": "LITHO-14",
            "po": "PO-2030-017",
            "part": PART,
            "supplier": "resist_a",
            "value": "3000000.00",
            "category": "MATERIALS",
            "milestone": 1,
            "due": "90d",
        }
    )
    due = world.financing.order(order).due
    (event,) = events(world.session, result.tx_hash, world.financing.contract, "OrderRegistered")
    assert event == {
        "order": 1,
        "project": P,
        "part": to_bytes32(PART),
        "supplier": world.a("resist_a"),
        "value": 3_000_000_00,
        "category": MATERIALS,
        "milestone": 1,
        "due": int(due.timestamp()),
        "po": to_bytes32("PO-2030-017"),
        "pending": True,
    }
    assert events(world.session, result.tx_hash, world.litho.ledger.contract, "FundsReserved") == [
        {"project": P, "ref": 1, "category": MATERIALS, "milestone": 1, "amount": 3_000_000_00}
    ]
    project = world.litho.ledger.project("LITHO-14")
    assert (project.reserved, project.free, project.lines[0].reserved) == (
        3_000_000_00,
        18_000_000_00,
        3_000_000_00,
    )
    assert world.litho.registry.supplier("resist_a").committed == 3_000_000_00
    assert world.financing.open_orders("resist_a") == [1]


def test_register_order_refusals(world: World) -> None:
    f = world.financing
    with pytest.raises(ContractRevert) as excinfo:
        f.register_order(
            {
                "project": "LITHO-14",
                "po": "PO-X",
                "part": PART,
                "supplier": "resist_a",
                "value": "1.00",
                "category": "MATERIALS",
                "milestone": 0,
                "due": "9d",
            },
            sender="reviewer",
        )
    assert_revert(excinfo, "FinancingNotProjectOwner", project=P, account=world.a("reviewer"))
    with pytest.raises(ContractRevert) as excinfo:
        world.order(supplier="resist_a", part="KRF_RESIST")
    assert_revert(
        excinfo,
        "FinancingSupplierNotEligible",
        supplier=world.a("resist_a"),
        part=to_bytes32("KRF_RESIST"),
    )
    with pytest.raises(ContractRevert) as excinfo:
        world.order(value=8_000_000_01)
    assert_revert(
        excinfo,
        "RegistryCapacityExceeded",
        supplier=world.a("resist_a"),
        available=8_000_000_00,
        requested=8_000_000_01,
    )
    world.litho.registry.suspend("resist_b")
    with pytest.raises(ContractRevert) as excinfo:
        world.order(supplier="resist_b")
    assert_revert(
        excinfo, "FinancingSupplierNotEligible", supplier=world.a("resist_b"), part=to_bytes32(PART)
    )
    assert world.financing.counts() == (0, 0)


def test_an_order_the_budget_line_cannot_carry_is_refused(world: World) -> None:
    world.order(value=7_000_000_00)
    world.order(value=1_000_000_00, supplier="sub_hi")
    with pytest.raises(ContractRevert) as excinfo:
        world.order(value=4_000_000_01, supplier="sub_mid")
    assert_revert(
        excinfo,
        "LedgerBudgetExceeded",
        project=P,
        category=MATERIALS,
        available=4_000_000_00,
        requested=4_000_000_01,
    )


def test_cancel_releases_the_reservation_but_not_once_financed(world: World) -> None:
    first, second = world.order(), world.order(value=1_000_000_00)
    world.financing.cancel_order(first)
    assert world.financing.order(first).status == "Cancelled"
    assert world.litho.ledger.project("LITHO-14").reserved == 1_000_000_00
    assert world.litho.registry.supplier("resist_a").committed == 1_000_000_00
    assert world.financing.open_orders("resist_a") == [second]
    world.financing.report_disruption("resist_a", "FIRE")
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.cancel_order(second)
    assert_revert(excinfo, "FinancingOrderStatus", order=second, status=3)  # Financed


# the trigger


def test_the_trigger_moves_the_order_to_the_best_substitute_and_pays_the_advance(
    world: World,
) -> None:
    order = world.order()
    before = balances(world, "sub_hi")
    assets = world.total_assets()
    report = world.financing.report_disruption("resist_a", "EXPORT_CONTROL", "MOFCOM notice 12")
    receipt = world.session.w3.eth.get_transaction_receipt(report.tx_hash)
    (financed,) = events(world.session, receipt, world.financing.contract, "SubstituteFinanced")
    # sub_hi quoted 30 days, inside the order's 90: due the order's due date + 30 days' lag
    due = int(world.financing.order(order).due.timestamp()) + 30 * DAY
    assert financed == {
        "order": order,
        "facility": 1,
        "project": P,
        "from": world.pool.address,
        "to": world.a("sub_hi"),
        "amount": 2_400_000_00,
        "previousSupplier": world.a("resist_a"),
        "rateBps": 500,
        "due": due,
        "episode": 1,
        "stop": -(-due // DAY) * DAY + 30 * DAY,  # interest stops 30 days after due
        "lowered": False,
    }
    assert events(world.session, receipt, world.financing.contract, "FacilityTerms") == [
        {
            "facility": 1,
            "termsVersion": 1,
            "stage": 0,
            "score": 900,
            "advanceBps": 8000,
            "leadDays": 30,
            "paymentLagDays": 30,
            "graceDays": 30,
            "deliverable": True,
        }
    ]
    assert [(p.candidate, p.reason) for p in report.outcomes[0].passed_over] == [
        (world.a("sub_mid"), "LOWER_SCORE"),
        (world.a("sub_lo"), "LOWER_SCORE"),
    ]
    assert balances(world, "sub_hi") == (before[0] + 2_400_000_00, before[1] - 2_400_000_00)
    status = world.pool.status()
    assert (status.idle, status.outstanding_principal, status.total_assets) == (
        7_600_000_00,
        2_400_000_00,
        assets,
    )
    record = world.financing.order(order)
    assert (record.supplier, record.original_supplier, record.status, record.facility) == (
        world.a("sub_hi"),
        world.a("resist_a"),
        "Financed",
        1,
    )
    assert world.litho.registry.supplier("resist_a").status == "Disrupted"
    assert world.litho.registry.supplier("resist_a").committed == 0
    assert world.litho.registry.supplier("sub_hi").committed == 3_000_000_00
    assert world.financing.exposure("sub_hi") == 2_400_000_00
    assert world.financing.open_orders("resist_a") == []


def test_capacity_status_score_and_opt_in_each_decide(session: Session) -> None:
    world = setup_world(session)
    # resist_b (710) never opted in; sub_hi lacks capacity; sub_mid is Disrupted; sub_lo wins
    order = world.order(value=3_000_000_00)
    world.order(
        value=5_500_000_00, supplier="sub_hi", category="EQUIPMENT", milestone=1
    )  # 2,500,000.00 left
    world.financing.report_disruption("sub_mid", "FLOOD")  # no open orders of its own
    report = world.financing.report_disruption("resist_a", "FIRE")
    outcome = report.outcomes[0]
    # one rate for all (the reservation backs the advance); the 650 band gets 50 %
    assert (outcome.order, outcome.substitute, outcome.rate_bps, outcome.advance) == (
        order,
        world.a("sub_lo"),
        500,
        1_500_000_00,
    )
    assert [(p.candidate, p.reason) for p in outcome.passed_over] == [
        (world.a("sub_hi"), "NO_CAPACITY"),
        (world.a("sub_mid"), "NOT_ACTIVE"),
    ]
    assert world.a("resist_b") not in [p.candidate for p in outcome.passed_over]


def test_low_scores_are_passed_over_and_ties_go_to_the_earlier_opt_in(session: Session) -> None:
    world = setup_world(
        session, substitutes={"tie_1": (13, 750), "tie_2": (14, 750), "weak": (15, 599)}
    )
    world.order()
    report = world.financing.report_disruption("resist_a", "FIRE")
    outcome = report.outcomes[0]
    assert (outcome.substitute, outcome.rate_bps, outcome.advance) == (
        world.a("tie_1"),
        500,
        2_100_000_00,  # 70 % for 700-799
    )
    assert [(p.candidate, p.reason) for p in outcome.passed_over] == [
        (world.a("weak"), "LOW_SCORE"),
        (world.a("tie_2"), "LOWER_SCORE"),
    ]


def test_exposure_cap_sends_the_second_order_elsewhere(world: World) -> None:
    world.policy(exposure_cap_bps=3000)  # 3,000,000.00 of 10,000,000.00
    world.order(value=2_000_000_00)
    world.order(value=2_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    first, second = report.outcomes
    assert (first.substitute, second.substitute) == (world.a("sub_hi"), world.a("sub_mid"))
    assert (world.a("sub_hi"), "EXPOSURE_CAP") in [
        (p.candidate, p.reason) for p in second.passed_over
    ]
    assert world.financing.exposure("sub_hi") == 1_600_000_00


def test_no_substitute_moves_nothing_and_a_later_process_finances(session: Session) -> None:
    world = setup_world(session, qualify=False)
    order = world.order()
    before = balances(world, "sub_hi")
    report = world.financing.report_disruption("resist_a", "FIRE")
    receipt = world.session.w3.eth.get_transaction_receipt(report.tx_hash)
    assert events(world.session, receipt, world.financing.contract, "SubstituteUnavailable") == [
        {"order": order, "supplier": world.a("resist_a"), "reason": to_bytes32("NO_SUBSTITUTE")}
    ]
    assert balances(world, "sub_hi") == before
    assert world.financing.order(order).status == "Open"
    assert world.financing.open_orders("resist_a") == [order]
    world.litho.registry.qualify(PART, "30d", supplier="sub_mid")
    later = world.financing.process_disruption("resist_a", sender="stranger")
    assert [(o.order, o.financed, o.substitute) for o in later.outcomes] == [
        (order, True, world.a("sub_mid"))
    ]


def test_no_cash_moves_nothing_and_a_later_process_finances(session: Session) -> None:
    world = setup_world(session, pool_cash=5_000_000_00)
    world.policy(exposure_cap_bps=10_000, project_cap_bps=10_000, window_cap_bps=10_000)
    world.litho.ledger.approve_milestone("LITHO-14", 1, "pilot review")
    world.order(value=5_000_000_00, supplier="sub_lo")
    world.financing.report_disruption("sub_lo", "FIRE")  # 4,000,000.00 of the cash goes out
    order = world.order(value=3_000_000_00, category="EQUIPMENT", milestone=1)
    held = balances(world, "sub_hi", "sub_mid")
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.financed, o.reason) for o in report.outcomes] == [(order, False, "NO_CASH")]
    assert balances(world, "sub_hi", "sub_mid") == held
    assert world.financing.order(order).status == "Open"
    world.litho.token.mint("bank", 2_000_000_00)
    world.pool.deposit(2_000_000_00, by="bank")
    later = world.financing.process_disruption("resist_a")
    assert [(o.order, o.financed, o.advance) for o in later.outcomes] == [
        (order, True, 2_400_000_00)
    ]
    assert world.pool.status().idle == 7_000_000_00 - 4_000_000_00 - 2_400_000_00


def test_the_window_cap_holds_whatever_the_reports_and_recoveries(world: World) -> None:
    world.policy(window_cap_bps=3000)  # 3,000,000.00 per supplier over 30 days
    first, second = world.order(value=2_000_000_00), world.order(value=2_000_000_00)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert report.window_room == 3_000_000_00
    assert [(o.order, o.financed, o.reason) for o in report.outcomes] == [
        (first, True, None),
        (second, False, "WINDOW_CAP"),
    ]
    again = world.financing.process_disruption("resist_a")
    assert [(o.order, o.reason) for o in again.outcomes] == [(second, "WINDOW_CAP")]
    # recovering and disrupting again gives no fresh room: the window is the supplier's
    world.financing.report_recovery("resist_a")
    cycled = world.financing.report_disruption("resist_a", "FIRE")
    assert cycled.window_room == 3_000_000_00 - 1_600_000_00
    assert [(o.order, o.reason) for o in cycled.outcomes] == [(second, "WINDOW_CAP")]
    assert world.pool.status().outstanding_principal == 1_600_000_00
    # a day's draws leave the window thirty days after that day ends
    world.session.advance_time(29 * DAY)
    assert [
        (o.order, o.reason) for o in world.financing.process_disruption("resist_a").outcomes
    ] == [(second, "WINDOW_CAP")]
    world.session.advance_time(2 * DAY)
    later = world.financing.process_disruption("resist_a")
    assert [(o.order, o.financed) for o in later.outcomes] == [(second, True)]
    assert world.financing.order(second).status == "Financed"


def test_the_project_cap_holds_across_suppliers(world: World) -> None:
    world.policy(project_cap_bps=2000)  # 2,000,000.00 of outstanding principal per project
    world.litho.ledger.approve_milestone("LITHO-14", 1, "pilot review")
    first = world.order(value=2_000_000_00)
    second = world.order(value=1_000_000_00, supplier="resist_b", category="EQUIPMENT", milestone=1)
    world.financing.report_disruption("resist_a", "FIRE")
    assert world.financing.project_exposure("LITHO-14") == 1_600_000_00
    report = world.financing.report_disruption("resist_b", "FIRE")
    assert [(o.order, o.financed, o.reason) for o in report.outcomes] == [
        (second, False, "PROJECT_CAP")
    ]
    # repaying the first facility frees the project's room
    world.deliver(first)
    world.financing.settle_order(first)
    assert world.financing.project_exposure("LITHO-14") == 0
    later = world.financing.process_disruption("resist_b")
    assert [(o.order, o.financed) for o in later.outcomes] == [(second, True)]


def test_quorum_needs_k_distinct_oracles_within_the_window(world: World) -> None:
    world.policy(quorum=2, quorum_window=DAY)
    f = world.financing
    world.session.transact(f.contract.functions.grantRole(ORACLE, world.a("financier")), "admin")
    world.order()
    first = f.report_disruption("resist_a", "FIRE")
    assert (first.reports, first.quorum, first.disrupted, first.outcomes) == (1, 2, False, [])
    with pytest.raises(ContractRevert) as excinfo:
        f.report_disruption("resist_a", "FIRE")
    assert_revert(
        excinfo, "FinancingAlreadyReported", supplier=world.a("resist_a"), oracle=world.a("oracle")
    )
    world.session.advance_time(DAY + 1)
    late = f.report_disruption("resist_a", "FIRE", sender="financier")
    assert (late.reports, late.disrupted) == (1, False)  # the window passed: counting restarts
    quorum = f.report_disruption("resist_a", "FIRE")
    assert (quorum.reports, quorum.disrupted, len(quorum.outcomes)) == (2, True, 1)
    assert world.litho.registry.supplier("resist_a").status == "Disrupted"


def test_processing_is_bounded_per_call_and_continued_by_anyone(world: World) -> None:
    world.policy(max_per_call=2)
    orders = [world.order(value=500_000_00) for _ in range(5)]
    first = world.financing.report_disruption("resist_a", "FIRE")
    assert (len(first.outcomes), first.waiting) == (2, 3)
    second = world.financing.process_disruption("resist_a", sender="stranger")
    third = world.financing.process_disruption("resist_a", sender="stranger")
    assert (second.waiting, third.waiting, len(third.outcomes)) == (1, 0, 1)
    assert sorted(o.order for r in (first, second, third) for o in r.outcomes) == orders
    assert all(world.financing.order(o).status == "Financed" for o in orders)


def test_reports_refused_for_disrupted_suppliers_non_oracles_and_recovery(world: World) -> None:
    f = world.financing
    with pytest.raises(ContractRevert) as excinfo:
        f.report_disruption("resist_a", "FIRE", sender="reviewer")
    assert_revert(
        excinfo, "AccessControlUnauthorizedAccount", account=world.a("reviewer"), neededRole=ORACLE
    )
    with pytest.raises(ContractRevert) as excinfo:
        f.report_recovery("resist_a")
    assert_revert(excinfo, "FinancingSupplierStatus", supplier=world.a("resist_a"), status=1)
    f.report_disruption("resist_a", "FIRE")
    with pytest.raises(ContractRevert) as excinfo:
        f.report_disruption("resist_a", "FIRE")
    assert_revert(excinfo, "FinancingSupplierStatus", supplier=world.a("resist_a"), status=2)
    with pytest.raises(ContractRevert) as excinfo:
        f.process_disruption("sub_hi")
    assert_revert(excinfo, "FinancingSupplierStatus", supplier=world.a("sub_hi"), status=1)
    result = f.report_recovery("resist_a")
    assert events(world.session, result.tx_hash, f.contract, "SupplierRecovered") == [
        {
            "supplier": world.a("resist_a"),
            "oracle": world.a("oracle"),
            "reports": 1,
            "quorum": 1,
            "recovered": True,
        }
    ]
    assert world.litho.registry.supplier("resist_a").status == "Active"


# settlement, repayment, default


def test_settlement_pays_the_pool_first_and_the_substitute_the_rest(world: World) -> None:
    order = world.order()
    report = world.financing.report_disruption("resist_a", "FIRE")
    opened = block_of(world, report.tx_hash)
    world.session.advance_time(60 * DAY)
    world.deliver(order)
    sub_before, pool_before = balances(world, "sub_hi")
    settlement = world.financing.settle_order(order, sender="stranger")  # anyone may settle
    settled_at = block_of(world, settlement.tx_hash)
    owed = 2_400_000_00 + interest(2_400_000_00, 500, settled_at["timestamp"] - opened["timestamp"])
    assert (settlement.settled, settlement.to_pool, settlement.to_supplier) == (
        True,
        owed,
        3_000_000_00 - owed,
    )
    receipt = world.session.w3.eth.get_transaction_receipt(settlement.tx_hash)
    leg = {"project": P, "from": world.litho.ledger.address, "category": MATERIALS}
    assert events(world.session, receipt, world.litho.ledger.contract, "FundsDisbursed") == [
        {
            **leg,
            "to": world.pool.address,
            "amount": owed,
            "milestone": 0,
            "ref": bytes(32),
            "memo": "",
        },
        {
            **leg,
            "to": world.a("sub_hi"),
            "amount": 3_000_000_00 - owed,
            "milestone": 0,
            "ref": keccak(text="PO-1"),
            "memo": "",
        },
    ]
    assert events(world.session, receipt, world.pool.contract, "FacilityCollected") == [
        {
            "facility": 1,
            "amount": owed,
            "interest": owed - 2_400_000_00,
            "principal": 2_400_000_00,
            "closed": True,
        }
    ]
    assert events(world.session, receipt, world.financing.contract, "FacilityRepaid") == []
    assert events(world.session, receipt, world.financing.contract, "OrderSettled") == [
        {
            "order": order,
            "project": P,
            "supplier": world.a("sub_hi"),
            "toSupplier": 3_000_000_00 - owed,
            "toPool": owed,
            "po": to_bytes32("PO-1"),
        }
    ]
    assert balances(world, "sub_hi") == (sub_before + 3_000_000_00 - owed, pool_before + owed)
    project = world.litho.ledger.project("LITHO-14")
    assert (project.spent, project.reserved, project.lines[0].spent) == (
        3_000_000_00,
        0,
        3_000_000_00,
    )
    assert world.financing.facility(1).status == "Repaid"
    assert world.financing.exposure("sub_hi") == 0
    assert world.litho.registry.supplier("sub_hi").committed == 0


def test_an_unfinanced_order_settles_in_full_to_its_supplier(world: World) -> None:
    order = world.order(value=1_000_000_00)
    world.deliver(order)
    settlement = world.financing.settle_order(order)
    assert (settlement.to_pool, settlement.to_supplier, settlement.supplier) == (
        0,
        1_000_000_00,
        world.a("resist_a"),
    )
    assert world.litho.token.balance_of("resist_a") == 1_000_000_00
    assert world.litho.ledger.contract.functions.paidTo(P, world.a("resist_a")).call() == (
        1_000_000_00
    )
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.settle_order(order)
    assert_revert(excinfo, "FinancingOrderStatus", order=order, status=6)  # Settled


def test_share_price_rises_with_accrual_with_no_jump_at_repayment(world: World) -> None:
    world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    start = world.total_assets()
    prices = []
    for _ in range(3):
        world.session.advance_time(20 * DAY)
        prices.append(world.pool.share_price())
    assert prices[0] < prices[1] < prices[2]
    facility = world.financing.facility(1)
    world.litho.token.mint("stranger", facility.owed_principal + facility.owed_interest + 10_00)
    before_block = world.session.w3.eth.block_number
    world.financing.repay(1, 1_000_000_00, by="stranger")  # partial: interest first
    mid = world.financing.facility(1)
    assert mid.status == "Active" and mid.owed_principal < 2_400_000_00
    world.financing.repay(1, 5_000_000_00, by="stranger")  # capped at what is owed
    after_block = world.session.w3.eth.block_number
    assert world.financing.facility(1).status == "Repaid"
    # value before and after the repayments differs only by interest over the few seconds
    jump = world.total_assets(after_block) - world.total_assets(before_block)
    seconds = (
        world.session.w3.eth.get_block(after_block)["timestamp"]
        - world.session.w3.eth.get_block(before_block)["timestamp"]
    )
    assert 0 <= jump <= interest(2_400_000_00, 500, seconds) + 2
    assert world.total_assets() > start


def test_withdrawals_are_limited_to_idle_cash(world: World) -> None:
    world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    with pytest.raises(ContractRevert) as excinfo:
        world.pool.withdraw(8_000_000_00, by="bank")
    assert_revert(
        excinfo,
        "ERC4626ExceededMaxWithdraw",
        owner=world.a("bank"),
        assets=8_000_000_00,
        max=7_600_000_00,
    )
    world.pool.withdraw(7_600_000_00, by="bank")
    assert world.litho.token.balance_of("bank") == 7_600_000_00
    assert world.pool.status().idle == 0


def test_privileged_calls_are_refused_to_every_other_role(world: World) -> None:
    f, pool, registry, ledger = (
        world.financing,
        world.pool.contract.functions,
        Registry(world.session).contract.functions,
        world.litho.ledger.contract.functions,
    )
    FINANCIER = keccak(text="FINANCIER_ROLE")  # noqa: N806
    stranger = world.a("stranger")
    cases = [
        (
            f._policy_contract().functions.setPolicy(
                f._policy_contract().functions.current().call()
            ),
            "reviewer",
            None,
        ),
        (pool.openFacility(99, stranger, 1, 1, 2**40 * 86400), "admin", FINANCIER),
        (pool.collect(1, 1), "oracle", FINANCIER),
        (ledger.payPoolFromReservation(P, 1, stranger, 1), "stranger", FINANCIER),
        (ledger.recordRecovery(P, 1, stranger, 1), "reviewer", FINANCIER),
        (registry.markDisrupted(world.a("resist_a")), "oracle", keccak(text="TRIGGER_ROLE")),
        (
            registry.commitCapacity(world.a("resist_a"), 1, 1),
            "registrar",
            keccak(text="TRIGGER_ROLE"),
        ),
    ]
    for call, sender, role in cases:
        with pytest.raises(ContractRevert) as excinfo:
            world.session.transact(call, sender)
        assert excinfo.value.error_name == "AccessControlUnauthorizedAccount"
        assert excinfo.value.arguments["account"] == world.a(sender)
        if role is not None:
            assert excinfo.value.arguments["neededRole"] == role


def test_trigger_gas_does_not_grow_with_suppliers_projects_or_facilities(session: Session) -> None:
    """Nor with regions, parts, inputs or shocks elsewhere: the candidates carry a region and
    declared inputs in both runs, only the rest of the system grows."""
    world = setup_world(session)
    registry = world.litho.registry
    for name in ("sub_hi", "sub_mid", "sub_lo"):
        registry.set_region(name, "EAST")
        registry.declare_inputs(name, ["PAG", "SOLVENT"])
    tester = session.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    snapshot = tester.take_snapshot()
    world.order()
    gas_few = world.financing.report_disruption("resist_a", "FIRE").gas_used
    tester.revert_to_snapshot(snapshot)
    for i in range(25):  # more suppliers, regions, parts, projects and facilities
        account = "0x" + f"{i + 1:040x}"
        registry.register(account, f"S{i}", [f"OTHER{i}", f"PART{i}"], 1)
        registry.set_region(account, f"R{i}")
        registry.declare_inputs(account, [f"IN{i}", "PAG"])
        world.litho.ledger.create_project(
            {
                "id": f"X-{i}",
                "owner": "chipco",
                "budget": {"M": "1.00"},
                "milestones": [{"stage": "RESEARCH", "amount": "1.00"}],
            }
        )
    world.order(supplier="sub_lo", value=500_000_00, due="200d")
    world.financing.report_disruption("sub_lo", "FIRE")
    world.financing.report_shock("R0", "FLOOD")  # a shock in force elsewhere
    world.order()
    gas_many = world.financing.report_disruption("resist_a", "FIRE").gas_used
    # never more (less, as counters and running totals no longer start from zero)
    assert gas_many <= gas_few
