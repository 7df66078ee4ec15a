"""Checks of the books, re-derived from events independently of the contracts' own rules,
and patterns worth a human look (never "unclean" on their own)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak
from pydantic import BaseModel, ConfigDict

from ..orders import POLICY_FIELDS
from ..units import format_amount
from .books import Books, Row, raw, settlement_legs, text

ACTIVE = 1


def _amt(units: int, grouping: bool = True) -> str:
    return format_amount(units, grouping=grouping)


WEEK = 7 * 86400
HOUR = 3600


class Check(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    ok: bool
    detail: str
    failures: list[str] = []


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    subject: str
    detail: str


def _check(name: str, failures: list[str], passed: str) -> Check:
    if failures:
        return Check(
            name=name,
            ok=False,
            detail=f"{len(failures)} failure(s): {failures[0]}",
            failures=failures,
        )
    return Check(name=name, ok=True, detail=passed)


def check_conservation(books: Books, views: dict[str, int]) -> Check:
    """Per project: funded − disbursed − refunded (events) = the ledger's balance (state)."""
    failures = []
    for pid, p in books.projects.items():
        view = views.get(pid)
        if view is None or view != p.balance:
            failures.append(
                f"{pid}: events say {_amt(p.balance)}, the ledger says "
                f"{_amt(view) if view is not None else 'nothing'}"
            )
    return _check("project conservation", failures, f"{len(books.projects)} project balances match")


def check_holdings(
    books: Books, held: dict[str, int], pool_idle_view: int
) -> tuple[list[Check], list[Finding]]:
    """Each contract holds at least what its events say; more is unattributed surplus."""
    expected = {
        "FundLedger": sum(p.balance for p in books.projects.values()),
        "FinancingPool": books.pool.cash,
        "SubstituteFinancing": 0,
    }
    failures, findings = [], []
    for contract, want in expected.items():
        have = held.get(contract, 0)
        if have < want:
            failures.append(f"{contract} holds {_amt(have)}; its events say {_amt(want)}")
        elif have > want:
            findings.append(
                Finding(
                    kind="unattributed surplus",
                    subject=contract,
                    detail=f"holds {_amt(have - want)} more than its events account for",
                )
            )
    checks = [_check("contract holdings", failures, "every contract holds what its events say")]
    pool_ok = (
        []
        if books.pool.cash == pool_idle_view
        else [f"events say {_amt(books.pool.cash)} idle, the pool says {_amt(pool_idle_view)}"]
    )
    checks.append(_check("pool cash", pool_ok, f"idle cash {_amt(books.pool.cash)} as events say"))
    return checks, findings


