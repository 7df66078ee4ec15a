"""Replay every financing decision from events alone and compare it with what was recorded.

The state the contracts decided on is rebuilt event by event: the policy and every terms
version, each supplier's status, score, capacity and exposure, each part's substitute list
with lead times and terms versions, each order and its place in its supplier's work list,
approved milestones, projects' exposure and terms, the pool's cash and every facility's
value to the second, and what each supplier's disruptions drew in the rolling window. Then:

- every trigger call (the events between a report's quorum, or the start of a
  `processDisruption`, and its `DisruptionProcessed`) is run again here: which orders were
  handled in which order, every candidate passed over and why, the substitute chosen, the
  advance, rate, due date and stop, the terms record, every `SubstituteUnavailable` reason,
  and the rolling-window room a report announced;
- every collection is split again into interest and principal to the second, every
  repayment of a pool out of a reservation is checked against what the facility owed, and
  every settlement against the pool-first rule and what was left for the supplier.

This is an implementation of the rules independent of the contracts and of the client's
wrappers (it shares only the decoded event rows), so that a bug in one shows in the other.
Integer arithmetic mirrors the contracts' exactly (rounding included).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..orders import STAGES
from .books import Row, text
from .checks import _band_share, _policy, _stage_terms

DAY = 86_400
BPS = 10_000
SCALE = 365 * DAY * BPS
ACTIVE = 1
DISRUPTED = 2
TRIGGER_EVENTS = {
    "SubstitutePassedOver",
    "SubstituteUnavailable",
    "SubstituteFinanced",
    "FacilityTerms",
}


@dataclass(frozen=True)
class Disagreement:
    """A decision the events record that the rules, replayed, do not give."""

    where: str
    rule: str
    recorded: str
    replayed: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: recorded {self.recorded}; replayed {self.replayed}"


@dataclass(frozen=True)
class TriggerCall:
    """One trigger call as replayed: when, whose disruption, and each order's decision."""

    block: int
    supplier: str
    episode: int
    orders: list[tuple[int, list[str]]]


@dataclass
class Replay:
    decisions: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    calls: list[TriggerCall] = field(default_factory=list)
    #: order -> lines telling what happened to it, in words, in order
    stories: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class _Facility:
    order: int
    substitute: str
    project: str
    principal: int
    owed0: int
    t0: int
    stop: int
    rate: int
    open: bool = True

    def owed(self, t: int) -> int:
        """What it owes at `t`, scaled by 365 days x 10,000 (the pool's rule)."""
        until, start = min(t, self.stop), min(self.t0, self.stop)
        return self.owed0 + self.principal * self.rate * (until - start)


@dataclass
class _Order:
    id: int
    project: str
    part: str
    supplier: str
    value: int
    milestone: int
    due: int
    status: str
    facility: int = 0
    reserved: int = 0


@dataclass
class _State:
    policy: dict[str, Any] = field(default_factory=dict)
    terms: dict[int, dict[str, Any]] = field(default_factory=dict)
    version: int = 0
    status: dict[str, int] = field(default_factory=dict)
    score: dict[str, int] = field(default_factory=dict)
    capacity: dict[str, int] = field(default_factory=dict)
    committed: dict[str, int] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    offers: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    orders: dict[int, _Order] = field(default_factory=dict)
    open: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    cursor: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    approved: set[tuple[str, int]] = field(default_factory=set)
    #: (project, milestone) -> life-cycle stage (0 research ... 3 market)
    stages: dict[tuple[str, int], int] = field(default_factory=dict)
    opted_out: set[str] = field(default_factory=set)
    exposure: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    project_exposure: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    draws: dict[str, list[list[int]]] = field(default_factory=lambda: defaultdict(list))
    heads: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    idle: int = 0
    facilities: dict[int, _Facility] = field(default_factory=dict)
    episode: dict[str, int] = field(default_factory=dict)
    #: facility -> what it owed (units) just before its last collection
    owed_before: dict[int, int] = field(default_factory=dict)
    #: quorum rounds by ("supplier", address) or ("region", code)
    rounds: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: the terms by stage in force (`StageTermsUpdated`; zero until one)
    stage_terms: dict[str, Any] = field(default_factory=lambda: _stage_terms(None))
    #: supplier -> its region (text; absent: none)
    region: dict[str, str] = field(default_factory=dict)
    #: region -> its member list as the registry keeps it (only grows)
    members: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: supplier -> the parts it makes, and the upstream inputs it declared (raw codes)
    supplies: dict[str, set[Any]] = field(default_factory=dict)
    inputs: dict[str, list[Any]] = field(default_factory=dict)
    #: shock -> {region, cap, drawn, cursor, in_force}; region -> its latest shock
    shocks: dict[int, dict[str, Any]] = field(default_factory=dict)
    region_shock: dict[str, int] = field(default_factory=dict)
    #: supplier -> the shock that disrupted it (absent: none)
    shock_of: dict[str, int] = field(default_factory=dict)

    def shock_for(self, supplier: str) -> int:
        """The shock whose cap `supplier`'s advances draw on: the one that disrupted it, else
        the one in force in its region (a member reported on its own before the shock)."""
        return self.shock_of.get(supplier, 0) or self.in_force(self.region.get(supplier))

    def in_force(self, region: str | None) -> int:
        """The shock in force in `region` (0: none)."""
        shock = self.region_shock.get(region or "", 0)
        return shock if shock and self.shocks[shock]["in_force"] else 0

    def total_assets(self, t: int) -> int:
        owed = sum(f.owed(t) for f in self.facilities.values() if f.open)
        return self.idle + owed // SCALE

    def drawn(self, supplier: str, span: int, t: int) -> int:
        """What `supplier`'s disruptions drew in the rolling window at `t`: one entry per day,
        a day leaving the window `span` after it ends; days that left are dropped for good
        (as the contract does)."""
        draws, head = self.draws[supplier], self.heads[supplier]
        while head < len(draws) and (draws[head][0] + 1) * DAY + span <= t:
            head += 1
        self.heads[supplier] = head
        return sum(amount for _, amount in draws[head:])

    def draw(self, supplier: str, t: int, amount: int) -> None:
        draws, day = self.draws[supplier], t // DAY
        if len(draws) > self.heads[supplier] and draws[-1][0] == day:
            draws[-1][1] += amount
        else:
            draws.append([day, amount])

    def terms_for(self, version: int, t: int) -> tuple[dict[str, Any], bool]:
        terms = self.terms[version]
        until = terms["until"]
        return terms, until is None or t < until + int(self.policy["notice_days"]) * DAY


