"""Edge cases of the purchase-order money paths found by attacking them: overdue and tiny
orders at the trigger, suspended suppliers at delivery and settlement, batch settlements
in the audit and in an order's life, and who may drive an order."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak, to_canonical_address

from chain_client.audit.report import run_audit
from chain_client.errors import ContractRevert
from tests.audit.test_checks_on_synthetic_events import (
    LEDGER,
    OTHER,
    SUPPLIER,
    b32,
    order_registered,
    run,
    with_threshold,
)
from tests.conftest import assert_revert, events
from tests.contracts.financing_fixtures import PART, World

DAY = 86_400
ACCEPTANCE = 14 * DAY
ACTIVE = 1


def status_of(world: World, who: str) -> int:
    return int(world.litho.registry.contract.functions.statusOf(world.a(who)).call())


def second_project(world: World, owner: str = "stranger", funding: int = 1_000_000_00) -> str:
    """Another project, owned by `owner`, funded and with milestone 0 approved."""
    ledger, token = world.litho.ledger, world.litho.token
    ledger.create_project(
        {
            "id": "OTHER-1",
            "owner": owner,
            "budget": {"MATERIALS": "10000.00"},
            "milestones": [{"stage": "RESEARCH", "amount": "10000.00"}],
        }
    )
    token.mint(owner, funding)
    ledger.fund("OTHER-1", funding, funder=owner)
    ledger.approve_milestone("OTHER-1", 0, "ok")
    return "OTHER-1"


def batch_settle(world: World, orders: list[int], sender: str = "stranger") -> Any:
    """One transaction that settles several orders (anyone may settle): a throw-away
    contract whose constructor calls `settleOrder` for each, reverting if any call fails."""
    target = to_canonical_address(world.financing.address)
    fail = 3
    code = bytearray([0x60, 14, 0x56])  # PUSH1 14, JUMP over the fail block
    # fail: JUMPDEST, copy the return data, REVERT with it
    code += bytes([0x5B, 0x3D, 0x60, 0, 0x60, 0, 0x3E, 0x3D, 0x60, 0, 0xFD])
    code += bytes([0x5B])  # offset 14
    selector = keccak(text="settleOrder(uint256)")[:4]
    for order in orders:
        data = selector + order.to_bytes(32, "big")
        padded = data + bytes(-len(data) % 32)
        for i in range(0, len(padded), 32):
            code += bytes([0x7F]) + padded[i : i + 32] + bytes([0x60, i, 0x52])
        code += bytes([0x60, 0, 0x60, 0, 0x60, len(data), 0x60, 0, 0x60, 0, 0x73])
        code += target + bytes([0x5A, 0xF1, 0x15, 0x60, fail, 0x57])
    code += bytes([0x00])
    w3 = world.session.w3
    tx = w3.eth.send_transaction({"from": world.a(sender), "data": bytes(code), "gas": 10_000_000})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    return receipt


# the disruption trigger


def test_an_overdue_order_never_blocks_the_disruption_trigger(world: World) -> None:
    """A project owner's order past its due date (planted, or a late supplier) is financed
    to the next midnight instead of making the whole report revert for every project."""
    second_project(world)
    planted = world.financing.register_order(
        {
            "project": "OTHER-1",
            "po": "PO-X",
            "part": PART,
            "supplier": "resist_a",
            "value": 5_000_00,
            "category": "MATERIALS",
            "milestone": 0,
            "due": "1d",
        }
    )[1]
    victim = world.order(value=1_000_000_00)  # LITHO-14's order, due in 90 days
    world.session.advance_time(3 * DAY)
    report = world.financing.report_disruption("resist_a", "EXPORT_CONTROL")
    assert {o.order: o.financed for o in report.outcomes} == {planted: True, victim: True}
    stamp = world.session.w3.eth.get_block("latest")["timestamp"]
    (financed,) = [
        e
        for e in events(
            world.session, report.tx_hash, world.financing.contract, "SubstituteFinanced"
        )
        if e["order"] == planted
    ]
    # overdue: the new tenor runs from now, the substitute's 30 days' lead + 30 days' lag
    assert financed["due"] == stamp + 60 * DAY
    assert financed["stop"] == -(-(stamp + 60 * DAY) // DAY) * DAY + 30 * DAY
    assert int(world.financing.facility(financed["facility"]).stop.timestamp()) == financed["stop"]


def test_an_order_too_small_for_an_advance_is_not_financed_and_settles_in_full(
    world: World,
) -> None:
    """80 % of 0.01 rounds to nothing: no facility of principal 0 is opened (it could never
    be repaid from the reservation); the order stays with its supplier."""
    order = world.order(value=1)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.financed, o.reason) for o in report.outcomes] == [
        (order, False, "TOO_SMALL")
    ]
    assert world.financing.counts() == (1, 0)
    world.financing.report_recovery("resist_a")
    world.deliver(order)
    settled = world.financing.settle_order(order, sender="stranger")
    assert (settled.settled, settled.to_pool, settled.to_supplier) == (True, 0, 1)
    assert world.litho.ledger.project("LITHO-14").open_reservations == 0


# settlement: a supplier that is not an eligible payee


def test_a_suspended_supplier_cannot_record_delivery_and_the_owner_may_cancel(
    world: World,
) -> None:
    """A Suspended supplier's delivery claim starts no acceptance clock; the order stays Open
    and its owner may cancel it, so the project can unwind and close."""
    order = world.order(value=1_000_000_00)
    world.litho.registry.suspend("resist_a")
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.record_delivery(order, "fake note", sender="resist_a")
    assert_revert(excinfo, "FinancingSupplierSuspended", order=order, supplier=world.a("resist_a"))
    world.financing.cancel_order(order)
    assert world.litho.ledger.project("LITHO-14").reserved == 0
    world.litho.ledger.close("LITHO-14")


def test_an_accepted_delivery_of_a_supplier_suspended_later_is_a_held_payable(
    world: World,
) -> None:
    """Goods delivered and accepted are owed: the money stays reserved under the order (it
    is neither paid to the suspended supplier nor handed back to the funders); the project
    cannot close while it owes it, and reinstatement pays it."""
    order = world.order(value=1_000_000_00)
    world.deliver(order)
    world.litho.registry.suspend("resist_a")
    f = world.financing
    with pytest.raises(ContractRevert) as excinfo:
        f.settle_order(order, sender="stranger")
    assert_revert(excinfo, "FinancingPayeeNotEligible", order=order, supplier=world.a("resist_a"))
    for attempt, error in (
        (lambda: f.reject_delivery(order, "supplier suspended"), "FinancingOrderStatus"),
        (lambda: f.cancel_order(order), "FinancingOrderStatus"),
        (lambda: world.litho.ledger.close("LITHO-14"), "LedgerOpenItems"),
    ):
        with pytest.raises(ContractRevert) as excinfo:
            attempt()
        assert excinfo.value.error_name == error
    assert world.litho.ledger.project("LITHO-14").reserved == 1_000_000_00
    world.litho.registry.reinstate("resist_a")
    assert f.settle_order(order, sender="stranger").to_supplier == 1_000_000_00


# the audit and the order's life


def test_the_audit_stays_clean_when_a_stranger_settles_two_equal_orders_in_one_tx(
    world: World,
) -> None:
    """Two equal orders financed by one report and settled by a stranger in one
    transaction pay the pool the same amount twice: each pool leg matches one booking, and
    the books stay clean (a per-transaction set of amounts once reported one leg unbooked)."""
    due = world.session.latest_timestamp() + 90 * DAY
    first = world.order(value=1_000_000_00, due=due)
    second = world.order(value=1_000_000_00, due=due)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [o.financed for o in report.outcomes] == [True, True]
    for order in (first, second):
        world.deliver(order)
    world.session.advance_time(10 * DAY)
    receipt = batch_settle(world, [first, second])
    settled = events(world.session, receipt, world.financing.contract, "OrderSettled")
    assert [s["toPool"] for s in settled][0] == [s["toPool"] for s in settled][1]
    audit = run_audit(world.session)
    assert audit.clean, [c.detail for c in audit.checks if not c.ok]


def test_an_orders_life_shows_only_its_own_payments_in_a_batch_settlement(world: World) -> None:
    """In a batch settlement each ledger payment belongs to the settlement that follows it,
    so `scf order show` lists this order's payments only."""
    first = world.order(value=1_000_000_00)
    second = world.order(value=500_000_00, supplier="resist_b")
    world.deliver(first)
    world.deliver(second)
    batch_settle(world, [first, second])
    paid = [s.args["amount"] for s in world.financing.history(first) if s.event == "FundsDisbursed"]
    assert paid == [1_000_000_00]


