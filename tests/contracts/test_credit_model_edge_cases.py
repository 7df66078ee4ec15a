"""Edge cases of the credit model (the confirmed payable backs every advance), found by
attacking it as a bank credit officer, a funder, an owner, a substitute, a stranger and a
depositor: lending against an unapproved milestone, closing without a prior collection,
stale quorum votes, odd partial repayments, claims of several funders, extreme policies."""

from __future__ import annotations

import pytest

from chain_client import roles
from chain_client.audit.report import run_audit
from chain_client.errors import ContractRevert
from tests.conftest import events
from tests.contracts.financing_fixtures import World
from tests.contracts.ledger_fixtures import P

DAY = 86_400
YEAR = 365 * DAY


def stamp(world: World, tx_hash: str) -> int:
    w3 = world.session.w3
    return int(
        w3.eth.get_block(w3.eth.get_transaction_receipt(tx_hash)["blockNumber"])["timestamp"]
    )


def pool_sane(world: World) -> None:
    """The pool holds at least its idle cash and values facilities at least at principal."""
    status = world.pool.status()
    assert world.litho.token.balance_of(world.pool.address) >= status.idle
    assert world.total_assets() >= status.idle + status.outstanding_principal - 1


def test_no_advance_is_made_against_an_order_whose_milestone_is_not_approved(
    world: World,
) -> None:
    """The pool is repaid out of the reservation, which pays only once its milestone is
    approved: lending before that would freeze the pool's cash (and the order, and the
    project) until an R&D decision that may never come. The trigger leaves such an order
    where it is, says why, and a later `processDisruption` finances it once approved."""
    order = world.order(milestone=1)
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert [(o.order, o.financed, o.reason) for o in report.outcomes] == [
        (order, False, "MILESTONE_NOT_APPROVED")
    ]
    assert world.financing.counts()[1] == 0
    assert world.pool.status().idle == 10_000_000_00
    world.litho.ledger.approve_milestone("LITHO-14", 1, "pilot review")
    retried = world.financing.process_disruption("resist_a", sender="stranger")
    assert [(o.order, o.financed) for o in retried.outcomes] == [(order, True)]
    world.session.advance_time(121 * DAY)  # due: 90 days + 30 days' payment lag
    world.financing.collect_facility(1, sender="stranger")
    assert world.financing.facility(1).status == "Repaid"
    world.session.advance_time(40 * DAY)
    world.financing.close_undelivered(order)
    world.litho.ledger.close("LITHO-14")


def test_the_audit_is_clean_after_close_undelivered_without_prior_collection(
    world: World,
) -> None:
    """closeUndelivered collects for the pool itself when nobody called collectFacility
    first; its pool leg is still matched to the order (`PoolRepaidFromReservation`), so the
    audit neither takes the 2.4 M leg for a direct payment above dual control nor leaves it
    reserved in the books."""
    order = world.order()
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    world.session.advance_time(155 * DAY)  # past the stop (~151 days); nobody collected
    world.financing.close_undelivered(order)
    assert world.litho.ledger.project("LITHO-14").reserved == 0
    report = run_audit(world.session)
    failing = {c.name: c.detail for c in report.checks if not c.ok}
    assert failing == {}
    (book,) = [p for p in report.projects if p.project == "LITHO-14"]
    assert book.reserved == 0


def test_a_recovery_vote_does_not_count_toward_a_disruption(world: World) -> None:
    """Disruption and recovery votes are separate rounds. With quorum 2: an oracle votes
    recovery (1 of 2); the registrar suspends then reinstates the supplier; a second
    oracle's single disruption report within the window is 1 of 2, not a quorum."""
    roles.grant(world.session, "oracle", "stranger")
    world.policy(quorum=2)
    f = world.financing
    f.report_disruption("resist_a", "FIRE")
    f.report_disruption("resist_a", "FIRE", sender="stranger")
    assert world.litho.registry.supplier("resist_a").status == "Disrupted"
    f.report_recovery("resist_a")  # 1 of 2 recovery votes
    world.litho.registry.suspend("resist_a")
    world.litho.registry.reinstate("resist_a")
    world.order()
    report = f.report_disruption("resist_a", "FIRE", sender="stranger")  # one report
    (reported,) = events(world.session, report.tx_hash, f.contract, "DisruptionReported")
    assert reported["reports"] == 1
    assert world.litho.registry.supplier("resist_a").status == "Active"
    assert world.financing.counts()[1] == 0