def _owed_at_stop(principal: int, rate: int, start: int, stop: int) -> int:
    return principal + -(-principal * rate * (stop - start) // SCALE)


def _drop(items: list[int], item: int) -> None:
    """The contract's swap-and-pop removal from a work list."""
    index = items.index(item)
    items[index] = items[-1]
    items.pop()


def _when(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def _amount(units: int) -> str:
    sign = "-" if units < 0 else ""
    units = abs(units)
    return f"{sign}{units // 100:,}.{units % 100:02d}"


_Names = Callable[[str], str]


def replay(rows: list[Row], name_of: _Names | None = None) -> Replay:
    """Replay every trigger call, collection and settlement in `rows` (decoded events in
    chain order); `name_of` names an address in the stories (the workspace's alias)."""
    out = Replay()
    state = _State()
    name: _Names = name_of or (lambda address: address)
    for group in _transactions(rows):
        _check_recoveries_recorded(group, out, name)
        _check_votes(state, group, out, name)
        if any(r["event"] == "RegionalShockProcessed" for r in group):
            _replay_shock(state, group, out, name)
            continue
        end = next((i for i, r in enumerate(group) if r["event"] == "DisruptionProcessed"), None)
        if end is None:
            for row in group:
                _check_money(state, row, group, out, name)
                _apply(state, row, out, name)
            continue
        start = next((i + 1 for i, r in enumerate(group) if r["event"] == "SupplierDisrupted"), 0)
        for row in group[:start]:
            _check_announcement(state, row, out, name)
            _apply(state, row, out, name)
        _replay_call(state, group[start : end + 1], out, name)
        for row in group[start:]:
            _check_money(state, row, group, out, name)
            _apply(state, row, out, name)
    return out


def _code(value: str) -> str:
    """A region code as the replay keys it: its hex, exactly ("" for none). Its text is for
    people; two codes that are not UTF-8 would read the same."""
    return "" if int(value, 16) == 0 else value.lower()


def _transactions(rows: list[Row]) -> list[list[Row]]:
    groups: list[list[Row]] = []
    for row in rows:
        if groups and groups[-1][0]["tx"] == row["tx"]:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def _apply(state: _State, row: Row, out: Replay, name: _Names) -> None:
    """Move the rebuilt state past one recorded event."""
    event, a, t = row["event"], row["args"], int(row.get("time") or 0)
    if event in ("PolicyUpdated", "StageTermsUpdated"):
        if event == "PolicyUpdated":
            state.policy = _policy(a["policy"])
        else:
            state.stage_terms = _stage_terms(a["stages"])
        version = int(a["termsVersion"])
        if version != state.version:
            if state.version in state.terms:
                state.terms[state.version]["until"] = t
            p = state.policy
            state.terms[version] = {
                "band_floors": [int(x) for x in p["band_floors"]],
                "band_advance_bps": [int(x) for x in p["band_advance_bps"]],
                "rate": int(p["base_rate_bps"]) + int(p["margin_bps"]),
                "lag": int(p["payment_lag_days"]),
                "grace": int(p["grace_days"]),
                "until": None,
                **state.stage_terms,
            }
            state.version = version
    elif event == "ProjectCreated":
        if a.get("substituteFinancing") is False:
            state.opted_out.add(a["project"])
    elif event == "MilestoneAdded":
        state.stages[(a["project"], int(a["milestone"]))] = int(a["stage"])
    elif event == "MilestoneApproved":
        state.approved.add((a["project"], int(a["milestone"])))
    elif event == "SupplierRegistered":
        state.capacity[a["supplier"]] = int(a["capacity"])
        state.supplies[a["supplier"]] = set(a["parts"])
    elif event == "SupplierRegionSet":
        region = _code(a["region"])
        state.region[a["supplier"]] = region
        if region:
            state.members[region].append(a["supplier"])
    elif event == "SupplierInputsDeclared":
        state.inputs[a["supplier"]] = list(a["inputs"])
    elif event == "RegionalShock":
        shock = int(a["shock"])
        state.shocks[shock] = {
            "region": _code(a["region"]),
            "cap": int(a["cap"]),
            "drawn": 0,
            "cursor": 0,
            "position": 0,
            "size": int(a["members"]),
            "in_force": True,
        }
        state.region_shock[_code(a["region"])] = shock
    elif event == "RegionRecovered":
        if a["ended"]:
            state.shocks[int(a["shock"])]["in_force"] = False
    elif event == "RegionalShockProcessed":
        state.shocks[int(a["shock"])]["cursor"] = int(a["cursor"])
    elif event == "SupplierRecovered":
        if a["recovered"]:
            state.shock_of.pop(a["supplier"], None)
    elif event == "SupplierStatusChanged":
        state.status[a["supplier"]] = int(a["current"])
    elif event == "SupplierRated":
        state.score[a["supplier"]] = int(a["score"])
    elif event in ("CapacityCommitted", "CapacityReleased"):
        state.committed[a["supplier"]] = int(a["committed"])
    elif event == "SubstituteQualified":
        part = a["part"]
        if a["supplier"] not in state.lists[part]:
            state.lists[part].append(a["supplier"])
        state.offers[(part, a["supplier"])] = (int(a["leadDays"]), int(a["termsVersion"]))
    elif event in ("SubstituteWithdrawn", "SubstituteRemoved"):
        part = a["part"]
        if a["supplier"] in state.lists[part]:
            state.lists[part].remove(a["supplier"])
        state.offers.pop((part, a["supplier"]), None)
    elif event == "OrderRegistered":
        order = _Order(
            id=int(a["order"]),
            project=a["project"],
            part=a["part"],
            supplier=a["supplier"],
            value=int(a["value"]),
            milestone=int(a["milestone"]),
            due=int(a["due"]),
            status="Pending" if a["pending"] else "Open",
            reserved=int(a["value"]),
        )
        state.orders[order.id] = order
        state.open[order.supplier].append(order.id)
        out.stories[order.id].append(
            f"registered by {text(order.project)} with {name(order.supplier)} for "
            f"{_amount(order.value)}" + (", awaiting the reviewer" if a["pending"] else "")
        )
    elif event == "OrderApproved":
        state.orders[int(a["order"])].status = "Open"
        out.stories[int(a["order"])].append(f"approved by {name(a['reviewer'])}")
    elif event == "OrderCancelled":
        order = state.orders[int(a["order"])]
        _drop(state.open[order.supplier], order.id)
        order.status = "Cancelled"
        out.stories[order.id].append("cancelled by its owner")
    elif event == "DeliveryRecorded":
        order = state.orders[int(a["order"])]
        if order.status == "Open":
            _drop(state.open[order.supplier], order.id)
        order.status = "Delivered"
        out.stories[order.id].append(f"delivery recorded by {name(a['supplier'])}")
    elif event == "DeliveryAccepted":
        state.orders[int(a["order"])].status = "Accepted"
        out.stories[int(a["order"])].append("delivery accepted by the owner")
    elif event == "DeliveryRejected":
        order = state.orders[int(a["order"])]
        if order.facility:
            order.status = "Financed"
        else:
            order.status = "Open"
            state.open[order.supplier].append(order.id)
        out.stories[order.id].append(f"delivery rejected by {name(a['reviewer'])}")
    elif event == "SupplierDisrupted":
        state.episode[a["supplier"]] = int(a["episode"])
        state.cursor[a["supplier"]] = 0
        state.shock_of[a["supplier"]] = int(a.get("shock") or 0)
    elif event == "SubstituteFinanced":
        order = state.orders[int(a["order"])]
        amount, substitute = int(a["amount"]), a["to"]
        state.draw(a["previousSupplier"], t, amount)
        shock = state.shock_for(a["previousSupplier"])
        if shock:
            state.shocks[shock]["drawn"] += amount
        if order.id in state.open[a["previousSupplier"]]:
            _drop(state.open[a["previousSupplier"]], order.id)
        state.exposure[substitute] += amount
        state.project_exposure[order.project] += amount
        order.supplier, order.status, order.facility = substitute, "Financed", int(a["facility"])
        state.facilities[int(a["facility"])] = _Facility(
            order=order.id,
            substitute=substitute,
            project=order.project,
            principal=amount,
            owed0=amount * SCALE,
            t0=t,
            stop=int(a["stop"]),
            rate=int(a["rateBps"]),
        )
    elif event == "FacilityBooked":
        state.idle -= int(a["principal"])
    elif event == "FacilityCollected" and row["contract"] == "FinancingPool":
        f = state.facilities[int(a["facility"])]
        amount, principal = int(a["amount"]), int(a["principal"])
        state.idle += amount
        owed = f.owed(t)
        state.exposure[f.substitute] -= principal
        state.project_exposure[f.project] -= principal
        if a["closed"]:
            f.open, f.principal = False, 0
        else:
            f.principal -= principal
            f.owed0, f.t0 = owed - amount * SCALE, t
    elif event == "Deposit" and row["contract"] == "FinancingPool":
        state.idle += int(a["assets"])
    elif event == "Withdraw" and row["contract"] == "FinancingPool":
        state.idle -= int(a["assets"])
    elif event == "FundsDisbursed" or event == "RecoverySetOff":
        pass  # reservation legs are matched to their order in _check_money
    elif event == "OrderSettled":
        order = state.orders[int(a["order"])]
        order.status, order.reserved = "Settled", 0
    elif event == "OrderClosedUndelivered":
        order = state.orders[int(a["order"])]
        order.status, order.reserved = "ClosedUndelivered", 0
        out.stories[order.id].append(
            f"closed undelivered: {name(a['substitute'])} owes {_amount(int(a['recovery']))}; "
            f"{_amount(int(a['returned']))} returned to the project"
        )


def _replay_call(
    state: _State,
    segment: list[Row],
    out: Replay,
    name: _Names,
    budget: int | None = None,
    position: int | None = None,
) -> tuple[int, int, int]:
    """Run one trigger call again (at most `budget` orders; the policy's `maxPerCall` when
    not given; from `position` in the supplier's list for a shock's walk, which keeps its own,
    else from the supplier's cursor) and compare it with the events it recorded; returns the
    orders handled, the position reached and the list's length."""
    done = segment[-1]
    supplier, t = done["args"]["supplier"], int(done.get("time") or 0)
    where = f"block {done['block']} (trigger for {name(supplier)})"
    p = state.policy
    assets = state.total_assets(t)
    limits = {
        "exposure": assets * int(p["exposure_cap_bps"]) // BPS,
        "project": assets * int(p["project_cap_bps"]) // BPS,
        "window": assets * int(p["window_cap_bps"]) // BPS,
        "span": int(p["window_days"]) * DAY,
        "min": int(p["min_advance"]),
        "shock": state.shock_for(supplier),
        "shock_now": assets * int(p["shock_cap_bps"]) // BPS,
    }
    if budget is None:
        budget = int(p["max_per_call"])
    # decide on a copy of what a decision changes for the next order (exposure, capacity,
    # cash, the window, the work list); the recorded events then move the real state. Only
    # those are copied, so a call costs what it touches, not the size of the whole log.
    scratch = copy.copy(state)
    scratch.exposure = defaultdict(int, state.exposure)
    scratch.project_exposure = defaultdict(int, state.project_exposure)
    scratch.committed = dict(state.committed)
    scratch.heads = defaultdict(int, state.heads)
    scratch.draws = defaultdict(list, state.draws)
    scratch.draws[supplier] = [list(d) for d in state.draws[supplier]]
    scratch.open = defaultdict(list, state.open)
    scratch.open[supplier] = list(state.open[supplier])
    scratch.cursor = defaultdict(int, state.cursor)
    scratch.shocks = dict(state.shocks)
    if limits["shock"]:
        scratch.shocks[limits["shock"]] = dict(state.shocks[limits["shock"]])
    recorded = _recorded_outcomes(segment)
    expected: list[tuple[int, list[tuple[Any, ...]]]] = []
    work = scratch.open[supplier]
    cursor, handled = (scratch.cursor[supplier] if position is None else position), 0
    while handled < budget and cursor < len(work):
        order_id = work[cursor]
        outcome, financed = _decide(scratch, order_id, supplier, t, limits)
        expected.append((order_id, outcome))
        if financed:
            _drop(work, order_id)
        else:
            cursor += 1
        handled += 1
    if position is None:
        state.cursor[supplier] = 0 if cursor >= len(work) else cursor
    state.heads = scratch.heads  # draws that left the window are dropped for good
    out.decisions += len(expected)
    told = []
    for order_id, outcome in expected:
        lines = _describe(outcome, name, supplier)
        out.stories[order_id].extend(lines)
        told.append((order_id, lines))
    out.calls.append(
        TriggerCall(int(done["block"]), name(supplier), state.episode.get(supplier, 0), told)
    )
    got = [(o, outcome) for o, outcome in recorded]
    if got != expected:
        _report_mismatch(where, got, expected, out, name)
    a = done["args"]
    if (int(a["handled"]), int(a["waiting"])) != (handled, len(work)):
        out.disagreements.append(
            Disagreement(
                where,
                "orders handled and waiting",
                f"{a['handled']} and {a['waiting']}",
                f"{handled} and {len(work)}",
            )
        )
    return handled, cursor, len(work)


def _recorded_outcomes(segment: list[Row]) -> list[tuple[int, list[tuple[Any, ...]]]]:
    outcomes: list[tuple[int, list[tuple[Any, ...]]]] = []
    for row in segment:
        event, a = row["event"], row["args"]
        if event not in TRIGGER_EVENTS:
            continue
        if event == "FacilityTerms":
            outcomes[-1][1].append(
                (
                    "terms",
                    int(a["termsVersion"]),
                    int(a["stage"]),
                    int(a["score"]),
                    int(a["advanceBps"]),
                    int(a["leadDays"]),
                    int(a["paymentLagDays"]),
                    int(a["graceDays"]),
                    bool(a["deliverable"]),
                )
            )
            continue
        order = int(a["order"])
        if not outcomes or outcomes[-1][0] != order:  # each order is handled once per call
            outcomes.append((order, []))
        if event == "SubstitutePassedOver":
            outcomes[-1][1].append(("passed", a["candidate"], text(a["reason"])))
        elif event == "SubstituteUnavailable":
            outcomes[-1][1].append(("unavailable", text(a["reason"])))
        else:
            outcomes[-1][1].append(
                (
                    "financed",
                    a["to"],
                    int(a["amount"]),
                    int(a["rateBps"]),
                    int(a["due"]),
                    int(a["stop"]),
                    bool(a["lowered"]),
                )
            )
    return outcomes


def _decide(
    s: _State, order_id: int, disrupted: str, t: int, limits: dict[str, int]
) -> tuple[list[tuple[Any, ...]], bool]:
    """The trigger's decision on one order, on the scratch state (updated when financed)."""
    o = s.orders[order_id]
    if o.project in s.opted_out:
        return [("unavailable", "PROJECT_OPTED_OUT")], False
    if o.status == "Pending":
        return [("unavailable", "ORDER_NOT_APPROVED")], False
    if (o.project, o.milestone) not in s.approved:
        return [("unavailable", "MILESTONE_NOT_APPROVED")], False
    stage = s.stages.get((o.project, o.milestone), 0)
    outcome: list[tuple[Any, ...]] = []
    picks: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    for candidate in s.lists[o.part]:
        if candidate == disrupted:
            continue
        lead, version = s.offers[(o.part, candidate)]
        terms, valid = s.terms_for(version, t)
        score = s.score.get(candidate, 0)
        share = _band_share(terms, score, stage)
        longest = terms["stage_max_tenor_days"][stage]
        reason = None
        if s.status.get(candidate) != ACTIVE:
            reason = "NOT_ACTIVE"
        elif s.in_force(s.region.get(candidate)):
            reason = "SAME_REGION"
        elif any(part in s.supplies.get(disrupted, ()) for part in s.inputs.get(candidate, ())):
            reason = "SHARED_UPSTREAM"
        elif share == 0:
            reason = "LOW_SCORE"
        elif not valid:
            reason = "TERMS_CHANGED"
        elif longest and max(o.due, t + lead * DAY) + terms["lag"] * DAY - t > longest * DAY:
            reason = "TENOR_TOO_LONG"
        elif s.capacity.get(candidate, 0) - s.committed.get(candidate, 0) < o.value:
            reason = "NO_CAPACITY"
        elif s.exposure[candidate] + o.value * share // BPS > limits["exposure"]:
            reason = "EXPOSURE_CAP"
        if reason:
            outcome.append(("passed", candidate, reason))
            continue
        pick = {
            "account": candidate,
            "score": score,
            "lead": lead,
            "version": version,
            "deliverable": t + lead * DAY <= o.due,
            "share": share,
            "terms": terms,
        }
        picks.append(pick)
        if (
            best is None
            or (pick["deliverable"] and not best["deliverable"])
            or (pick["deliverable"] == best["deliverable"] and score > best["score"])
        ):
            best = pick
    for pick in picks:
        if pick is not best:
            assert best is not None
            later = best["deliverable"] and not pick["deliverable"]
            outcome.append(
                ("passed", pick["account"], "LATER_DELIVERY" if later else "LOWER_SCORE")
            )
    if best is None:
        return [*outcome, ("unavailable", "NO_SUBSTITUTE")], False
    terms = best["terms"]
    rate = terms["rate"]
    due = max(o.due, t + best["lead"] * DAY) + terms["lag"] * DAY
    stop = -(-due // DAY) * DAY + terms["grace"] * DAY
    advance, lowered = o.value * best["share"] // BPS, False
    if _owed_at_stop(advance, rate, t, stop) > o.value:
        lowered = True
        advance = o.value * SCALE // (SCALE + rate * (stop - t))
        while advance and _owed_at_stop(advance, rate, t, stop) > o.value:
            advance -= 1
    reason = None
    if advance == 0 or advance < limits["min"]:
        reason = "TOO_SMALL"
    elif s.idle < advance:
        reason = "NO_CASH"
    elif s.project_exposure[o.project] + advance > limits["project"]:
        reason = "PROJECT_CAP"
    elif s.drawn(disrupted, limits["span"], t) + advance > limits["window"]:
        reason = "WINDOW_CAP"
    elif limits["shock"] and (
        s.shocks[limits["shock"]]["drawn"] + advance
        > min(s.shocks[limits["shock"]]["cap"], limits["shock_now"])
    ):
        reason = "SHOCK_CAP"
    if reason:
        return [*outcome, ("unavailable", reason)], False
    chosen = best["account"]
    s.draw(disrupted, t, advance)
    if limits["shock"]:
        s.shocks[limits["shock"]]["drawn"] += advance
    s.exposure[chosen] += advance
    s.project_exposure[o.project] += advance
    s.committed[disrupted] = s.committed.get(disrupted, 0) - o.value
    s.committed[chosen] = s.committed.get(chosen, 0) + o.value
    s.idle -= advance
    outcome.append(("financed", chosen, advance, rate, due, stop, lowered))
    outcome.append(
        (
            "terms",
            best["version"],
            stage,
            best["score"],
            best["share"],
            best["lead"],
            terms["lag"],
            terms["grace"],
            best["deliverable"],
        )
    )
    return outcome, True


def _describe(outcome: list[tuple[Any, ...]], name: _Names, disrupted: str) -> list[str]:
    lines = []
    for item in outcome:
        if item[0] == "passed":
            lines.append(f"passed over {name(item[1])}: {item[2]}")
        elif item[0] == "unavailable":
            lines.append(f"not financed on {name(disrupted)}'s disruption: {item[1]}")
        elif item[0] == "financed":
            _, to, amount, rate, due, stop, lowered = item
            lines.append(
                f"moved to {name(to)}: advance {_amount(amount)} at {rate / 100:.2f}% a year, "
                f"due {_when(due)}, interest stops {_when(stop)}"
                + (" (lowered to fit the order)" if lowered else "")
            )
        else:
            _, version, stage, score, share, lead, lag, grace, deliverable = item
            lines.append(
                f"terms version {version}, {STAGES[stage]} stage: score {score} -> "
                f"{share / 100:g}% advanced; lead "
                f"{lead} days ({'in time' if deliverable else 'after the due date'}), "
                f"lag {lag} days, grace {grace} days"
            )
    return lines


def _report_mismatch(
    where: str,
    got: list[tuple[int, list[tuple[Any, ...]]]],
    expected: list[tuple[int, list[tuple[Any, ...]]]],
    out: Replay,
    name: _Names,
) -> None:
    got_orders = [o for o, _ in got]
    want_orders = [o for o, _ in expected]
    if got_orders != want_orders:
        out.disagreements.append(
            Disagreement(where, "orders handled", str(got_orders), str(want_orders))
        )
    recorded = dict(got)
    for order, outcome in expected:
        mine = recorded.get(order)
        if mine is None or mine == outcome:
            continue
        out.disagreements.append(
            Disagreement(
                f"{where}, order {order}",
                "substitute choice and terms",
                "; ".join(_describe(mine, name, "")),
                "; ".join(_describe(outcome, name, "")),
            )
        )


def _split_text(split: tuple[int, int, bool]) -> str:
    interest, principal, closed = split
    return f"interest {_amount(interest)}, principal {_amount(principal)}, closed {closed}"


def _check_announcement(
    state: _State, row: Row, out: Replay, name: _Names, shock: int | None = None
) -> None:
    """A report at quorum announces the room left in the supplier's rolling window, and the
    regional shock it falls under: `shock` in a shock's walk, else the one in force in the
    supplier's region (none: 0)."""
    if row["event"] != "SupplierDisrupted":
        return
    a, t, p = row["args"], int(row.get("time") or 0), state.policy
    if shock is None:
        shock = state.in_force(state.region.get(a["supplier"]))
    if int(a.get("shock") or 0) != shock:
        out.disagreements.append(
            Disagreement(
                f"block {row['block']} ({name(a['supplier'])} disrupted)",
                "the regional shock it falls under",
                str(a.get("shock")),
                str(shock),
            )
        )
    cap = state.total_assets(t) * int(p["window_cap_bps"]) // BPS
    drawn = state.drawn(a["supplier"], int(p["window_days"]) * DAY, t)
    room = cap - drawn if cap > drawn else 0
    out.decisions += 1
    if int(a["windowRoom"]) != room:
        out.disagreements.append(
            Disagreement(
                f"block {row['block']} ({name(a['supplier'])} disrupted)",
                "room left in the rolling window",
                _amount(int(a["windowRoom"])),
                _amount(room),
            )
        )


def _check_money(state: _State, row: Row, group: list[Row], out: Replay, name: _Names) -> None:
    """Re-derive a collection's split and a settlement's legs before applying them."""
    event, a, t = row["event"], row["args"], int(row.get("time") or 0)
    where = f"block {row['block']} log {row['log_index']}"
    if event == "FacilityCollected" and row["contract"] == "FinancingPool":
        f = state.facilities.get(int(a["facility"]))
        if f is None or not f.open:
            out.disagreements.append(
                Disagreement(where, "collection", f"facility {a['facility']}", "no open facility")
            )
            return
        out.decisions += 1
        owed_units = -(-f.owed(t) // SCALE)
        state.owed_before[int(a["facility"])] = owed_units
        interest_due = owed_units - f.principal
        amount = int(a["amount"])
        if amount >= owed_units:
            split = (interest_due, f.principal, True)
        else:
            principal = amount - interest_due if amount > interest_due else 0
            split = (amount - principal, principal, False)
        recorded = (int(a["interest"]), int(a["principal"]), bool(a["closed"]))
        if recorded != split:
            out.disagreements.append(
                Disagreement(
                    where,
                    f"split of {_amount(amount)} collected on facility {a['facility']}",
                    _split_text(recorded),
                    _split_text(split),
                )
            )
        story = state.orders[f.order]
        out.stories[story.id].append(
            f"the pool collected {_amount(amount)} on facility {a['facility']} "
            f"({_amount(recorded[0])} interest, {_amount(recorded[1])} principal)"
        )
    elif event == "PoolRepaidFromReservation":
        # emitted after the pool booked the payment (its FacilityCollected, same call)
        order = state.orders[int(a["order"])]
        owed = state.owed_before.pop(int(a["facility"]), 0)
        out.decisions += 1
        expected = min(owed, order.reserved)
        if int(a["amount"]) != expected:
            out.disagreements.append(
                Disagreement(
                    where,
                    f"pool repaid from order {order.id}'s reservation",
                    _amount(int(a["amount"])),
                    f"{_amount(expected)} (owed {_amount(owed)}, "
                    f"reserved {_amount(order.reserved)})",
                )
            )
        order.reserved -= int(a["amount"])
    elif event == "SettlementHeld":
        # the supplier may not be paid now: what it owes the project was set off, the rest
        # stays reserved for a later settlement
        order = state.orders[int(a["order"])]
        out.decisions += 1
        set_off = _set_off_here(group, order.id)
        if int(a["amount"]) != order.reserved - set_off:
            out.disagreements.append(
                Disagreement(
                    where,
                    f"settlement of order {order.id} held",
                    f"{_amount(int(a['amount']))} held",
                    f"{_amount(order.reserved - set_off)} ({_amount(order.reserved)} left, "
                    f"{_amount(set_off)} set off)",
                )
            )
        order.reserved -= set_off
        out.stories[order.id].append(
            f"settlement held: {_amount(set_off)} set off against what {name(a['supplier'])} "
            f"owed, {_amount(int(a['amount']))} kept reserved"
        )
    elif event == "OrderSettled":
        order = state.orders[int(a["order"])]
        out.decisions += 1
        facility = state.facilities.get(order.facility)
        repaid_here = sum(
            int(r["args"]["amount"])
            for r in group
            if r["event"] == "PoolRepaidFromReservation" and int(r["args"]["order"]) == order.id
        )
        problems = []
        if facility is not None and facility.open and repaid_here == 0:
            problems.append("the supplier paid while the pool's facility was open")
        if a["supplier"] != order.supplier:
            problems.append(f"paid {name(a['supplier'])}, not the order's {name(order.supplier)}")
        if int(a["toPool"]) != repaid_here:
            problems.append(
                f"to the pool {_amount(int(a['toPool']))}, repaid {_amount(repaid_here)}"
            )
        if int(a["toSupplier"]) != order.reserved:
            problems.append(
                f"to the supplier {_amount(int(a['toSupplier']))} of {_amount(order.reserved)} left"
            )
        for problem in problems:
            out.disagreements.append(
                Disagreement(
                    where,
                    f"settlement of order {order.id}",
                    problem,
                    "pool first, rest to its supplier",
                )
            )
        out.stories[order.id].append(
            f"settled: {_amount(int(a['toPool']))} to the pool, "
            f"{_amount(int(a['toSupplier']))} to {name(a['supplier'])}"
        )
    elif event == "OrderClosedUndelivered":
        _check_closing(state, row, group, out, name)


def _set_off_here(group: list[Row], order: int) -> int:
    """What a transaction set off from order `order`'s reservation against its supplier's
    debts to the project (`RecoverySetOff`)."""
    return sum(
        int(r["args"]["amount"])
        for r in group
        if r["event"] == "RecoverySetOff" and int(r["args"]["ref"]) == order
    )


def _check_closing(state: _State, row: Row, group: list[Row], out: Replay, name: _Names) -> None:
    """An order closed undelivered: the project gets back what the pool did not take, and the
    substitute owes the project exactly what the pool took (recorded once, against it)."""
    a = row["args"]
    order = state.orders[int(a["order"])]
    facility = state.facilities.get(order.facility)
    out.decisions += 1
    took = order.value - order.reserved
    recorded = [
        r["args"]
        for r in group
        if r["event"] == "RecoveryRecorded" and int(r["args"]["ref"]) == order.id
    ]
    problems = []
    if int(a["returned"]) != order.reserved:
        problems.append(
            f"returned {_amount(int(a['returned']))} of {_amount(order.reserved)} left reserved"
        )
    if int(a["recovery"]) != took:
        problems.append(f"recovery {_amount(int(a['recovery']))}")
    owed = sum(int(r["amount"]) for r in recorded)
    if owed != took:
        problems.append(f"recovery recorded {_amount(owed)}")
    if facility is not None and any(r["debtor"] != facility.substitute for r in recorded):
        problems.append(f"owed by {', '.join(name(r['debtor']) for r in recorded)}")
    if facility is not None and a["substitute"] != facility.substitute:
        problems.append(f"named {name(a['substitute'])} as the substitute")
    for problem in problems:
        out.disagreements.append(
            Disagreement(
                f"block {row['block']} log {row['log_index']}",
                f"recovery on order {order.id} closed undelivered",
                problem,
                f"{_amount(took)} the pool took, owed by "
                f"{name(facility.substitute) if facility else 'its substitute'}",
            )
        )


def _check_recoveries_recorded(group: list[Row], out: Replay, name: _Names) -> None:
    """A recovery is recorded only when its order is closed undelivered, in that transaction
    (what the pool took from the order's reservation, owed by its substitute)."""
    closed = {int(r["args"]["order"]) for r in group if r["event"] == "OrderClosedUndelivered"}
    for row in group:
        if row["event"] == "RecoveryRecorded" and int(row["args"]["ref"]) not in closed:
            a = row["args"]
            out.disagreements.append(
                Disagreement(
                    f"block {row['block']} log {row['log_index']}",
                    f"recovery of {_amount(int(a['amount']))} owed by {name(a['debtor'])}",
                    f"on order {a['ref']}",
                    "only on an order closed undelivered, in the same transaction",
                )
            )


def _replay_shock(state: _State, group: list[Row], out: Replay, name: _Names) -> None:
    """A regional shock's call (its report at quorum, or `processRegionalShock`) run again:
    the region's members walked from the shock's cursor as the registry listed them, each
    Active member still in the region disrupted under the shock, each member disrupted by it
    having its orders replayed from the walk's own position, one unit of the call's
    `maxPerCall` per member looked at (but the one taken up from the last call) and per
    order handled, up to the members listed at quorum."""
    walked = next(r for r in group if r["event"] == "RegionalShockProcessed")
    shock, t = int(walked["args"]["shock"]), int(walked.get("time") or 0)
    where = f"block {walked['block']} (shock {shock})"
    rows = iter(group)
    pending: list[Row] = []

    def take_until(event: str, *, apply: bool = True) -> list[Row]:
        """The rows up to the next `event` (that row is left in `pending`), applied to the
        state unless `apply` is false."""
        taken: list[Row] = []
        for row in rows:
            if row["event"] == event:
                pending.append(row)
                return taken
            if apply:
                _check_money(state, row, group, out, name)
                _apply(state, row, out, name)
            taken.append(row)
        return taken

    # the report (with the shock's start) comes before the walk; the replay goes on with
    # the cap the rules give, not the one recorded
    cap, row_started = None, None
    for row in group:
        if row["event"] == "RegionalShock":
            row_started = row
            cap = state.total_assets(t) * int(state.policy["shock_cap_bps"]) // BPS
            out.decisions += 1
            if int(row["args"]["cap"]) != cap:
                recorded = _amount(int(row["args"]["cap"]))
                out.disagreements.append(
                    Disagreement(where, "the shock's cap", recorded, _amount(cap))
                )
    if shock not in state.shocks:
        take_until("RegionalShock")
        _apply(state, pending.pop(), out, name)
        if cap is not None:
            state.shocks[shock]["cap"] = cap
        # the walk covers the members listed at quorum, as the rules count them
        state.shocks[shock]["size"] = len(state.members[state.shocks[shock]["region"]])
    book = state.shocks[shock]
    members = state.members[book["region"]]
    if row_started is not None and int(row_started["args"]["members"]) != len(members):
        out.disagreements.append(
            Disagreement(
                where,
                "members the shock covers",
                str(row_started["args"]["members"]),
                str(len(members)),
            )
        )
    cursor, position = book["cursor"], book["position"]
    budget, looked = int(state.policy["max_per_call"]), 0
    while cursor < book["size"]:
        member = members[cursor]
        status = state.status.get(member)
        continuing = status == DISRUPTED and state.shock_of.get(member) == shock
        # the look at the member a call takes up from the last one costs nothing
        if not continuing or looked:
            if budget == 0:
                break
            budget -= 1
        looked += 1
        if status == ACTIVE and state.region.get(member) == book["region"]:
            take_until("SupplierDisrupted")
            marked = pending.pop() if pending else None
            if marked is None or marked["args"]["supplier"] != member:
                recorded = str(marked and name(marked["args"]["supplier"]))
                out.disagreements.append(
                    Disagreement(where, "member disrupted", recorded, name(member))
                )
                if marked is not None:
                    _apply(state, marked, out, name)
                break
            _check_announcement(state, marked, out, name, shock)
            _apply(state, marked, out, name)
            position = 0
        elif not continuing:
            cursor, position = cursor + 1, 0
            continue
        segment = take_until("DisruptionProcessed", apply=False)
        done = pending.pop() if pending else None
        if done is None or done["args"]["supplier"] != member:
            recorded = str(done and name(done["args"]["supplier"]))
            out.disagreements.append(
                Disagreement(where, "orders of the member walked", recorded, name(member))
            )
            for row in [*segment, *([done] if done else [])]:
                _apply(state, row, out, name)
            break
        segment.append(done)
        handled, position, length = _replay_call(state, segment, out, name, budget, position)
        for row in segment:
            _check_money(state, row, group, out, name)
            _apply(state, row, out, name)
        budget -= handled
        if position < length:
            break
        cursor, position = cursor + 1, 0
    for row in rows:
        if row is walked:
            out.decisions += 1
            walk = (int(row["args"]["looked"]), int(row["args"]["cursor"]))
            if walk != (looked, cursor):
                out.disagreements.append(
                    Disagreement(
                        where,
                        "members looked at and walked",
                        f"{walk[0]} and {walk[1]}",
                        f"{looked} and {cursor}",
                    )
                )
        _check_money(state, row, group, out, name)
        _apply(state, row, out, name)
    state.shocks[shock]["cursor"], state.shocks[shock]["position"] = cursor, position


#: vote event -> (what it is about, the argument naming it, a recovery vote, the outcome flag)
VOTES = {
    "DisruptionReported": ("supplier", "supplier", False, None),
    "SupplierRecovered": ("supplier", "supplier", True, "recovered"),
    "RegionalShockReported": ("region", "region", False, None),
    "RegionRecovered": ("region", "region", True, "ended"),
}
#: what a vote at quorum does, in its transaction
REACHES = {
    "DisruptionReported": "SupplierDisrupted",
    "RegionalShockReported": "RegionalShock",
}


def _check_votes(state: _State, group: list[Row], out: Replay, name: _Names) -> None:
    """Every oracle report counted again in its quorum round, as the contract's `_vote`
    counts it: a new round when the last one reached quorum, was of the other kind or its
    window passed; one report per oracle per round; at quorum, and only then, the supplier
    is disrupted (or recovered), the shock starts (or ends). A disruption or a shock with no
    report reaching quorum before it in its transaction is named too (a walk's members
    excepted: the shock's quorum covers them)."""
    p = state.policy
    reached_here: set[tuple[str, str]] = set()
    walk = any(r["event"] == "RegionalShockProcessed" for r in group)
    for row in group:
        event, a = row["event"], row["args"]
        t = int(row.get("time") or 0)
        where = f"block {row['block']} log {row['log_index']}"
        if event in REACHES.values():
            about = "supplier" if event == "SupplierDisrupted" else "region"
            subject = a["supplier"] if about == "supplier" else _code(a["region"])
            if (about, subject) not in reached_here and not (walk and about == "supplier"):
                out.disagreements.append(
                    Disagreement(where, f"{event} of {name(str(subject))}", "recorded", "no quorum")
                )
            continue
        if event not in VOTES:
            continue
        about, key, recovery, flag = VOTES[event]
        subject = a[key] if about == "supplier" else _code(a[key])
        rnd = state.rounds.get((about, subject))
        window = int(p.get("quorum_window", 0))
        if (
            rnd is None
            or rnd["reports"] == 0
            or rnd["recovery"] != recovery
            or t > rnd["started"] + window
        ):
            rnd = {"started": t, "reports": 0, "recovery": recovery, "voters": set()}
            state.rounds[(about, subject)] = rnd
        out.decisions += 1
        if a["oracle"] in rnd["voters"]:
            out.disagreements.append(
                Disagreement(where, "one report per oracle per round", name(a["oracle"]), "once")
            )
        rnd["voters"].add(a["oracle"])
        rnd["reports"] += 1
        reports, quorum = rnd["reports"], int(p.get("quorum", 1))
        reached = reports >= quorum
        if reached:
            rnd["reports"] = 0
            reached_here.add((about, subject))
        recorded = (int(a["reports"]), int(a["quorum"]))
        if recorded != (reports, quorum):
            out.disagreements.append(
                Disagreement(
                    where,
                    f"reports about {name(str(subject))} and the quorum",
                    f"{recorded[0]} of {recorded[1]}",
                    f"{reports} of {quorum}",
                )
            )
        if flag is not None and bool(a[flag]) != reached:
            out.disagreements.append(
                Disagreement(where, f"{event}: {flag}", str(bool(a[flag])), str(reached))
            )