def test_audit_dual_control_judges_each_settlement_by_its_own_order() -> None:
    """Synthetic events: an unapproved pending order settled in the same transaction as an
    approved one is still a dual-control failure (legs are matched to their own order)."""
    chain = with_threshold(150)
    order_registered(chain, 2, pending=True)  # 2.00 >= 1.50, never approved
    order_registered(chain, 3, pending=True)
    chain.add(
        "OrderApproved", "SubstituteFinancing", order=3, project=b32("LITHO-14"), reviewer=OTHER
    )
    leg = {
        "project": b32("LITHO-14"),
        "from": LEDGER,
        "to": SUPPLIER,
        "amount": 200,
        "category": b32("MATERIALS"),
        "milestone": 0,
        "ref": "0x" + "0" * 64,
        "memo": "",
    }

    def split(order: int) -> dict[str, Any]:
        return {
            "order": order,
            "project": b32("LITHO-14"),
            "supplier": SUPPLIER,
            "toSupplier": 200,
            "toPool": 0,
            "po": b32(f"PO-{order}"),
        }

    chain.add("FundsDisbursed", **leg)  # one transaction: order 2, then order 3
    chain.also("OrderSettled", "SubstituteFinancing", **split(2))
    chain.also("FundsDisbursed", **leg)
    chain.also("OrderSettled", "SubstituteFinancing", **split(3))
    checks, _, _ = run(
        chain, views={"LITHO-14": 300}, held={"FundLedger": 300, "FinancingPool": 340}
    )
    assert any(
        "out of order 2, which the reviewer never approved" in f
        for f in checks["dual control"].failures
    ), checks["dual control"].failures