def test_odd_partial_repayments_then_settlement_never_lower_the_share_price(
    world: World,
) -> None:
    """many odd partial repays (below and above the interest so far), each a few
    seconds/days apart, then settlement: price monotone, pool paid exactly what is owed,
    facility closed, accruedInterest never reverts, supplier paid value - pool leg."""
    order = world.order()
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    world.litho.token.mint("stranger", 3_000_000_00)
    prices = [world.pool.share_price()]
    for seconds, amount in (
        (3, 1),
        (7 * DAY + 11, 7),
        (13, 333_333_33),
        (DAY + 1, 1),
        (5 * DAY + 17, 1_000_000_01),
        (1, 3),
        (29, 99),
    ):
        world.session.advance_time(seconds)
        world.financing.repay(1, amount, by="stranger")
        prices.append(world.pool.share_price())
        pool_sane(world)
        world.pool.status()  # accruedInterest does not revert
    world.deliver(order)
    value_before = world.pool.status()
    token_sub = world.litho.token.balance_of("sub_hi")
    settled = world.financing.settle_order(order, sender="stranger")
    (ev,) = events(world.session, settled.tx_hash, world.financing.contract, "OrderSettled")
    prices.append(world.pool.share_price())
    assert prices == sorted(prices)
    assert world.financing.facility(1).status == "Repaid"
    status = world.pool.status()
    assert status.outstanding_principal == 0
    assert status.total_assets == status.idle
    assert status.idle >= value_before.idle + ev["toPool"]
    assert world.litho.token.balance_of("sub_hi") - token_sub == 3_000_000_00 - ev["toPool"]
    assert world.litho.token.balance_of(world.pool.address) == status.idle


def test_close_undelivered_after_partial_repay_records_only_what_the_pool_took(
    world: World,
) -> None:
    """the substitute repays part itself; closeUndelivered collects the rest from the
    reservation; the recovery is exactly that rest; repaying it restores line, tranche and
    balance to the pre-order values, and never more."""
    order = world.order()
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    before = world.litho.ledger.project("LITHO-14")
    world.session.advance_time(20 * DAY + 5)
    world.litho.token.mint("sub_hi", 1_000_000_00)
    world.financing.repay(1, 1_000_000_00, by="sub_hi")
    world.session.advance_time(135 * DAY)
    closed = world.financing.close_undelivered(order)
    (ev,) = events(
        world.session, closed.tx_hash, world.financing.contract, "OrderClosedUndelivered"
    )
    (col,) = events(world.session, closed.tx_hash, world.pool.contract, "FacilityCollected")
    assert ev["recovery"] == col["amount"]
    assert ev["recovery"] + ev["returned"] == 3_000_000_00
    with pytest.raises(ContractRevert):
        world.financing.close_undelivered(order)
    with pytest.raises(ContractRevert):
        world.financing.collect_facility(1, sender="stranger")
    with pytest.raises(ContractRevert):
        world.financing.settle_order(order, sender="stranger")
    world.litho.token.mint("sub_hi", ev["recovery"] + 5)
    _, repaid = world.litho.ledger.repay_recovery(
        "LITHO-14", "sub_hi", ev["recovery"] + 5, by="sub_hi"
    )
    assert repaid == ev["recovery"]
    after = world.litho.ledger.project("LITHO-14")
    assert (after.balance, after.reserved) == (before.balance, 0)
    assert [(line.spent, line.reserved) for line in after.lines] == [
        (line.spent, 0) for line in before.lines
    ]
    assert [m.spent for m in after.milestones] == [m.spent for m in before.milestones]
    assert world.litho.token.balance_of(world.litho.ledger.address) == after.balance
    report = run_audit(world.session)
    assert report.clean, [c.detail for c in report.checks if not c.ok]


