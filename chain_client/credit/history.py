"""A supplier's history as the chain recorded it, rebuilt from the deployment's events.

Nothing here reads contract storage: every figure comes from events up to a block, so the
audit can rebuild the very inputs a published score was computed from. Each figure keeps
the events behind it (`evidence`), so `scf supplier profile` can show them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Row = dict[str, Any]
DAY = 86_400

#: Indicators a rater may attest, with their unit. Values are whole numbers.
INDICATORS: dict[str, str] = {
    "TAX_GRADE": "tax credit grade: 1 = A, 2 = B, 3 = M, 4 = C, 5 = D",
    "YEARS_REGISTERED": "whole years since the firm was registered",
    "PATENTS": "granted patents in force",
    "RD_STAFF_TURNOVER_BPS": "R&D staff who left in the last year, basis points of headcount",
    "INVENTORY_TURNOVER_X100": "inventory turns a year, times 100",
}


class Attestation(BaseModel):
    """The latest value a rater recorded for one indicator."""

    model_config = ConfigDict(frozen=True)

    indicator: str
    value: int
    source: str
    as_of: int
    block: int


class SupplierHistory(BaseModel):
    """What the chain recorded about one supplier up to `as_of_block`."""

    supplier: str
    as_of_block: int
    as_of_time: int = 0
    orders: int = 0
    business: int = 0
    largest_buyer: str | None = None
    largest_buyer_bps: int = 0
    delivered_on_time: int = 0
    delivered_late: int = 0
    days_late: int = 0
    overdue: int = 0
    days_overdue: int = 0
    rejected: int = 0
    closed_undelivered: int = 0
    recoveries_recorded: int = 0
    recoveries_repaid: int = 0
    facilities_repaid: int = 0
    disruptions: int = 0
    capacity: int = 0
    committed: int = 0
    attestations: dict[str, Attestation] = Field(default_factory=dict)
    evidence: dict[str, list[str]] = Field(default_factory=dict)

    @property
    def capacity_used_bps(self) -> int:
        return self.committed * 10_000 // self.capacity if self.capacity else 0

    def inputs(self) -> dict[str, Any]:
        """The figures the scoring model reads, as plain JSON values."""
        return {
            "supplier": self.supplier,
            "as_of_block": self.as_of_block,
            "orders": self.orders,
            "business": self.business,
            "largest_buyer_bps": self.largest_buyer_bps,
            "delivered_on_time": self.delivered_on_time,
            "delivered_late": self.delivered_late,
            "days_late": self.days_late,
            "overdue": self.overdue,
            "days_overdue": self.days_overdue,
            "rejected": self.rejected,
            "closed_undelivered": self.closed_undelivered,
            "recoveries_recorded": self.recoveries_recorded,
            "recoveries_repaid": self.recoveries_repaid,
            "facilities_repaid": self.facilities_repaid,
            "disruptions": self.disruptions,
            "capacity_used_bps": self.capacity_used_bps,
            "attestations": {
                name: {"value": a.value, "source": a.source, "as_of": a.as_of}
                for name, a in sorted(self.attestations.items())
            },
        }


def _text(value: str) -> str:
    """A bytes32 hex string as its text (trailing zero bytes dropped)."""
    raw = bytes.fromhex(value[2:]).rstrip(b"\0")
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return value


def _at(row: Row) -> str:
    return f"block {row['block']}"


def _days(seconds: int) -> int:
    """Whole days, rounded up."""
    return -(-seconds // DAY)


class HistoryBuilder:
    """Builds one supplier's history from events fed oldest first; `history()` may be taken
    at any point (the audit takes one at each published score's block)."""

    def __init__(self, supplier: str) -> None:
        self.supplier = supplier
        self._h = SupplierHistory(supplier=supplier, as_of_block=0)
        self._evidence: dict[str, list[str]] = defaultdict(list)
        self._owner: dict[str, str] = {}  # project (hex) -> its owner, the buyer
        self._due: dict[int, int] = {}
        self._value: dict[int, int] = {}
        self._buyer: dict[int, str] = {}
        self._holder: dict[int, str] = {}
        self._mine: dict[int, Row] = {}  # orders it held, and how they came
        self._ended: set[int] = set()  # settled, cancelled or closed undelivered
        self._cancelled: set[int] = set()
        self._settled: set[int] = set()
        self._delivered: dict[int, tuple[str, int, Row]] = {}  # order -> (by, days late, row)
        self._facility_of: dict[int, str] = {}  # facility -> substitute
        self._facility_order: dict[int, int] = {}

    def feed(self, row: Row) -> None:
        """Moves the history past one event."""
        h, ev, me = self._h, self._evidence, self.supplier
        event, a = row["event"], row["args"]
        if event == "ProjectCreated":
            self._owner[a["project"]] = a["owner"]
        elif event == "OrderRegistered":
            order = int(a["order"])
            self._due[order], self._value[order] = int(a["due"]), int(a["value"])
            self._buyer[order] = self._owner.get(a["project"], _text(a["project"]))
            self._holder[order] = a["supplier"]
            if a["supplier"] == me:
                self._mine[order] = row
        elif event == "SubstituteFinanced":
            order, facility = int(a["order"]), int(a["facility"])
            self._facility_of[facility], self._facility_order[facility] = a["to"], order
            self._holder[order] = a["to"]
            if a["to"] == me:
                self._mine[order] = row
        elif event == "OrderCancelled":
            self._cancelled.add(int(a["order"]))
            self._ended.add(int(a["order"]))
        elif event == "OrderSettled":
            self._settled.add(int(a["order"]))
            self._ended.add(int(a["order"]))
        elif event == "DeliveryRecorded":
            order = int(a["order"])
            late = max(0, _days(int(row["time"]) - self._due[order]))
            self._delivered[order] = (a["supplier"], late, row)
        elif event == "DeliveryRejected":
            self._reject(int(a["order"]), row, "rejected")
        elif event == "OrderClosedUndelivered":
            order = int(a["order"])
            self._ended.add(order)
            # closing a delivered order rejects its delivery
            self._reject(order, row, "ended by closing the order undelivered")
            if a["substitute"] == me:
                h.closed_undelivered += 1
                ev["closed_undelivered"].append(f"order {order} ({_at(row)})")
        elif event == "RecoveryRecorded" and a["debtor"] == me:
            h.recoveries_recorded += int(a["amount"])
            ev["recoveries"].append(f"recorded {a['amount']} on order {a['ref']} ({_at(row)})")
        elif event == "RecoveryRepaid" and a["debtor"] == me:
            h.recoveries_repaid += int(a["amount"])
            ev["recoveries"].append(f"repaid {a['amount']} on order {a['ref']} ({_at(row)})")
        elif event == "SupplierDisrupted" and a["supplier"] == me:
            h.disruptions += 1
            ev["disruptions"].append(f"episode {a['episode']} ({_at(row)})")
        elif event == "SupplierRegistered" and a["supplier"] == me:
            h.capacity = int(a["capacity"])
        elif event in ("CapacityCommitted", "CapacityReleased") and a["supplier"] == me:
            h.committed = int(a["committed"])
        elif event == "SupplierAttested" and a["supplier"] == me:
            name = _text(a["indicator"])
            attestation = Attestation(
                indicator=name,
                value=int(a["value"]),
                source=a["source"],
                as_of=int(a["asOf"]),
                block=int(row["block"]),
            )
            last = h.attestations.get(name)
            # the fact of the latest day; of one day, the latest record (a correction)
            if last is None or attestation.as_of // DAY >= last.as_of // DAY:
                h.attestations[name] = attestation
            ev["attestations"].append(f"{name} = {attestation.value} ({_at(row)})")

    def _reject(self, order: int, row: Row, how: str) -> None:
        delivered = self._delivered.pop(order, None)
        if delivered is not None and delivered[0] == self.supplier:
            self._h.rejected += 1
            self._evidence["rejected"].append(
                f"order {order}, delivery of {_at(delivered[2])} {how} ({_at(row)})"
            )

    def history(self, as_of_block: int, as_of_time: int) -> SupplierHistory:
        """The history as fed so far, as of `as_of_block`, whose time is `as_of_time` (what
        is overdue is counted at that time)."""
        h = self._h.model_copy(deep=True)
        h.as_of_block, h.as_of_time = as_of_block, as_of_time
        evidence = {k: list(v) for k, v in self._evidence.items()}

        def note(kind: str, text: str) -> None:
            evidence.setdefault(kind, []).append(text)

        by_buyer: dict[str, int] = defaultdict(int)
        for order, row in self._mine.items():
            if order in self._cancelled:
                continue
            h.orders += 1
            h.business += self._value[order]
            by_buyer[self._buyer[order]] += self._value[order]
            how = "moved here as substitute" if row["event"] == "SubstituteFinanced" else "placed"
            note("orders", f"order {order} {how} ({_at(row)})")
        for order, (by, late, row) in sorted(self._delivered.items()):
            if by != self.supplier:
                continue
            if late:
                h.delivered_late += 1
                h.days_late += late
                note("delivered_late", f"order {order}, {late} day(s) late ({_at(row)})")
            else:
                h.delivered_on_time += 1
                note("delivered_on_time", f"order {order} ({_at(row)})")
        for order in sorted(self._mine):
            if (
                self._holder[order] == self.supplier
                and order not in self._ended
                and order not in self._delivered
                and self._due[order] < as_of_time
            ):
                days = _days(as_of_time - self._due[order])
                h.overdue += 1
                h.days_overdue += days
                note("overdue", f"order {order}, {days} day(s) past its due date, not delivered")
        for facility in sorted(self._facility_of):
            order = self._facility_order[facility]
            if self._facility_of[facility] == self.supplier and order in self._settled:
                h.facilities_repaid += 1
                note(
                    "facilities_repaid", f"facility {facility} (order {order}, delivered, settled)"
                )
        if h.business:
            buyer, amount = max(sorted(by_buyer.items()), key=lambda item: item[1])
            h.largest_buyer, h.largest_buyer_bps = buyer, amount * 10_000 // h.business
        h.evidence = evidence
        return h


def supplier_history(
    rows: Iterable[Row], supplier: str, as_of_block: int, as_of_time: int
) -> SupplierHistory:
    """Rebuilds `supplier`'s history from the deployment's events up to `as_of_block`
    (inclusive), whose time is `as_of_time`. `rows` are the audit's collected events, oldest
    first; a publisher names the latest mined block, so its own transaction comes later."""
    builder = HistoryBuilder(supplier)
    for row in rows:
        if int(row["block"]) > as_of_block:
            break
        builder.feed(row)
    return builder.history(as_of_block, as_of_time)