def check_rules(rows: list[Row], addresses: Mapping[str, str]) -> list[Check]:
    """Budget caps, approved milestones, eligible payees, dual control and traceable
    facilities, replayed. Money leaving a project through an order is judged at its final
    payee, like a direct payment (a part set off against the payee's recoveries too); the pool
    is an eligible payee only for what it books against a facility in the same transaction."""
    pool = addresses.get("FinancingPool")
    caps: dict[tuple[str, str], int] = {}
    spent: dict[tuple[str, str], int] = defaultdict(int)
    approved: set[tuple[str, int]] = set()
    status: dict[str, int] = {}
    team: dict[tuple[str, str], bool] = {}
    over_cap, unapproved, ineligible = [], [], []
    collected = _pool_bookings(rows)
    dual = _dual_control_failures(rows)
    legs = settlement_legs(rows)
    owes: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        name, a = row["event"], row["args"]
        where = f"block {row['block']} log {row['log_index']}"
        if name == "BudgetLineSet":
            caps[(text(a["project"]), text(a["category"]))] = int(a["cap"])
        elif name == "MilestoneApproved":
            approved.add((text(a["project"]), int(a["milestone"])))
        elif name == "SupplierStatusChanged":
            status[a["supplier"]] = int(a["current"])
        elif name == "TeamWalletSet":
            team[(text(a["project"]), a["wallet"])] = bool(a["allowed"])
        elif name in ("FundsDisbursed", "RecoverySetOff"):
            pid, category, milestone = text(a["project"]), text(a["category"]), int(a["milestone"])
            key = (pid, category)
            spent[key] += int(a["amount"])
            if spent[key] > caps.get(key, 0):
                over_cap.append(
                    f"{where}: {pid} {category} spent {_amt(spent[key])} "
                    f"of a {_amt(caps.get(key, 0))} cap"
                )
            if (pid, milestone) not in approved:
                unapproved.append(
                    f"{where}: {pid} paid against milestone {milestone} before its approval"
                )
            if name == "RecoverySetOff":
                # nothing is paid to the debtor: its debt to the project falls, and it must
                # have owed at least that much
                owed = owes[(pid, a["debtor"])]
                if int(a["amount"]) > owed:
                    ineligible.append(
                        f"{where}: {pid} set off {_amt(int(a['amount']))} against "
                        f"{a['debtor']}, which owed it {_amt(owed)} in recoveries"
                    )
                continue
            payee = a["to"]
            owed = owes[(pid, payee)]
            if owed and (row["block"], row["log_index"]) not in legs:
                ineligible.append(
                    f"{where}: {pid} paid {payee} directly while it owed the project "
                    f"{_amt(owed)} in recoveries (not set off)"
                )
            if payee == pool:
                booked = collected[row["tx"]]
                if booked[int(a["amount"])] > 0:
                    booked[int(a["amount"])] -= 1
                else:
                    ineligible.append(
                        f"{where}: {pid} paid the pool {_amt(int(a['amount']))} that it booked "
                        "against no facility"
                    )
            elif status.get(payee) != ACTIVE and not team.get((pid, payee)):
                ineligible.append(
                    f"{where}: {pid} paid {payee}, neither Active nor a team wallet then"
                )
        elif name == "RecoveryRecorded":
            owes[(text(a["project"]), a["debtor"])] += int(a["amount"])
        elif name == "RecoveryRepaid":  # recovered money restores the line
            spent[(text(a["project"]), text(a["category"]))] -= int(a["amount"])
            owes[(text(a["project"]), a["debtor"])] -= int(a["amount"])
    return [
        _check("budget caps", over_cap, "no budget line over its cap"),
        _check("approved milestones", unapproved, "every payment against an approved milestone"),
        _check(
            "eligible payees",
            ineligible,
            "every payee Active, an allowed team wallet, or the pool for what a facility owed",
        ),
        _check(
            "dual control",
            dual,
            "every payment at or above a dual-control threshold, direct or through an order, "
            "approved by the reviewer",
        ),
        _check(
            "batches paid once",
            batch_failures(rows),
            "every payment run paid in order, each position once, each batch with the payments its "
            "event counts",
        ),
        _check(
            "facilities traceable",
            facility_failures(rows),
            "every facility follows a disruption report; substitute, terms and ranking as the "
            "policy and the substitute's opt-in say",
        ),
    ]