def test_claims_of_several_funders_after_odd_recoveries_never_exceed_the_balance(
    world: World,
) -> None:
    """three funders of co-prime shares; recoveries repaid in odd pieces after close,
    claims in between; every claim succeeds, sum of claims <= what the ledger holds,
    nobody gets more than floor(share x (closed balance + recoveries))."""
    ledger, token = world.litho.ledger, world.litho.token
    for name, amount in (("stranger", 7), ("team", 1_000_003)):
        token.mint(name, amount)
        ledger.fund("LITHO-14", amount, funder=name)
    orders = [world.order(value=v, due="30d") for v in (1_000_000_01, 999_999_97)]
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    world.session.advance_time(100 * DAY)
    for o in orders:
        world.financing.close_undelivered(o)
    owed = {s: ledger.recovery_owed("LITHO-14", s) for s in ("sub_hi", "sub_mid", "sub_lo")}
    debtors = [s for s, v in owed.items() if v]
    ledger.close("LITHO-14")
    funders = ("gov_fund", "stranger", "team")
    got = dict.fromkeys(funders, 0)

    def claim_all() -> None:
        for funder in funders:
            amount = ledger.claimable("LITHO-14", funder)
            if amount:
                b = token.balance_of(funder)
                ledger.claim("LITHO-14", funder=funder)
                got[funder] += token.balance_of(funder) - b
        assert token.balance_of(ledger.address) == ledger.project("LITHO-14").balance

    claim_all()
    for debtor in debtors:
        left = owed[debtor]
        for piece in (1, 3, 7_777_777, left):
            piece = min(piece, left)
            if not piece:
                break
            token.mint(debtor, piece)
            ledger.repay_recovery("LITHO-14", debtor, piece, by=debtor)
            left -= piece
            claim_all()
    funded = ledger.project("LITHO-14").funded
    pot = sum(got.values()) + token.balance_of(ledger.address)
    contributions = {f.address: f.amount for f in ledger.project("LITHO-14").funders}
    for funder in funders:
        assert got[funder] == contributions[world.a(funder)] * pot // funded
    assert token.balance_of(ledger.address) < len(funders)  # dust only
    report = run_audit(world.session)  # the audit reflects recoveries after close
    assert report.clean, [c.detail for c in report.checks if not c.ok]
    (book,) = [p for p in report.projects if p.project == "LITHO-14"]
    assert book.recovered == sum(owed.values())


def test_collect_then_settle_pays_the_pool_once_and_audit_stays_clean(
    world: World,
) -> None:
    """collection at due by a stranger (ledger paused), then delivery and settlement:
    the pool is paid once, the supplier the rest; a second collect/settle/close reverts;
    deposit and withdrawal by a second bank around it move no value; audit clean."""
    order = world.order()
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    world.session.advance_time(120 * DAY)
    world.litho.token.mint("stranger", 1_000_000_00)
    world.pool.deposit(1_000_000_00, by="stranger")
    world.litho.ledger.pause()
    collected = world.financing.collect_facility(1, sender="stranger")
    world.litho.ledger.unpause()
    (leg,) = events(
        world.session, collected.tx_hash, world.financing.contract, "PoolRepaidFromReservation"
    )
    world.deliver(order)
    settled = world.financing.settle_order(order, sender="stranger")
    (ev,) = events(world.session, settled.tx_hash, world.financing.contract, "OrderSettled")
    assert (ev["toPool"], ev["toSupplier"]) == (0, 3_000_000_00 - leg["amount"])
    for call in (
        lambda: world.financing.collect_facility(1, sender="stranger"),
        lambda: world.financing.settle_order(order, sender="stranger"),
        lambda: world.financing.close_undelivered(order),
    ):
        with pytest.raises(ContractRevert):
            call()
    world.pool.withdraw(world.pool.assets_of("stranger"), by="stranger")
    assert 999_999_99 <= world.litho.token.balance_of("stranger") <= 1_000_000_01
    report = run_audit(world.session)
    assert report.clean, [c.detail for c in report.checks if not c.ok]


