"""The confirmed payable backs every advance: collection from the reservation, non-delivery,
recoveries, a share price that never falls, and a policy that refuses what it cannot honour."""

from __future__ import annotations

import pytest

from chain_client.errors import ContractRevert, InputError
from chain_client.units import to_bytes32
from tests.conftest import assert_revert, events
from tests.contracts.financing_fixtures import World
from tests.contracts.ledger_fixtures import MATERIALS, P

DAY = 86_400
YEAR = 365 * DAY


def owed_at(principal: int, rate_bps: int, seconds: int) -> int:
    """What a facility owes after `seconds`: simple interest, rounded up to the unit."""
    return principal - (-principal * rate_bps * seconds // (YEAR * 10_000))


def stamp(world: World, tx_hash: str) -> int:
    w3 = world.session.w3
    return int(
        w3.eth.get_block(w3.eth.get_transaction_receipt(tx_hash)["blockNumber"])["timestamp"]
    )


def financed(world: World, value: int = 3_000_000_00, due: str = "90d") -> tuple[int, int]:
    """An order of LITHO-14 moved to sub_hi (900: 80 % at 5 %); returns (order, opened at)."""
    order = world.order(value=value, due=due)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert report.outcomes[0].financed
    return order, stamp(world, report.tx_hash)


def test_a_substitute_that_never_delivers_keeps_only_its_advance(world: World) -> None:
    order, opened = financed(world)
    facility = world.financing.facility(1)
    token = world.litho.token
    sub_before = token.balance_of("sub_hi")
    # due the order's due date (90 days) + 30 days' payment lag; from then anyone collects
    world.session.advance_time(121 * DAY)
    collected = world.financing.collect_facility(1, sender="stranger")
    owed = owed_at(2_400_000_00, 500, stamp(world, collected.tx_hash) - opened)
    assert events(
        world.session, collected.tx_hash, world.financing.contract, "PoolRepaidFromReservation"
    ) == [{"order": order, "facility": 1, "amount": owed}]
    (leg,) = events(world.session, collected.tx_hash, world.litho.ledger.contract, "FundsDisbursed")
    assert (leg["to"], leg["amount"], leg["ref"]) == (world.pool.address, owed, bytes(32))
    assert world.financing.facility(1).status == "Repaid"
    assert world.pool.status().outstanding_principal == 0
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.close_undelivered(order)
    assert_revert(
        excinfo, "FinancingGraceNotOver", facility=1, until=int(facility.stop.timestamp())
    )
    world.session.advance_time(30 * DAY)
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.close_undelivered(order, sender="chipco")
    assert_revert(excinfo, "FinancingNotReviewer", account=world.a("chipco"))
    closed = world.financing.close_undelivered(order)
    assert events(
        world.session, closed.tx_hash, world.financing.contract, "OrderClosedUndelivered"
    ) == [
        {
            "order": order,
            "substitute": world.a("sub_hi"),
            "recovery": owed,
            "returned": 3_000_000_00 - owed,
        }
    ]
    assert events(
        world.session, closed.tx_hash, world.litho.ledger.contract, "RecoveryRecorded"
    ) == [
        {
            "project": P,
            "debtor": world.a("sub_hi"),
            "ref": order,
            "amount": owed,
            "category": MATERIALS,
            "milestone": 0,
        }
    ]
    # the substitute keeps its advance and nothing more; the project gets the rest back
    assert token.balance_of("sub_hi") == sub_before
    project = world.litho.ledger.project("LITHO-14")
    assert (project.reserved, project.spent, project.balance) == (0, owed, 21_000_000_00 - owed)
    assert world.financing.order(order).status == "ClosedUndelivered"
    assert world.litho.registry.supplier("sub_hi").committed == 0
    assert world.litho.ledger.recovery_owed("LITHO-14", "sub_hi") == owed
    # a financed order always ends: the project closes and its funders claim
    world.litho.ledger.close("LITHO-14")
    world.litho.ledger.claim("LITHO-14", funder="gov_fund")
    assert world.litho.ledger.claimable("LITHO-14", "gov_fund") == 0


def test_collection_before_due_needs_the_substitute_no_longer_active(world: World) -> None:
    financed(world)
    facility = world.financing.facility(1)
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.collect_facility(1, sender="stranger")
    assert_revert(excinfo, "FinancingNotCollectable", facility=1, due=int(facility.due.timestamp()))
    world.litho.registry.suspend("sub_hi")
    world.litho.ledger.pause()  # collection works while payments are paused
    world.financing.collect_facility(1, sender="stranger")
    assert world.financing.facility(1).status == "Repaid"
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.collect_facility(1, sender="stranger")
    assert_revert(excinfo, "FinancingFacilityStatus", facility=1, status=2)


def test_timing_a_deposit_around_a_collection_moves_no_value_between_depositors(
    world: World,
) -> None:
    financed(world)
    world.session.advance_time(121 * DAY)
    world.litho.token.mint("stranger", 5_000_000_00)
    world.pool.deposit(5_000_000_00, by="stranger")
    before_block = world.session.w3.eth.block_number
    collected = world.financing.collect_facility(1, sender="stranger")
    seconds = stamp(world, collected.tx_hash) - int(
        world.session.w3.eth.get_block(before_block)["timestamp"]
    )
    # the collection swaps what is owed for cash: the pool's assets move only by the
    # interest of the seconds between the two blocks (and the unit what is owed rounds up)
    jump = world.total_assets(collected.block) - world.total_assets(before_block)
    assert 0 <= jump <= -(-2_400_000_00 * 500 * seconds // (YEAR * 10_000)) + 1
    world.pool.withdraw(world.pool.assets_of("stranger"), by="stranger")
    assert 4_999_999_99 <= world.litho.token.balance_of("stranger") <= 5_000_000_01


def test_the_share_price_never_falls_through_a_facilitys_life(world: World) -> None:
    order, _ = financed(world, due="30d")
    prices = [world.pool.share_price()]
    # days 10, 30, 60 (due: 30 + 30 days' lag), 100 (stop ~91), 130
    for days in (10, 20, 30, 40, 30):
        world.session.advance_time(days * DAY)
        prices.append(world.pool.share_price())
    world.financing.collect_facility(1, sender="stranger")
    prices.append(world.pool.share_price())
    world.financing.close_undelivered(order)
    prices.append(world.pool.share_price())
    assert prices == sorted(prices)
    # interest stopped at the stop (due rounded up to midnight + 30 days of grace)
    assert prices[-3] == prices[-4]


def test_the_advance_is_lowered_so_the_reservation_covers_what_the_facility_owes(
    world: World,
) -> None:
    world.policy(max_order_horizon_days=3650, grace_days=365)
    world.policy(base_rate_bps=4500, margin_bps=500)  # 50 % a year
    order = world.order(value=1_000_000_00, due=f"{5 * 365}d")
    report = world.financing.report_disruption("resist_a", "FIRE")
    (event,) = events(world.session, report.tx_hash, world.financing.contract, "SubstituteFinanced")
    assert event["lowered"] is True
    opened = stamp(world, report.tx_hash)
    owed_at_stop = owed_at(event["amount"], event["rateBps"], event["stop"] - opened)
    assert (
        owed_at_stop
        <= 1_000_000_00
        < owed_at(event["amount"] + 1, event["rateBps"], event["stop"] - opened)
    )
    assert event["amount"] < 800_000_00
    world.session.advance_time(10 * 365 * DAY)
    world.financing.collect_facility(1, sender="stranger")
    assert world.litho.ledger.project("LITHO-14").spent == owed_at_stop
    assert world.financing.order(order).status == "Financed"


def test_accrued_interest_after_a_partial_repayment_never_reverts(world: World) -> None:
    financed(world)
    world.session.advance_time(7 * DAY + 13)
    world.litho.token.mint("stranger", 1_000_000_00)
    world.financing.repay(1, 333_333_33, by="stranger")
    status = world.pool.status()
    assert status.accrued_interest >= 0
    assert status.total_assets >= 10_000_000_00


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"grace_days": 0}, "graceDays"),
        ({"base_rate_bps": 0, "margin_bps": 0}, "marginBps"),
        ({"base_rate_bps": 4900, "margin_bps": 101}, "baseRateBps"),
        ({"band_floors": [800, 800, 600]}, "bandFloors"),
        ({"band_floors": [1001, 700, 600]}, "bandFloors"),
        ({"band_floors": [800, 700, 0]}, "bandFloors"),
        ({"band_advance_bps": [7000, 8000, 5000]}, "bandAdvanceBps"),
        ({"band_advance_bps": [10_001, 8000, 5000]}, "bandAdvanceBps"),
        ({"band_advance_bps": [8000, 7000, 0]}, "bandAdvanceBps"),
        ({"payment_lag_days": 366}, "paymentLagDays"),
        ({"notice_days": 366}, "noticeDays"),
        ({"max_lead_days": 0}, "maxLeadDays"),
        ({"max_lead_days": 3651}, "maxLeadDays"),
        ({"min_advance": 0}, "minAdvance"),
        ({"exposure_cap_bps": 0}, "exposureCapBps"),
        ({"project_cap_bps": 0}, "projectCapBps"),
        ({"window_cap_bps": 10_001}, "windowCapBps"),
        ({"window_days": 0}, "windowDays"),
        ({"quorum": 0}, "quorum"),
        ({"quorum_window": 60}, "quorumWindow"),
        ({"max_per_call": 13}, "maxPerCall"),
        ({"acceptance_days": 0}, "acceptanceDays"),
    ],
)
def test_the_policy_refuses_values_it_cannot_honour(
    world: World, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ContractRevert) as excinfo:
        world.policy(**changes)
    assert_revert(excinfo, "FinancingPolicyInvalid", field=to_bytes32(field))


