"""Purchase orders under the ledger's rules: reference, approval, delivery, settlement."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak

from chain_client.errors import ContractRevert
from chain_client.units import to_bytes32
from tests.conftest import assert_revert, events
from tests.contracts.financing_fixtures import PART, World
from tests.contracts.ledger_fixtures import MATERIALS, P

DAY = 86_400
HORIZON = 3 * 365 * DAY
ACCEPTANCE = 14 * DAY


def raw_register(world: World, *, value: int, due: int, po: bytes, sender: str = "chipco") -> Any:
    """`registerOrder` sent as is, past the client's own checks, to test the contract's."""
    fn = world.financing.contract.functions.registerOrder(
        P, to_bytes32(PART), world.a("resist_a"), value, MATERIALS, 0, due, po
    )
    return world.session.transact(fn, sender)


def token_balances(world: World, *who: str) -> tuple[int, ...]:
    token = world.litho.token
    return tuple(token.balance_of(w) for w in who) + (
        token.balance_of(world.litho.ledger.address),
        token.balance_of(world.pool.address),
    )


def flags(world: World, tx_hash: str) -> list[tuple[str, int]]:
    found = events(world.session, tx_hash, world.litho.ledger.contract, "RiskFlagged")
    return [(bytes(f["code"]).rstrip(b"\0").decode(), f["value"]) for f in found]


# registration


def test_an_order_at_or_above_dual_control_is_pending_and_under_it_open(world: World) -> None:
    pending = world.order(value=2_000_000_00, approve=False)
    open_ = world.order(value=1_999_999_99, supplier="resist_b")
    assert world.financing.order(pending).status == "Pending"
    assert world.financing.order(open_).status == "Open"
    # both are reserved: the project could pay them
    assert world.litho.ledger.project("LITHO-14").reserved == 3_999_999_99


def test_a_purchase_order_reference_is_used_once_per_project_even_after_cancel(
    world: World,
) -> None:
    first = world.order(value=1_000_000_00, po="PO-2030-017")
    with pytest.raises(ContractRevert) as excinfo:
        world.order(value=500_000_00, po="PO-2030-017", supplier="resist_b")
    assert_revert(
        excinfo, "FinancingDuplicatePo", project=P, po=to_bytes32("PO-2030-017"), order=first
    )
    world.financing.cancel_order(first)
    with pytest.raises(ContractRevert) as excinfo:
        world.order(value=500_000_00, po="PO-2030-017")
    assert_revert(
        excinfo, "FinancingDuplicatePo", project=P, po=to_bytes32("PO-2030-017"), order=first
    )
    assert world.financing.counts() == (1, 0)


def test_an_order_needs_a_reference_and_a_value(world: World) -> None:
    due = world.session.latest_timestamp() + 90 * DAY
    with pytest.raises(ContractRevert) as excinfo:
        raw_register(world, value=1_000_00, due=due, po=bytes(32))
    assert_revert(excinfo, "FinancingPoRequired")
    with pytest.raises(ContractRevert) as excinfo:
        raw_register(world, value=0, due=due, po=to_bytes32("PO-1"))
    assert_revert(excinfo, "FinancingOrderInvalid")
    assert world.financing.counts() == (0, 0)


@pytest.mark.parametrize("due", [2**64 - 1, "past", "now", "horizon+1"])
def test_an_absurd_due_date_is_refused_at_registration(world: World, due: Any) -> None:
    now = world.session.latest_timestamp()
    wanted = {"past": now - DAY, "now": now, "horizon+1": now + HORIZON + 10 * DAY}.get(due, due)
    with pytest.raises(ContractRevert) as excinfo:
        raw_register(world, value=1_000_00, due=wanted, po=to_bytes32("PO-1"))
    error = excinfo.value
    assert error.error_name == "FinancingDueOutOfRange"
    earliest, latest = error.arguments["earliest"], error.arguments["latest"]
    assert error.arguments["due"] == wanted
    assert now < earliest <= now + 60 and latest == earliest - 1 + HORIZON
    assert world.financing.counts() == (0, 0)


def test_no_report_can_lower_the_pools_assets_for_an_order_at_the_horizon(world: World) -> None:
    order = world.order(value=1_000_000_00, due=f"{3 * 365}d")
    before = world.total_assets()
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert report.outcomes[0].financed
    block = world.session.w3.eth.get_transaction_receipt(report.tx_hash)["blockNumber"]
    assert world.total_assets(block) >= before
    record = world.financing.order(order)  # reads back without an overflow
    assert record.status == "Financed"
    assert world.financing.facility(1).status == "Active"


# approval


def test_a_pending_order_moves_no_money_until_the_reviewer_approves_it(world: World) -> None:
    order = world.order(value=3_000_000_00, approve=False)
    f = world.financing
    for attempt in (
        lambda: f.record_delivery(order, "note"),
        lambda: f.settle_order(order, sender="stranger"),
        lambda: f.accept_delivery(order),
    ):
        with pytest.raises(ContractRevert) as excinfo:
            attempt()
        assert_revert(excinfo, "FinancingOrderPending", order=order)
        assert "awaits the reviewer's approval" in str(excinfo.value)
    before = token_balances(world, "resist_a", "sub_hi")
    report = f.report_disruption("resist_a", "EXPORT_CONTROL")
    assert [(o.order, o.financed, o.reason) for o in report.outcomes] == [
        (order, False, "ORDER_NOT_APPROVED")
    ]
    assert token_balances(world, "resist_a", "sub_hi") == before
    assert f.open_orders("resist_a") == [order]  # a later process retries it
    for who in ("chipco", "admin", "resist_a"):
        with pytest.raises(ContractRevert) as excinfo:
            f.approve_order(order, sender=who)
        assert_revert(excinfo, "FinancingNotReviewer", account=world.a(who))
    result = f.approve_order(order)
    assert events(world.session, result.tx_hash, f.contract, "OrderApproved") == [
        {"order": order, "project": P, "reviewer": world.a("reviewer")}
    ]
    with pytest.raises(ContractRevert) as excinfo:
        f.approve_order(order)
    assert_revert(excinfo, "FinancingOrderStatus", order=order, status=2)
    # the approval covers the substitute the trigger picks
    retried = f.process_disruption("resist_a", sender="stranger")
    assert [(o.order, o.financed, o.substitute) for o in retried.outcomes] == [
        (order, True, world.a("sub_hi"))
    ]
    world.deliver(order)
    settled = f.settle_order(order, sender="stranger")
    assert settled.settled and settled.to_pool + settled.to_supplier == 3_000_000_00


def test_the_owner_may_cancel_a_pending_order(world: World) -> None:
    order = world.order(value=3_000_000_00, approve=False)
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.cancel_order(order, sender="stranger")
    assert_revert(excinfo, "FinancingNotProjectOwner", project=P, account=world.a("stranger"))
    world.financing.cancel_order(order)
    assert world.financing.order(order).status == "Cancelled"
    assert world.financing.open_orders("resist_a") == []
    assert world.litho.ledger.project("LITHO-14").reserved == 0


# delivery


def test_only_the_current_supplier_records_delivery(world: World) -> None:
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    for who in ("resist_a", "chipco", "sub_mid"):
        with pytest.raises(ContractRevert) as excinfo:
            world.financing.record_delivery(order, "note", sender=who)
        assert_revert(excinfo, "FinancingNotOrderSupplier", order=order, account=world.a(who))
    result = world.financing.record_delivery(order, "delivery note 8812")
    stamp = world.session.w3.eth.get_block("latest")["timestamp"]
    assert events(world.session, result.tx_hash, world.financing.contract, "DeliveryRecorded") == [
        {
            "order": order,
            "supplier": world.a("sub_hi"),
            "evidence": keccak(text="delivery note 8812"),
            "acceptBy": stamp + ACCEPTANCE,
        }
    ]
    record = world.financing.order(order)
    assert (record.status, int(record.accept_by.timestamp())) == (  # type: ignore[union-attr]
        "Delivered",
        stamp + ACCEPTANCE,
    )
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.record_delivery(order, "again")
    assert_revert(excinfo, "FinancingOrderStatus", order=order, status=4)


def test_an_order_cannot_be_settled_before_its_delivery_is_accepted(world: World) -> None:
    order = world.order(value=1_000_000_00)
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.settle_order(order)
    assert_revert(excinfo, "FinancingOrderStatus", order=order, status=2)  # Open
    world.financing.record_delivery(order, "note")
    accept_by = int(world.financing.order(order).accept_by.timestamp())  # type: ignore[union-attr]
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.settle_order(order, sender="stranger")
    assert_revert(excinfo, "FinancingDeliveryNotAccepted", order=order, acceptBy=accept_by)
    assert world.litho.token.balance_of("resist_a") == 0


def test_silence_for_the_acceptance_period_counts_as_acceptance(world: World) -> None:
    order = world.order(value=1_000_000_00)
    world.financing.record_delivery(order, "note")
    world.session.advance_time(ACCEPTANCE)
    settled = world.financing.settle_order(order, sender="stranger")
    assert (settled.settled, settled.to_supplier) == (True, 1_000_000_00)
    assert world.litho.token.balance_of("resist_a") == 1_000_000_00
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.reject_delivery(order, "too late")
    assert_revert(excinfo, "FinancingOrderStatus", order=order, status=6)


def test_the_owner_cannot_reject_a_delivery_the_reviewer_can_within_the_period(
    world: World,
) -> None:
    order = world.order(value=1_000_000_00)
    world.financing.record_delivery(order, "note")
    assert world.financing.open_orders("resist_a") == []
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.reject_delivery(order, "wrong grade", sender="chipco")
    assert_revert(excinfo, "FinancingNotReviewer", account=world.a("chipco"))
    result = world.financing.reject_delivery(order, "wrong grade")
    assert events(world.session, result.tx_hash, world.financing.contract, "DeliveryRejected") == [
        {"order": order, "reviewer": world.a("reviewer"), "evidence": keccak(text="wrong grade")}
    ]
    record = world.financing.order(order)
    assert (record.status, record.accept_by) == ("Open", None)
    assert world.financing.open_orders("resist_a") == [order]  # a disruption moves it again
    world.financing.record_delivery(order, "second lot")
    world.session.advance_time(ACCEPTANCE)
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.reject_delivery(order, "late")
    assert_revert(
        excinfo,
        "FinancingAcceptancePeriodOver",
        order=order,
        acceptBy=int(world.financing.order(order).accept_by.timestamp()),  # type: ignore[union-attr]
    )


def test_a_rejected_financed_delivery_returns_to_financed(world: World) -> None:
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.financing.record_delivery(order, "note")
    world.financing.reject_delivery(order, "failed incoming inspection")
    assert world.financing.order(order).status == "Financed"
    assert world.financing.open_orders("sub_hi") == []


def test_a_disruption_does_not_move_an_order_whose_delivery_is_recorded(world: World) -> None:
    delivered = world.order(value=1_000_000_00)
    waiting = world.order(value=500_000_00)
    world.financing.record_delivery(delivered, "note")
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.financed) for o in report.outcomes] == [(waiting, True)]
    record = world.financing.order(delivered)
    assert (record.status, record.supplier) == ("Delivered", world.a("resist_a"))


# settlement


def test_settlement_waits_while_the_supplier_is_not_an_eligible_payee(world: World) -> None:
    order = world.order(value=1_000_000_00)
    world.deliver(order)
    world.litho.registry.suspend("resist_a")
    before = token_balances(world, "resist_a")
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.settle_order(order, sender="stranger")
    assert_revert(excinfo, "FinancingPayeeNotEligible", order=order, supplier=world.a("resist_a"))
    assert token_balances(world, "resist_a") == before
    assert world.litho.ledger.project("LITHO-14").reserved == 1_000_000_00
    world.litho.registry.reinstate("resist_a")
    settled = world.financing.settle_order(order, sender="stranger")
    assert (settled.settled, settled.to_supplier) == (True, 1_000_000_00)
    assert world.litho.token.balance_of("resist_a") == before[0] + 1_000_000_00


def test_a_financed_order_pays_the_pool_and_holds_the_rest_for_a_suspended_substitute(
    world: World,
) -> None:
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.deliver(order)
    world.litho.registry.suspend("sub_hi")
    sub_before = world.litho.token.balance_of("sub_hi")
    first = world.financing.settle_order(order, sender="stranger")
    assert (first.settled, first.to_supplier) == (False, 0)
    assert first.to_pool > 2_400_000_00
    assert first.held == 3_000_000_00 - first.to_pool
    assert events(world.session, first.tx_hash, world.financing.contract, "SettlementHeld") == [
        {"order": order, "supplier": world.a("sub_hi"), "amount": first.held}
    ]
    assert world.financing.facility(1).status == "Repaid"
    assert world.litho.token.balance_of("sub_hi") == sub_before
    assert world.litho.ledger.project("LITHO-14").reserved == first.held
    assert world.financing.order(order).status == "Accepted"
    world.litho.registry.reinstate("sub_hi")
    second = world.financing.settle_order(order, sender="stranger")
    assert (second.settled, second.to_pool, second.to_supplier) == (True, 0, first.held)
    assert world.litho.token.balance_of("sub_hi") == sub_before + first.held
    assert world.litho.ledger.project("LITHO-14").reserved == 0


def test_settlement_is_recorded_against_the_payee_with_the_flags_of_a_direct_payment(
    world: World,
) -> None:
    world.litho.pay(100_000_00, invoice="PO-2030-017")
    order = world.order(value=1_900_000_00, po="PO-2030-017")
    world.deliver(order)
    settled = world.financing.settle_order(order, sender="stranger")
    (leg,) = events(world.session, settled.tx_hash, world.litho.ledger.contract, "FundsDisbursed")
    assert (leg["to"], leg["amount"], leg["ref"]) == (
        world.a("resist_a"),
        1_900_000_00,
        keccak(text="PO-2030-017"),
    )
    assert flags(world, settled.tx_hash) == [
        ("NEAR_THRESHOLD", 1_900_000_00),
        ("REPEATED_INVOICE", 1_900_000_00),
    ]
    assert world.litho.ledger.contract.functions.paidTo(P, world.a("resist_a")).call() == (
        2_000_000_00
    )


def test_settlement_needs_the_orders_milestone_approved(world: World) -> None:
    order = world.order(value=1_000_000_00, category="EQUIPMENT", milestone=1)
    world.deliver(order)
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.settle_order(order)
    assert_revert(excinfo, "LedgerMilestoneNotApproved", project=P, milestone=1)
    world.litho.ledger.approve_milestone("LITHO-14", 1, "pilot review")
    assert world.financing.settle_order(order).to_supplier == 1_000_000_00


def test_order_actions_policy_fields_are_range_checked(world: World) -> None:
    for field, value, name in (
        ("acceptance_days", 0, "acceptanceDays"),
        ("acceptance_days", 366, "acceptanceDays"),
        ("max_order_horizon_days", 0, "maxOrderHorizonDays"),
        ("max_order_horizon_days", 3651, "maxOrderHorizonDays"),
    ):
        with pytest.raises(ContractRevert) as excinfo:
            world.policy(**{field: value})
        assert_revert(excinfo, "FinancingPolicyInvalid", field=to_bytes32(name))
    world.policy(acceptance_days=7, max_order_horizon_days=30)
    assert (
        world.financing.policy().acceptance_days,
        world.financing.policy().max_order_horizon_days,
    ) == (7, 30)
    with pytest.raises(ContractRevert) as excinfo:
        world.order(value=1_000_00, due="31d")
    assert excinfo.value.error_name == "FinancingDueOutOfRange"
