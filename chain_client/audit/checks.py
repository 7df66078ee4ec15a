"""Checks of the books, re-derived from events independently of the contracts' own rules,
and patterns worth a human look (never "unclean" on their own)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..orders import POLICY_FIELDS
from ..units import format_amount
from .books import Books, Row, settlement_legs, text

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
            payee = a["to"] if name == "FundsDisbursed" else a["debtor"]
            if payee == pool and name == "FundsDisbursed":
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
        elif name == "RecoveryRepaid":  # recovered money restores the line
            spent[(text(a["project"]), text(a["category"]))] -= int(a["amount"])
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
            "facilities traceable",
            facility_failures(rows),
            "every facility follows a disruption report; substitute, terms and ranking as the "
            "policy and the substitute's opt-in say",
        ),
    ]


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


def _band_share(terms: dict[str, Any], score: int) -> int:
    for floor, share in zip(terms["band_floors"], terms["band_advance_bps"], strict=True):
        if score >= int(floor):
            return int(share)
    return 0


def facility_failures(rows: list[Row]) -> list[str]:
    """Every facility re-derived from the events before it: a project whose terms allow
    substitute financing; a disruption report of the previous supplier; the substitute's
    score, opt-in (lead time, terms version) and the terms of that version (share by band,
    rate, payment lag, grace); its due date and stop; the advance at most the band's share,
    and equal to it unless marked lowered; and the ranking (deliverable by the order's due
    date, then score) against every candidate passed over as LATER_DELIVERY or LOWER_SCORE."""
    terms: dict[int, dict[str, Any]] = {}
    scores: dict[str, int] = {}
    disrupted: dict[int, str] = {}
    offers: dict[tuple[str, str], tuple[int, int]] = {}  # (part, substitute) -> (lead, version)
    orders: dict[int, tuple[str, int, int]] = {}  # order -> (part, due, value)
    passed: dict[int, list[tuple[str, str]]] = defaultdict(list)
    financed: dict[str, Row] = {}
    opted_out: set[str] = set()
    failures: list[str] = []
    for row in rows:
        name, a = row["event"], row["args"]
        if name == "ProjectCreated" and a.get("substituteFinancing") is False:
            opted_out.add(a["project"])
        elif name == "PolicyUpdated":
            policy = _policy(a["policy"])
            terms[int(a["termsVersion"])] = policy
        elif name == "SupplierRated":
            scores[a["supplier"]] = int(a["score"])
        elif name == "SupplierDisrupted":
            disrupted[int(a["episode"])] = a["supplier"]
        elif name == "SubstituteQualified":
            offers[(text(a["part"]), a["supplier"])] = (int(a["leadDays"]), int(a["termsVersion"]))
        elif name in ("SubstituteWithdrawn", "SubstituteRemoved"):
            offers.pop((text(a["part"]), a["supplier"]), None)
        elif name == "OrderRegistered":
            orders[int(a["order"])] = (text(a["part"]), int(a["due"]), int(a["value"]))
        elif name == "SubstitutePassedOver":
            passed[int(a["order"])].append((a["candidate"], text(a["reason"])))
        elif name == "SubstituteFinanced":
            financed[row["tx"] + str(a["facility"])] = row
            if a["project"] in opted_out:
                failures.append(
                    f"facility {a['facility']}: {text(a['project'])}'s terms exclude substitute "
                    "financing"
                )
        elif name == "FacilityTerms":
            opened = financed.pop(row["tx"] + str(a["facility"]), None)
            if opened is None:
                failures.append(f"facility {a['facility']}: terms with no advance before them")
                continue
            failures += _facility_terms_failures(
                opened, a, terms, scores, disrupted, offers, orders, passed
            )
    for row in financed.values():
        failures.append(f"facility {row['args']['facility']}: advanced with no terms recorded")
    return failures


def _facility_terms_failures(
    row: Row,
    t: dict[str, Any],
    terms: dict[int, dict[str, Any]],
    scores: dict[str, int],
    disrupted: dict[int, str],
    offers: dict[tuple[str, str], tuple[int, int]],
    orders: dict[int, tuple[str, int, int]],
    passed: dict[int, list[tuple[str, str]]],
) -> list[str]:
    a = row["args"]
    where = f"facility {a['facility']} (block {row['block']})"
    failures = []
    if disrupted.get(int(a["episode"])) != a["previousSupplier"]:
        failures.append(f"{where}: no disruption report #{a['episode']} of {a['previousSupplier']}")
    order = int(a["order"])
    part, order_due, value = orders.get(order, ("", 0, 0))
    score = scores.get(a["to"], 0)
    version = int(t["termsVersion"])
    offer = offers.get((part, a["to"]))
    if offer is None or offer != (int(t["leadDays"]), version):
        failures.append(f"{where}: {a['to']} had no opt-in for {part} with these terms: {offer}")
    policy = terms.get(version)
    if policy is None:
        return failures + [f"{where}: terms version {version} was never published"]
    share = _band_share(policy, score)
    expected = {
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
    opened = int(row["time"]) if row.get("time") is not None else None
    if opened is not None:
        ready = opened + int(t["leadDays"]) * 86_400
        due = max(order_due, ready) + int(policy["payment_lag_days"]) * 86_400
        stop = -(-due // 86_400) * 86_400 + int(policy["grace_days"]) * 86_400
        if (int(a["due"]), int(a["stop"])) != (due, stop):
            failures.append(f"{where}: due {a['due']} stop {a['stop']}; terms give {due} {stop}")
        if bool(t["deliverable"]) != (ready <= order_due):
            failures.append(f"{where}: deliverability recorded wrongly")
    nominal = value * share // 10_000
    amount, lowered = int(a["amount"]), bool(a["lowered"])
    if amount > nominal or (not lowered and amount != nominal):
        failures.append(f"{where}: advance {_amt(amount)}; the band's share is {_amt(nominal)}")
    for other, reason in passed.get(order, []):
        if reason == "LOWER_SCORE" and scores.get(other, 0) > score:
            failures.append(f"{where}: {other} scored {scores[other]}, above the chosen {score}")
        if reason == "LATER_DELIVERY" and not t["deliverable"]:
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