# who may drive an order


def test_a_rejected_open_order_is_re_financed_once_and_settles_to_the_substitute(
    world: World,
) -> None:
    """An Open order delivered by its (disrupted, unfinanced) supplier and rejected by the
    reviewer goes back on the work list exactly once; the trigger then finances it, the
    original supplier can no longer record delivery, the settlement splits pool and
    substitute, and the audit is clean."""
    world.policy(exposure_cap_bps=1)  # nobody has room: NO_SUBSTITUTE
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.financing.record_delivery(order, "note", sender="resist_a")
    assert world.financing.open_orders("resist_a") == []
    world.financing.reject_delivery(order, "wrong grade")
    assert world.financing.open_orders("resist_a") == [order]
    world.policy(exposure_cap_bps=5000)
    retried = world.financing.process_disruption("resist_a", sender="stranger")
    assert [(o.order, o.financed) for o in retried.outcomes] == [(order, True)]
    assert world.financing.open_orders("resist_a") == []
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.record_delivery(order, "late", sender="resist_a")
    assert_revert(excinfo, "FinancingNotOrderSupplier", order=order, account=world.a("resist_a"))
    world.deliver(order)
    settled = world.financing.settle_order(order, sender="stranger")
    assert settled.supplier == world.a("sub_hi")
    assert settled.to_pool + settled.to_supplier == 3_000_000_00
    with pytest.raises(ContractRevert):
        world.financing.settle_order(order, sender="stranger")
    assert run_audit(world.session).clean


def test_strangers_and_the_supplier_cannot_drive_an_order(world: World) -> None:
    """Only the owner accepts or cancels, only the reviewer approves or rejects; a
    Delivered or Accepted order cannot be cancelled."""
    f = world.financing
    pending = world.order(value=2_500_000_00, approve=False)
    for who in ("stranger", "resist_a"):
        with pytest.raises(ContractRevert):
            f.cancel_order(pending, sender=who)
        with pytest.raises(ContractRevert):
            f.approve_order(pending, sender=who)
    order = world.order(value=1_000_000_00, supplier="resist_b")
    f.record_delivery(order, "note")
    for who in ("stranger", "resist_b", "reviewer"):
        with pytest.raises(ContractRevert):
            f.accept_delivery(order, sender=who)
    for who in ("stranger", "resist_b", "chipco"):
        with pytest.raises(ContractRevert):
            f.reject_delivery(order, "x", sender=who)
    with pytest.raises(ContractRevert) as excinfo:
        f.cancel_order(order)
    assert_revert(excinfo, "FinancingOrderStatus", order=order, status=4)
    f.accept_delivery(order)
    with pytest.raises(ContractRevert) as excinfo:
        f.cancel_order(order)
    assert_revert(excinfo, "FinancingOrderStatus", order=order, status=5)
    with pytest.raises(ContractRevert) as excinfo:
        f.reject_delivery(order, "after acceptance")
    assert_revert(excinfo, "FinancingOrderStatus", order=order, status=5)