def test_recovery_needs_the_same_oracle_quorum_as_a_report(world: World) -> None:
    from chain_client import roles

    roles.grant(world.session, "oracle", "stranger")
    world.policy(quorum=2)
    f = world.financing
    f.report_disruption("resist_a", "FIRE")
    f.report_disruption("resist_a", "FIRE", sender="stranger")
    assert world.litho.registry.supplier("resist_a").status == "Disrupted"
    first = f.report_recovery("resist_a")
    (event,) = events(world.session, first.tx_hash, f.contract, "SupplierRecovered")
    assert (event["reports"], event["quorum"], event["recovered"]) == (1, 2, False)
    assert world.litho.registry.supplier("resist_a").status == "Disrupted"
    with pytest.raises(ContractRevert) as excinfo:
        f.report_recovery("resist_a")
    assert_revert(
        excinfo, "FinancingAlreadyReported", supplier=world.a("resist_a"), oracle=world.a("oracle")
    )
    f.report_recovery("resist_a", sender="stranger")
    assert world.litho.registry.supplier("resist_a").status == "Active"


def test_a_repaid_recovery_restores_the_line_and_after_close_is_claimed_pro_rata(
    world: World,
) -> None:
    order, _ = financed(world, due="30d")
    world.session.advance_time(100 * DAY)  # due 60 days (30 + 30 lag), stop ~91
    world.financing.close_undelivered(order)
    owed = world.litho.ledger.recovery_owed("LITHO-14", "sub_hi")
    line_before = world.litho.ledger.project("LITHO-14").lines[0]
    transactions, repaid = world.litho.ledger.repay_recovery(
        "LITHO-14", "sub_hi", 1_000_000_00, by="sub_hi"
    )
    assert repaid == 1_000_000_00
    (event,) = events(
        world.session, transactions[-1].tx_hash, world.litho.ledger.contract, "RecoveryRepaid"
    )
    assert event == {
        "project": P,
        "debtor": world.a("sub_hi"),
        "ref": order,
        "from": world.a("sub_hi"),
        "to": world.litho.ledger.address,
        "amount": 1_000_000_00,
        "category": MATERIALS,
        "milestone": 0,
    }
    project = world.litho.ledger.project("LITHO-14")
    assert project.lines[0].spent == line_before.spent - 1_000_000_00
    assert project.recovered == 1_000_000_00
    assert world.litho.token.balance_of(world.litho.ledger.address) == project.balance
    world.litho.ledger.close("LITHO-14")
    world.litho.ledger.claim("LITHO-14", funder="gov_fund")
    with pytest.raises(ContractRevert) as excinfo:
        world.litho.ledger.claim("LITHO-14", funder="gov_fund")
    assert_revert(excinfo, "LedgerNothingToClaim", project=P, funder=world.a("gov_fund"))
    rest = owed - 1_000_000_00
    world.litho.token.mint("sub_hi", rest)  # it sold the goods elsewhere
    world.litho.ledger.repay_recovery("LITHO-14", "sub_hi", rest, by="sub_hi")
    assert world.litho.ledger.claimable("LITHO-14", "gov_fund") == rest  # the only funder
    world.litho.ledger.claim("LITHO-14", funder="gov_fund")
    assert world.litho.token.balance_of(world.litho.ledger.address) == 0
    with pytest.raises(InputError, match="owes LITHO-14 nothing"):
        world.litho.ledger.repay_recovery("LITHO-14", "sub_hi", 1, by="sub_hi")
    with pytest.raises(ContractRevert) as excinfo:  # the contract refuses it too
        world.session.transact(
            world.litho.ledger.contract.functions.repayRecovery(P, world.a("sub_hi"), 1), "sub_hi"
        )
    assert_revert(excinfo, "LedgerNothingToRecover", project=P, debtor=world.a("sub_hi"))