def test_full_reservation_taken_then_project_closed_before_close_undelivered(
    world: World,
) -> None:
    """advances lowered so that what some facilities owe at stop is the whole
    reservation; collection closes those reservations, so the owner can close the project
    while such an order is still Financed; closeUndelivered then records the whole value
    as a recovery on the closed project; its repayment is claimable; audit clean."""
    world.policy(max_order_horizon_days=3650, grace_days=365, base_rate_bps=4500, margin_bps=500)
    world.policy(exposure_cap_bps=10_000, project_cap_bps=10_000, window_cap_bps=10_000)
    values = [100_000_00 + 7 * i for i in range(10)]
    orders = [world.order(value=v, due=f"{5 * 365}d") for v in values]
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert all(o.financed for o in report.outcomes)
    world.session.advance_time(7 * 365 * DAY)
    ledger = world.litho.ledger
    for facility in range(1, len(orders) + 1):
        world.financing.collect_facility(facility, sender="stranger")
    left = {o: ledger.contract.functions.reservationLeft(P, o).call() for o in orders}
    full = [o for o in orders if left[o] == 0]
    assert full, left
    for o in orders:
        if o != full[0]:
            world.financing.close_undelivered(o)
    ledger.close("LITHO-14")  # order full[0] is still Financed
    assert world.financing.order(full[0]).status == "Financed"
    closed = world.financing.close_undelivered(full[0])
    (ev,) = events(
        world.session, closed.tx_hash, world.financing.contract, "OrderClosedUndelivered"
    )
    assert (ev["recovery"], ev["returned"]) == (world.financing.order(full[0]).value, 0)
    ledger.claim("LITHO-14", funder="gov_fund")
    debtor = ev["substitute"]
    alias = next(a for a in ("sub_hi", "sub_mid", "sub_lo") if world.a(a) == debtor)
    owed = ledger.recovery_owed("LITHO-14", alias)
    world.litho.token.mint(alias, owed)
    ledger.repay_recovery("LITHO-14", alias, owed, by=alias)
    assert ledger.claimable("LITHO-14", "gov_fund") == owed
    ledger.claim("LITHO-14", funder="gov_fund")
    assert world.litho.token.balance_of(ledger.address) == 0
    pool_sane(world)
    assert world.pool.status().outstanding_principal == 0
    report_ = run_audit(world.session)
    assert report_.clean, [c.detail for c in report_.checks if not c.ok]


def test_overdue_order_and_extreme_policy_never_make_the_report_revert(
    world: World,
) -> None:
    """the harshest policy the range checks allow (100 % advance, 50 % rate, 365 days
    grace, 365 days' lag, 10-year horizon, the smallest advance one unit) with tiny, overdue
    and far orders: reportDisruption finances or passes over each, never reverts; every
    facility fits its reservation at its stop."""
    world.policy(
        band_advance_bps=[10_000, 10_000, 10_000],
        base_rate_bps=4500,
        margin_bps=500,
        grace_days=365,
        payment_lag_days=365,
        max_order_horizon_days=3650,
        min_advance=1,
        exposure_cap_bps=10_000,
        project_cap_bps=10_000,
        window_cap_bps=10_000,
    )
    orders = [
        world.order(value=1, due="1d"),
        world.order(value=2, due="2d"),
        world.order(value=3_000_000_00, due="3650d"),
        world.order(value=1_999_999_99, due="1d"),
    ]
    world.session.advance_time(3 * DAY)  # two orders overdue
    report = world.financing.report_disruption("resist_a", "FIRE")
    assert len(report.outcomes) == len(orders)
    for ev in events(world.session, report.tx_hash, world.financing.contract, "SubstituteFinanced"):
        opened = stamp(world, report.tx_hash)
        owed = ev["amount"] - (
            -ev["amount"] * ev["rateBps"] * (ev["stop"] - opened) // (YEAR * 10_000)
        )
        assert owed <= world.financing.order(ev["order"]).value
    pool_sane(world)


