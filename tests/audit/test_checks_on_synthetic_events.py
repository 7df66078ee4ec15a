"""Each audit check passes on consistent events and fails on synthetic events that break it."""

from __future__ import annotations

from typing import Any

from chain_client.audit.books import build_books
from chain_client.audit.checks import check_conservation, check_holdings, check_rules, patterns
from chain_client.units import to_bytes32

LEDGER, POOL, FIN = "0x" + "1" * 40, "0x" + "2" * 40, "0x" + "3" * 40
ADDRESSES = {"FundLedger": LEDGER, "FinancingPool": POOL, "SubstituteFinancing": FIN}
FUNDER, SUPPLIER, SUB, OTHER = "0x" + "a" * 40, "0x" + "b" * 40, "0x" + "c" * 40, "0x" + "d" * 40


def b32(text: str) -> str:
    return "0x" + to_bytes32(text).hex()


class Chain:
    """A tiny event builder: each event gets the next block and a time an hour later."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def pay(self, amount: int, milestone: int = 0, to: str = SUPPLIER) -> Chain:
        """A FundsDisbursed of LITHO-14 from its MATERIALS line."""
        return self.add(
            "FundsDisbursed",
            project=b32("LITHO-14"),
            **{"from": LEDGER},
            to=to,
            amount=amount,
            category=b32("MATERIALS"),
            milestone=milestone,
            ref="0x" + "0" * 64,
            memo="",
        )

    def add(self, event: str, contract: str = "FundLedger", **args: Any) -> Chain:
        n = len(self.rows) + 1
        self.rows.append(
            {
                "event": event,
                "contract": contract,
                "block": n,
                "time": 1_900_000_000 + n * 3600,
                "tx": f"0x{n:064x}",
                "log_index": 0,
                "args": args,
                "types": {},
            }
        )
        return self

    def also(self, event: str, contract: str = "FundLedger", **args: Any) -> Chain:
        """Another event in the same transaction (and block) as the last one."""
        last = self.rows[-1]
        self.rows.append(
            {
                "event": event,
                "contract": contract,
                "block": last["block"],
                "time": last["time"],
                "tx": last["tx"],
                "log_index": last["log_index"] + 1,
                "args": args,
                "types": {},
            }
        )
        return self


POLICY = {
    "bandFloors": [800, 700, 600],
    "bandAdvanceBps": [8000, 7000, 5000],
    "baseRateBps": 400,
    "marginBps": 100,
    "paymentLagDays": 30,
    "graceDays": 30,
    "noticeDays": 30,
    "maxLeadDays": 365,
    "minAdvance": 1,
    "exposureCapBps": 5000,
    "projectCapBps": 5000,
    "windowCapBps": 5000,
    "windowDays": 30,
    "quorum": 1,
    "quorumWindow": 86400,
    "maxPerCall": 10,
    "acceptanceDays": 14,
    "maxOrderHorizonDays": 1095,
    "shockCapBps": 5000,
}
DAY = 86_400
ORDER_DUE = 1_900_000_000 + 100 * DAY


def financing(
    chain: Chain,
    *,
    score_band_share: int = 8000,
    lead: int = 30,
    passed: tuple[tuple[str, str], ...] = (),
    **changes: Any,
) -> Chain:
    """SubstituteFinanced of order 1 (value 200, due ORDER_DUE) to SUB and its FacilityTerms,
    as the trigger derives them at the next row's time; `changes` overrides the advance's
    fields."""
    opened = 1_900_000_000 + (len(chain.rows) + 1) * 3600
    due = max(ORDER_DUE, opened + lead * DAY) + 30 * DAY
    args = {
        "order": 1,
        "facility": 1,
        "project": b32("LITHO-14"),
        "from": POOL,
        "to": SUB,
        "amount": 200 * score_band_share // 10_000,
        "previousSupplier": SUPPLIER,
        "rateBps": 500,
        "due": due,
        "episode": 1,
        "stop": -(-due // DAY) * DAY + 30 * DAY,
        "lowered": False,
        **changes,
    }
    for i, (candidate, reason) in enumerate(passed):  # in the same call, before it
        (chain.add if i == 0 else chain.also)(
            "SubstitutePassedOver",
            "SubstituteFinancing",
            order=args["order"],
            candidate=candidate,
            reason=b32(reason),
        )
    (chain.also if passed else chain.add)("SubstituteFinanced", "SubstituteFinancing", **args)
    return chain.also(
        "FacilityTerms",
        "SubstituteFinancing",
        facility=args["facility"],
        termsVersion=1,
        stage=0,
        score=810,
        advanceBps=score_band_share,
        leadDays=lead,
        paymentLagDays=30,
        graceDays=30,
        deliverable=opened + lead * DAY <= ORDER_DUE,
    )


def good() -> Chain:
    """Consistent books: a funded project, a direct payment, a deposit, an order and its
    financing after a disruption (OTHER passed over in the same call)."""
    return financing(base(), passed=((OTHER, "LOWER_SCORE"),))


def base() -> Chain:
    p = b32("LITHO-14")
    chain = (
        Chain()
        .add("PolicyUpdated", "FinancingPolicy", policy=POLICY, termsVersion=1)
        .add(
            "SupplierRegistered",
            "SupplierRegistry",
            supplier=SUPPLIER,
            name=b32("A"),
            parts=[],
            capacity=1,
        )
        .add("SupplierStatusChanged", "SupplierRegistry", supplier=SUPPLIER, previous=0, current=1)
        .add("SupplierRated", "SupplierRegistry", supplier=SUB, previousScore=0, score=810)
        .add("SupplierRated", "SupplierRegistry", supplier=OTHER, previousScore=0, score=650)
        .add(
            "SubstituteQualified",
            "SupplierRegistry",
            part=b32("RESIST"),
            supplier=SUB,
            position=0,
            leadDays=30,
            termsVersion=1,
        )
        .add(
            "ProjectCreated",
            project=p,
            owner=FUNDER,
            creator=FUNDER,
            budget=1000,
            thresholds=[0, 0, 0, 0],
        )
        .add("BudgetLineSet", project=p, category=b32("MATERIALS"), cap=1000)
        .add("ProjectFunded", project=p, **{"from": FUNDER}, to=LEDGER, amount=1000)
        .add("MilestoneApproved", project=p, milestone=0, reviewer=OTHER, evidence="0x" + "0" * 64)
        .add(
            "FundsDisbursed",
            project=p,
            **{"from": LEDGER},
            to=SUPPLIER,
            amount=300,
            category=b32("MATERIALS"),
            milestone=0,
            ref="0x" + "0" * 64,
            memo="",
        )
        .add("Deposit", "FinancingPool", sender=OTHER, owner=OTHER, assets=500, shares=500_000)
        .add(
            "OrderRegistered",
            "SubstituteFinancing",
            order=1,
            project=p,
            part=b32("RESIST"),
            supplier=SUPPLIER,
            value=200,
            category=b32("MATERIALS"),
            milestone=0,
            due=ORDER_DUE,
            po=b32("PO-1"),
            pending=False,
        )
        .add(
            "SupplierDisrupted", "SubstituteFinancing", supplier=SUPPLIER, episode=1, windowRoom=250
        )
    )
    return chain


def run(
    chain: Chain,
    views: dict[str, int] | None = None,
    held: dict[str, int] | None = None,
    idle: int = 340,
):
    books = build_books(chain.rows, ADDRESSES)
    checks = [check_conservation(books, views if views is not None else {"LITHO-14": 700})]
    holding_checks, findings = check_holdings(
        books, held if held is not None else {"FundLedger": 700, "FinancingPool": 340}, idle
    )
    checks += holding_checks + check_rules(chain.rows, ADDRESSES)
    return {c.name: c for c in checks}, findings, books


def test_consistent_events_pass_every_check() -> None:
    checks, findings, books = run(good())
    assert all(c.ok for c in checks.values()), [c.detail for c in checks.values() if not c.ok]
    assert findings == []
    assert (books.projects["LITHO-14"].balance, books.pool.cash) == (700, 340)


def test_conservation_fails_when_the_ledger_disagrees() -> None:
    checks, _, _ = run(good(), views={"LITHO-14": 701})
    assert not checks["project conservation"].ok
    assert (
        "LITHO-14: events say 7.00, the ledger says 7.01" in checks["project conservation"].detail
    )


def test_holdings_fail_on_a_shortfall_and_report_a_surplus_apart() -> None:
    checks, _, _ = run(good(), held={"FundLedger": 699, "FinancingPool": 340})
    assert not checks["contract holdings"].ok
    checks, findings, _ = run(good(), held={"FundLedger": 750, "FinancingPool": 340})
    assert checks["contract holdings"].ok
    assert [(f.kind, f.subject) for f in findings] == [("unattributed surplus", "FundLedger")]


def test_pool_cash_fails_when_the_pool_disagrees() -> None:
    checks, _, _ = run(good(), idle=341)
    assert not checks["pool cash"].ok


def test_budget_cap_fails_when_spend_passes_the_cap() -> None:
    chain = good()
    chain.pay(amount=701, milestone=0)
    checks, _, _ = run(chain, views={"LITHO-14": -1})
    assert not checks["budget caps"].ok
    assert "MATERIALS spent 10.01 of a 10.00 cap" in checks["budget caps"].detail


def test_unapproved_milestone_fails() -> None:
    chain = good()
    chain.pay(amount=1, milestone=1)
    checks, _, _ = run(chain)
    assert not checks["approved milestones"].ok
    assert "milestone 1 before its approval" in checks["approved milestones"].detail


def test_ineligible_payee_fails_at_that_block() -> None:
    chain = good()
    chain.add("SupplierStatusChanged", "SupplierRegistry", supplier=SUPPLIER, previous=1, current=2)
    chain.pay(amount=1, milestone=0)
    checks, _, _ = run(chain)
    assert not checks["eligible payees"].ok
    assert SUPPLIER in checks["eligible payees"].detail


def test_facility_without_a_report_or_off_policy_fails() -> None:
    chain = financing(
        good(), facility=2, previousSupplier=OTHER, episode=9, rateBps=650, amount=161
    )
    failures = run(chain)[0]["facilities traceable"].failures
    assert any("no disruption report #9" in f for f in failures)
    assert any("rate 650 bps; terms version 1 give 500" in f for f in failures)
    assert any("advance 1.61; the band's share is 1.60" in f for f in failures)


def test_a_facility_off_its_tenor_or_without_an_opt_in_fails() -> None:
    failures = run(financing(good(), facility=2, due=ORDER_DUE))[0]["facilities traceable"].failures
    assert any(f.startswith("facility 2") and "terms give" in f for f in failures)
    unqualified = good()
    unqualified.add(
        "SubstituteRemoved",
        "SupplierRegistry",
        part=b32("RESIST"),
        supplier=SUB,
        reason=b32("SUSPENDED"),
        by=OTHER,
    )
    failures = run(financing(unqualified, facility=2))[0]["facilities traceable"].failures
    assert any("had no opt-in for RESIST" in f for f in failures)


def test_a_facility_on_a_project_that_excluded_substitute_financing_fails() -> None:
    chain = good()
    created = next(r for r in chain.rows if r["event"] == "ProjectCreated")
    created["args"]["substituteFinancing"] = False
    failures = run(chain)[0]["facilities traceable"].failures
    assert failures == ["facility 1: LITHO-14's terms exclude substitute financing"]


def test_a_facility_without_its_terms_fails() -> None:
    chain = good()
    chain.rows.pop()  # the FacilityTerms
    failures = run(chain)[0]["facilities traceable"].failures
    assert failures == ["facility 1: advanced with no terms recorded"]


def test_a_better_scored_candidate_passed_over_fails() -> None:
    chain = base()
    chain.add("SupplierRated", "SupplierRegistry", supplier=OTHER, previousScore=650, score=900)
    chain.add(
        "SubstituteQualified",
        "SupplierRegistry",
        part=b32("RESIST"),
        supplier=OTHER,
        position=1,
        leadDays=30,
        termsVersion=1,
    )
    financing(chain, passed=((OTHER, "LOWER_SCORE"),))
    checks, _, _ = run(chain)
    assert not checks["facilities traceable"].ok
    assert "scored 900, above the chosen 810" in checks["facilities traceable"].detail


def test_later_delivery_is_no_reason_when_the_chosen_one_is_late_too() -> None:
    chain = base()
    chain.add(
        "SubstituteQualified",
        "SupplierRegistry",
        part=b32("RESIST"),
        supplier=SUB,
        position=0,
        leadDays=200,
        termsVersion=1,
    )
    financing(chain, lead=200, passed=((OTHER, "LATER_DELIVERY"),))
    failures = run(chain)[0]["facilities traceable"].failures
    assert any("passed over for later delivery by a late substitute" in f for f in failures)


def test_a_second_facility_on_one_order_fails() -> None:
    chain = financing(good(), facility=2)
    failures = run(chain)[0]["facilities traceable"].failures
    assert "facility 2: order 1 was already financed" in failures


def test_patterns_are_findings_not_failures() -> None:
    chain = good()
    p = b32("LITHO-14")
    for _ in range(5):
        chain.rows.append(
            {
                "event": "FundsDisbursed",
                "contract": "FundLedger",
                "block": 50,
                "time": 1_900_100_000,
                "tx": "0x" + "f" * 64,
                "log_index": 0,
                "types": {},
                "args": {
                    "project": p,
                    "from": LEDGER,
                    "to": SUPPLIER,
                    "amount": 1,
                    "category": b32("MATERIALS"),
                    "milestone": 0,
                    "ref": "0x",
                    "memo": "",
                },
            }
        )
    chain.add(
        "RiskFlagged", project=p, code=b32("PAYEE_SHARE"), subject="0x" + "0" * 64, value=10000
    )
    books = build_books(chain.rows, ADDRESSES)
    kinds = {f.kind for f in patterns(chain.rows, books, ADDRESSES)}
    assert {
        "risk flag PAYEE_SHARE",
        "payee concentration",
        "burst of payments",
        "paid soon after registration",
    } <= kinds


def order_registered(chain: Chain, order: int, *, pending: bool) -> Chain:
    return chain.add(
        "OrderRegistered",
        "SubstituteFinancing",
        order=order,
        project=b32("LITHO-14"),
        part=b32("X"),
        supplier=SUPPLIER,
        value=200,
        category=b32("MATERIALS"),
        milestone=0,
        due=1,
        po=b32(f"PO-{order}"),
        pending=pending,
    )


def settled(chain: Chain, order: int, *, to_pool: int = 0, to_supplier: int = 200) -> Chain:
    """A settlement transaction: the ledger's legs, the pool's booking, the split."""
    if to_pool:
        chain.pay(to_pool, to=POOL)
        chain.also(
            "FacilityCollected",
            "FinancingPool",
            facility=1,
            amount=to_pool,
            interest=0,
            principal=to_pool,
            closed=True,
        )
        pay = chain.also
    else:
        pay = chain.add
    pay(
        "FundsDisbursed",
        project=b32("LITHO-14"),
        **{"from": LEDGER},
        to=SUPPLIER,
        amount=to_supplier,
        category=b32("MATERIALS"),
        milestone=0,
        ref="0x" + "0" * 64,
        memo="",
    )
    return chain.also(
        "OrderSettled",
        "SubstituteFinancing",
        order=order,
        project=b32("LITHO-14"),
        supplier=SUPPLIER,
        toSupplier=to_supplier,
        toPool=to_pool,
        po=b32(f"PO-{order}"),
    )


def with_threshold(threshold: int) -> Chain:
    chain = good()
    created = next(r for r in chain.rows if r["event"] == "ProjectCreated")
    created["args"]["thresholds"] = [threshold, 0, 0, 0]
    return chain


def test_an_order_paid_out_without_the_reviewers_approval_fails_dual_control() -> None:
    views, held = {"LITHO-14": 500}, {"FundLedger": 500, "FinancingPool": 340}
    chain = with_threshold(150)
    order_registered(chain, 2, pending=False)  # the flag is not trusted: 2.00 >= 1.50
    settled(chain, 2, to_supplier=200)
    checks, _, _ = run(chain, views=views, held=held)
    about_order = [f for f in checks["dual control"].failures if "order 2" in f]
    assert about_order == [
        "order 2 of LITHO-14: 2.00 is at or above the dual-control threshold 1.50 but was "
        "registered without awaiting approval",
        "block 19 log 0: LITHO-14 paid 2.00 out of order 2, which the reviewer never approved",
    ]
    approved = with_threshold(150)
    order_registered(approved, 2, pending=True)
    approved.add(
        "OrderApproved", "SubstituteFinancing", order=2, project=b32("LITHO-14"), reviewer=OTHER
    )
    settled(approved, 2, to_supplier=200)
    checks, _, _ = run(approved, views=views, held=held)
    assert [f for f in checks["dual control"].failures if "order 2" in f] == []


def test_a_direct_payment_at_the_threshold_without_approval_fails_dual_control() -> None:
    chain = with_threshold(300)  # good() already paid 300 to SUPPLIER with no approval
    checks, _, _ = run(chain)
    assert not checks["dual control"].ok
    assert "at or above its dual-control threshold 3.00, with no reviewer approval" in (
        checks["dual control"].detail
    )
    approved = with_threshold(300)
    index = next(i for i, r in enumerate(approved.rows) if r["event"] == "FundsDisbursed")
    approved.rows.insert(
        index,
        {
            **approved.rows[index],
            "event": "PaymentApproved",
            "args": {
                "project": b32("LITHO-14"),
                "approval": "0x" + "0" * 64,
                "to": SUPPLIER,
                "amount": 300,
                "reviewer": OTHER,
            },
            "log_index": -1,
        },
    )
    checks, _, _ = run(approved)
    assert checks["dual control"].ok, checks["dual control"].detail


def test_the_pool_is_an_eligible_payee_only_for_what_it_books_against_a_facility() -> None:
    chain = good()
    settled(chain, 1, to_pool=100, to_supplier=100)
    views, held = {"LITHO-14": 500}, {"FundLedger": 500, "FinancingPool": 440}
    checks, _, books = run(chain, views=views, held=held, idle=440)
    assert checks["eligible payees"].ok, checks["eligible payees"].detail
    assert books.pool.cash == 440 and books.suppliers[SUPPLIER].received == 400
    assert POOL not in books.suppliers
    stray = good()
    stray.pay(100, to=POOL)  # the pool paid with nothing booked against a facility
    checks, _, _ = run(
        stray, views={"LITHO-14": 600}, held={"FundLedger": 600, "FinancingPool": 440}
    )
    assert not checks["eligible payees"].ok
    assert (
        "paid the pool 1.00 that it booked against no facility" in checks["eligible payees"].detail
    )


def test_a_substitute_scored_below_every_band_fails() -> None:
    chain = good()
    rated = next(
        r for r in chain.rows if r["event"] == "SupplierRated" and r["args"]["supplier"] == SUB
    )
    rated["args"]["score"] = 599  # the lowest band starts at 600
    failures = run(chain)[0]["facilities traceable"].failures
    assert "facility 1 (block 15): substitute score 599 is below every band" in failures


def test_a_facility_off_its_stage_terms_fails() -> None:
    """The research stage advances 40 % for the band of 810 and allows 60 days from opening
    to due; the facility took the bands' own 80 % and runs 130 days, and recorded the pilot
    stage for a research milestone."""
    chain = base()
    stages = [[[4000, 3000, 2000], 60], [[0, 0, 0], 0], [[0, 0, 0], 0], [[0, 0, 0], 0]]
    stage_row = Chain().add("StageTermsUpdated", "FinancingPolicy", stages=stages, termsVersion=1)
    chain.rows.insert(1, stage_row.rows[0])
    chain = financing(chain, passed=((OTHER, "LOWER_SCORE"),))
    chain.rows[-1]["args"]["stage"] = 1
    failures = run(chain)[0]["facilities traceable"].failures
    where = f"facility 1 (block {chain.rows[-2]['block']})"
    assert f"{where}: stage 1; the opt-in's terms give 0" in failures
    assert f"{where}: advanceBps 8000; the opt-in's terms give 4000" in failures
    opened = chain.rows[-2]["time"]
    days = (ORDER_DUE + 30 * DAY - opened) / DAY
    assert (
        f"{where}: falls due {days:g} days after opening; the longest for its stage is 60 days"
        in failures
    )