def batch_failures(rows: list[Row]) -> list[str]:
    """A keyed batch (`BatchPaid`) that does not start where the last batch of its payment
    run ended (a position paid again, or positions skipped), or that is not the payments
    just before it: the last `count` payments of its project in its transaction must total
    its `total` and hash to its `payments` (`keccak256(abi.encode(payments))`)."""
    failures = []
    # per project and run (as recorded: bytes, not text that two names could share): how
    # many payments are paid, and the block of the last batch
    paid: dict[tuple[str, str], tuple[int, int]] = {}
    # a project's payments in a transaction since its last keyed batch there; a batch's own
    # are the last `count` before its `BatchPaid` (a multi-send may pay others before it)
    pending: dict[tuple[str, str], list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        a = row["args"]
        if row["event"] == "FundsDisbursed":
            pending[(row["tx"], a["project"])].append(
                (
                    a["to"],
                    int(a["amount"]),
                    raw(a["category"]),
                    int(a["milestone"]),
                    raw(a["ref"]),
                    a["memo"],
                )
            )
            continue
        if row["event"] != "BatchPaid":
            continue
        project, run = text(a["project"]), text(a["run"])
        first, count = int(a["first"]), int(a["count"])
        done, last = paid.get((a["project"], a["run"]), (0, 0))
        shown = (
            f"block {row['block']}: payments {first + 1}-{first + count} of run {run} of {project}"
        )
        if first < done:
            failures.append(
                f"{shown} paid again (the run's first {done} were paid by block {last})"
            )
        elif first > done:
            failures.append(f"{shown} paid with payments {done + 1}-{first} never paid")
        paid[(a["project"], a["run"])] = (max(done, first + count), int(row["block"]))
        before = pending.pop((row["tx"], a["project"]), [])
        own = before[-count:] if count else []
        total = sum(p[1] for p in own)
        if (len(own), total) != (count, int(a["total"])):
            failures.append(
                f"{shown} count {count} payments of {_amt(int(a['total']))}; its transaction "
                f"paid {len(own)} of {_amt(total)} just before it"
            )
        elif keccak(abi_encode([f"({_PAYMENT})[]"], [own])) != raw(a["payments"]):
            failures.append(f"{shown}: its payments hash is not that of the payments it paid")
    return failures


#: The ABI tuple of one payment, as `disburseBatch` takes it and `BatchPaid` hashes it.
_PAYMENT = "address,uint256,bytes32,uint256,bytes32,string"


def _pool_bookings(rows: list[Row]) -> dict[str, Counter[int]]:
    """Per transaction, the amounts the pool booked against a facility (`FacilityCollected`),
    each as many times as it was booked."""
    out: dict[str, Counter[int]] = defaultdict(Counter)
    for row in rows:
        if row["event"] == "FacilityCollected" and row["contract"] == "FinancingPool":
            out[row["tx"]][int(row["args"]["amount"])] += 1
    return out


def _dual_control_failures(rows: list[Row]) -> list[str]:
    """A direct payment at or above its project's threshold needs a matching reviewer
    approval (`PaymentApproved`, used once); money paid out of an order registered pending
    needs the order's `OrderApproved` first."""
    thresholds: dict[str, int] = {}
    approvals: dict[tuple[str, str, int], int] = defaultdict(int)
    pending: set[int] = set()
    legs = settlement_legs(rows)
    failures = []
    for row in rows:
        name, a = row["event"], row["args"]
        if name == "ProjectCreated":
            thresholds[text(a["project"])] = int(list(_values(a["thresholds"]))[0])
        elif name == "PaymentApproved":
            approvals[(text(a["project"]), a["to"], int(a["amount"]))] += 1
        elif name == "OrderRegistered":
            # re-derived from the value and the threshold, not taken from the event's flag
            threshold = thresholds.get(text(a["project"]), 0)
            if threshold and int(a["value"]) >= threshold:
                pending.add(int(a["order"]))
                if not a.get("pending"):
                    failures.append(
                        f"order {a['order']} of {text(a['project'])}: {_amt(int(a['value']))} is "
                        f"at or above the dual-control threshold {_amt(threshold)} but was "
                        "registered without awaiting approval"
                    )
        elif name == "OrderApproved":
            pending.discard(int(a["order"]))
        elif name == "FundsDisbursed":
            pid, amount = text(a["project"]), int(a["amount"])
            where = f"block {row['block']} log {row['log_index']}"
            order = legs.get((row["block"], row["log_index"]))
            if order is not None:
                if order in pending:
                    failures.append(
                        f"{where}: {pid} paid {_amt(amount)} out of order {order}, which the "
                        "reviewer never approved"
                    )
                continue
            threshold = thresholds.get(pid, 0)
            if threshold and amount >= threshold:
                key = (pid, a["to"], amount)
                if approvals[key] > 0:
                    approvals[key] -= 1
                else:
                    failures.append(
                        f"{where}: {pid} paid {_amt(amount)} to {a['to']}, at or above its "
                        f"dual-control threshold {_amt(threshold)}, with no reviewer approval"
                    )
    return failures


def _values(raw: Any) -> list[Any]:
    return list(raw.values()) if isinstance(raw, dict) else list(raw)


def _policy(raw: Any) -> dict[str, Any]:
    values = list(raw.values()) if isinstance(raw, dict) else list(raw)
    return dict(zip(POLICY_FIELDS, values, strict=True))


def _stage_terms(raw: Any) -> dict[str, Any]:
    """`StageTermsUpdated`'s stages as the two lists of the policy's record (None: zero)."""
    stages: list[list[Any]] = (
        [_values(s) for s in raw] if raw is not None else [[[0, 0, 0], 0] for _ in range(4)]
    )
    return {
        "stage_advance_bps": [[int(x) for x in shares] for shares, _ in stages],
        "stage_max_tenor_days": [int(tenor) for _, tenor in stages],
    }


def _band_share(terms: dict[str, Any], score: int, stage: int) -> int:
    """The share of an order's value advanced to a substitute scoring `score` on an order of
    life-cycle `stage`: its band's share for the stage, or the band's own when the stage sets
    none (0 below every band)."""
    shares = [int(x) for x in terms["stage_advance_bps"][stage]]
    if not any(shares):
        shares = [int(x) for x in terms["band_advance_bps"]]
    for floor, share in zip(terms["band_floors"], shares, strict=True):
        if score >= int(floor):
            return int(share)
    return 0


@dataclass
class _Seen:
    """What the facility check knows at each point of the log."""

    terms: dict[int, dict[str, Any]] = field(default_factory=dict)
    since: dict[int, int] = field(default_factory=dict)  # version -> when it took effect
    until: dict[int, int] = field(default_factory=dict)  # version -> when it was replaced
    notice_days: int = 0
    policy: dict[str, Any] = field(default_factory=dict)
    stage: dict[str, Any] = field(default_factory=lambda: _stage_terms(None))
    scores: dict[str, int] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    disrupted: dict[int, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    offers: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    orders: dict[int, tuple[str, int, int]] = field(default_factory=dict)  # part, due, value
    stages: dict[tuple[str, int], int] = field(default_factory=dict)  # (project, milestone)
    order_stage: dict[int, int] = field(default_factory=dict)
    financed_orders: set[int] = field(default_factory=set)
    passed: dict[tuple[str, int], list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    opted_out: set[str] = field(default_factory=set)


def facility_failures(rows: list[Row]) -> list[str]:
    """Every facility re-derived from the events before it: a project whose terms allow
    substitute financing; one facility per order; a disruption report of the previous
    supplier; an Active substitute with an opt-in for the order's part (lead time, terms
    version) still valid (the current version, or an earlier one within the notice period);
    its score in a band of that version, whose share for the stage of the order's milestone,
    rate, payment lag and grace the facility carries (and that stage); its due date and stop,
    no later after opening than the stage's longest tenor; the advance at most the band's
    share, equal to it unless marked lowered, and what it owes at its stop within the order's
    value; every other candidate on the list passed over in the same call, none as
    LOWER_SCORE with a better score or a delivery in time the chosen one cannot make, and none
    as LATER_DELIVERY unless the chosen one can deliver in time."""
    seen = _Seen()
    financed: dict[str, Row] = {}
    failures: list[str] = []
    for row in rows:
        name, a = row["event"], row["args"]
        t = int(row.get("time") or 0)
        if name == "ProjectCreated" and a.get("substituteFinancing") is False:
            seen.opted_out.add(a["project"])
        elif name in ("PolicyUpdated", "StageTermsUpdated"):
            if name == "PolicyUpdated":
                seen.policy = _policy(a["policy"])
                seen.notice_days = int(seen.policy["notice_days"])
            else:
                seen.stage = _stage_terms(a["stages"])
            version = int(a["termsVersion"])
            if version not in seen.terms:
                if version - 1 in seen.terms:
                    seen.until[version - 1] = t
                seen.since[version] = t
            # a version's terms do not change while it is current: this restates them
            seen.terms[version] = {**seen.policy, **seen.stage}
        elif name == "SupplierRated":
            seen.scores[a["supplier"]] = int(a["score"])
        elif name == "SupplierStatusChanged":
            seen.status[a["supplier"]] = int(a["current"])
        elif name == "SupplierDisrupted":
            seen.disrupted[int(a["episode"])] = a["supplier"]
        elif name == "SubstituteQualified":
            part = text(a["part"])
            if a["supplier"] not in seen.lists[part]:
                seen.lists[part].append(a["supplier"])
            seen.offers[(part, a["supplier"])] = (int(a["leadDays"]), int(a["termsVersion"]))
        elif name in ("SubstituteWithdrawn", "SubstituteRemoved"):
            part = text(a["part"])
            seen.offers.pop((part, a["supplier"]), None)
            if a["supplier"] in seen.lists[part]:
                seen.lists[part].remove(a["supplier"])
        elif name == "MilestoneAdded":
            seen.stages[(a["project"], int(a["milestone"]))] = int(a["stage"])
        elif name == "OrderRegistered":
            seen.orders[int(a["order"])] = (text(a["part"]), int(a["due"]), int(a["value"]))
            stage = seen.stages.get((a["project"], int(a["milestone"])), 0)
            seen.order_stage[int(a["order"])] = stage
        elif name == "SubstitutePassedOver":
            seen.passed[(row["tx"], int(a["order"]))].append((a["candidate"], text(a["reason"])))
        elif name == "SubstituteFinanced":
            financed[row["tx"] + str(a["facility"])] = row
            order = int(a["order"])
            if a["project"] in seen.opted_out:
                failures.append(
                    f"facility {a['facility']}: {text(a['project'])}'s terms exclude substitute "
                    "financing"
                )
            if order in seen.financed_orders:
                failures.append(f"facility {a['facility']}: order {order} was already financed")
            seen.financed_orders.add(order)
        elif name == "FacilityTerms":
            opened = financed.pop(row["tx"] + str(a["facility"]), None)
            if opened is None:
                failures.append(f"facility {a['facility']}: terms with no advance before them")
                continue
            failures += _facility_terms_failures(opened, a, seen)
    for row in financed.values():
        failures.append(f"facility {row['args']['facility']}: advanced with no terms recorded")
    return failures


def _facility_terms_failures(row: Row, t: dict[str, Any], seen: _Seen) -> list[str]:
    a = row["args"]
    where = f"facility {a['facility']} (block {row['block']})"
    failures = []
    if seen.disrupted.get(int(a["episode"])) != a["previousSupplier"]:
        failures.append(f"{where}: no disruption report #{a['episode']} of {a['previousSupplier']}")
    order = int(a["order"])
    part, order_due, value = seen.orders.get(order, ("", 0, 0))
    score = seen.scores.get(a["to"], 0)
    version = int(t["termsVersion"])
    opened = int(row["time"]) if row.get("time") is not None else 0
    offer = seen.offers.get((part, a["to"]))
    if offer is None or offer != (int(t["leadDays"]), version):
        failures.append(f"{where}: {a['to']} had no opt-in for {part} with these terms: {offer}")
    if seen.status.get(a["to"], ACTIVE) != ACTIVE:
        failures.append(f"{where}: {a['to']} was not Active when financed")
    policy = seen.terms.get(version)
    if policy is None:
        return failures + [f"{where}: terms version {version} was never published"]
    replaced = seen.until.get(version)
    if replaced is not None and opened >= replaced + seen.notice_days * 86_400:
        failures.append(
            f"{where}: terms version {version} was replaced and its notice period had ended"
        )
    stage = seen.order_stage.get(order, 0)
    share = _band_share(policy, score, stage)
    expected = {
        "stage": stage,
        "score": score,
        "advanceBps": share,
        "paymentLagDays": int(policy["payment_lag_days"]),
        "graceDays": int(policy["grace_days"]),
    }
    for key, want in expected.items():
        if int(t[key]) != want:
            failures.append(f"{where}: {key} {t[key]}; the opt-in's terms give {want}")
    if share == 0:
        failures.append(f"{where}: substitute score {score} is below every band")
    rate = int(policy["base_rate_bps"]) + int(policy["margin_bps"])
    if int(a["rateBps"]) != rate:
        failures.append(f"{where}: rate {a['rateBps']} bps; terms version {version} give {rate}")
    if opened:
        ready = opened + int(t["leadDays"]) * 86_400
        due = max(order_due, ready) + int(policy["payment_lag_days"]) * 86_400
        stop = -(-due // 86_400) * 86_400 + int(policy["grace_days"]) * 86_400
        if (int(a["due"]), int(a["stop"])) != (due, stop):
            failures.append(f"{where}: due {a['due']} stop {a['stop']}; terms give {due} {stop}")
        if bool(t["deliverable"]) != (ready <= order_due):
            failures.append(f"{where}: deliverability recorded wrongly")
        longest = int(policy["stage_max_tenor_days"][stage])
        if longest and int(a["due"]) - opened > longest * 86_400:
            failures.append(
                f"{where}: falls due {(int(a['due']) - opened) / 86_400:g} days after opening; "
                f"the longest for its stage is {longest} days"
            )
    nominal = value * share // 10_000
    amount, lowered = int(a["amount"]), bool(a["lowered"])
    if amount > nominal or (not lowered and amount != nominal):
        failures.append(f"{where}: advance {_amt(amount)}; the band's share is {_amt(nominal)}")
    owed = amount + -(
        -amount * int(a["rateBps"]) * (int(a["stop"]) - opened) // (365 * 86_400 * 10_000)
    )
    if opened and owed > value:
        failures.append(
            f"{where}: would owe {_amt(owed)} at its stop, more than the order's {_amt(value)}"
        )
    failures += _ranking_failures(where, row, t, seen, part, order_due, score)
    return failures


def _ranking_failures(
    where: str, row: Row, t: dict[str, Any], seen: _Seen, part: str, order_due: int, score: int
) -> list[str]:
    a = row["args"]
    opened = int(row.get("time") or 0)
    passed = seen.passed.get((row["tx"], int(a["order"])), [])
    failures = []
    named = {candidate for candidate, _ in passed}
    for candidate in seen.lists.get(part, []):
        if candidate not in named and candidate not in (a["to"], a["previousSupplier"]):
            failures.append(
                f"{where}: {candidate}, on the list, was neither chosen nor passed over"
            )
    chosen_in_time = bool(t["deliverable"])
    for other, reason in passed:
        lead = seen.offers.get((part, other), (0, 0))[0]
        other_in_time = bool(lead) and opened + lead * 86_400 <= order_due
        if reason == "LOWER_SCORE":
            if other_in_time and not chosen_in_time:
                failures.append(
                    f"{where}: {other} could deliver in time and the chosen one could not"
                )
            elif other_in_time == chosen_in_time and seen.scores.get(other, 0) > score:
                failures.append(
                    f"{where}: {other} scored {seen.scores[other]}, above the chosen {score}"
                )
        if reason == "LATER_DELIVERY" and not chosen_in_time:
            failures.append(f"{where}: {other} passed over for later delivery by a late substitute")
    return failures


def patterns(rows: list[Row], books: Books, addresses: Mapping[str, str]) -> list[Finding]:
    """Worth a human look: on-chain risk flags, payee concentration, bursts, splits just
    under dual control, payments soon after a payee's registration."""
    out: list[Finding] = []
    registered: dict[str, int] = {}
    payments: dict[str, list[Row]] = defaultdict(list)
    pool = addresses.get("FinancingPool")
    for row in rows:
        a = row["args"]
        if row["event"] == "RiskFlagged":
            out.append(
                Finding(
                    kind=f"risk flag {text(a['code'])}",
                    subject=text(a["project"]),
                    detail=f"block {row['block']}, value {a['value']}",
                )
            )
        elif row["event"] == "SupplierRegistered":
            registered[a["supplier"]] = row.get("time") or 0
        elif row["event"] == "FundsDisbursed" and a["to"] != pool:
            payments[text(a["project"])].append(row)
            since = registered.get(a["to"])
            if since is not None and row.get("time") is not None and row["time"] - since < WEEK:
                out.append(
                    Finding(
                        kind="paid soon after registration",
                        subject=a["to"],
                        detail=f"{_amt(int(a['amount']))} within a week of registering",
                    )
                )
    for pid, rows_of in payments.items():
        book = books.projects.get(pid)
        if book is None:
            continue
        direct = sum(int(r["args"]["amount"]) for r in rows_of)
        if direct and direct >= book.budget // 10:
            for payee, amount in book.by_payee.items():
                if payee != pool and amount * 2 > direct:
                    out.append(
                        Finding(
                            kind="payee concentration",
                            subject=pid,
                            detail=f"{payee} received {amount * 100 // direct}% of direct payments",
                        )
                    )
        times = [r.get("time") or 0 for r in rows_of]
        for i in range(len(times) - 4):
            if times[i + 4] - times[i] <= HOUR:
                out.append(
                    Finding(
                        kind="burst of payments",
                        subject=pid,
                        detail=f"5 payments within an hour from block {rows_of[i]['block']}",
                    )
                )
                break
        threshold, margin = book.thresholds[0], book.thresholds[1] or book.thresholds[0] // 10
        if threshold:
            near: dict[str, list[int]] = defaultdict(list)
            for r in rows_of:
                if threshold - margin <= int(r["args"]["amount"]) < threshold:
                    near[r["args"]["to"]].append(r.get("time") or 0)
            for payee, stamps in near.items():
                if any(b - a <= WEEK for a, b in zip(stamps, stamps[1:], strict=False)):
                    out.append(
                        Finding(
                            kind="split under dual control",
                            subject=pid,
                            detail=f"{payee} paid just under the threshold twice within a week",
                        )
                    )
    return out