def test_recovery_cannot_be_reported_by_one_oracle_without_suspension(world: World) -> None:
    """with quorum 2, a lone oracle's recovery report leaves the supplier Disrupted, and a
    stale vote from an earlier window is not counted."""
    roles.grant(world.session, "oracle", "stranger")
    world.policy(quorum=2)
    f = world.financing
    f.report_disruption("resist_a", "FIRE")
    f.report_disruption("resist_a", "FIRE", sender="stranger")
    f.report_recovery("resist_a")
    world.session.advance_time(DAY + 1)
    f.report_recovery("resist_a", sender="stranger")
    assert world.litho.registry.supplier("resist_a").status == "Disrupted"


@pytest.mark.slow
def test_max_per_call_allowed_by_policy_fits_a_block(world: World) -> None:
    """The worst case the policy allows: 12 orders per call (`MAX_PER_CALL`), a part's 16
    substitutes all eligible (15 pass-over events per order), each having declared 16
    upstream inputs (read for SHARED_UPSTREAM), the supplier in a region. A report at quorum,
    and a regional shock at quorum (a member's look and 11 orders), each fit under the
    2**24 per-transaction cap of EIP-7825 (and so a 30 M block)."""
    from chain_client.chain.accounts import AliasTarget

    registry = world.litho.registry
    inputs = [f"IN{i}" for i in range(16)]
    for i in range(13):
        name = f"sub_x{i}"
        world.session.accounts.add(name, AliasTarget(index=16 + i))
        registry.register(name, name, ["ARF_RESIST"], 8_000_000_00)
        registry.rate(name, 600 + i)
        registry.qualify("ARF_RESIST", "30d", supplier=name)
    for name in ["sub_hi", "sub_mid", "sub_lo"] + [f"sub_x{i}" for i in range(13)]:
        registry.declare_inputs(name, inputs)
    registry.set_region("resist_a", "EAST")
    world.policy(max_per_call=12)
    for _ in range(12):
        world.order(value=100_000_00)
    f = world.financing.contract.functions
    oracle = {"from": world.a("oracle")}
    limit = min(int(world.session.w3.eth.get_block("latest")["gasLimit"]), 2**24)
    report = f.reportDisruption(world.a("resist_a"), b"FIRE".ljust(32, b"\0"), bytes(32))
    shock = f.reportRegionalShock(b"EAST".ljust(32, b"\0"), b"FLOOD".ljust(32, b"\0"), bytes(32))
    gas = (report.estimate_gas(oracle), shock.estimate_gas(oracle))
    assert max(gas) <= limit, gas


def test_the_flow_diagram_shows_recovered_money_entering_the_project(
    world: World,
) -> None:
    """A recovery repaid to a project enters its node in the flow diagram, so the node
    balances to the ledger's balance after the recovery is repaid and claimed."""
    from chain_client.audit.html import flows
    from chain_client.audit.report import audit_with_books

    order = world.order(due="30d")
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    world.session.advance_time(100 * DAY)
    world.financing.collect_facility(1, sender="stranger")
    world.financing.close_undelivered(order)
    ledger = world.litho.ledger
    owed = ledger.recovery_owed("LITHO-14", "sub_hi")
    world.litho.token.mint("sub_hi", owed)
    ledger.repay_recovery("LITHO-14", "sub_hi", owed, by="sub_hi")
    ledger.close("LITHO-14")
    ledger.claim("LITHO-14", funder="gov_fund")
    report, books = audit_with_books(world.session)
    assert report.clean
    links = flows(books, lambda a: a, world.pool.address)
    node = "project LITHO-14"
    inflow = sum(v for (a, b), v in links.items() if b == node)
    outflow = sum(v for (a, b), v in links.items() if a == node)
    assert inflow - outflow == ledger.project("LITHO-14").balance
