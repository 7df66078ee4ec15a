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
    orders: int = 0
    business: int = 0
    largest_buyer: str | None = None
    largest_buyer_bps: int = 0
    delivered_on_time: int = 0
    delivered_late: int = 0
    days_late: int = 0
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


class HistoryBuilder:
    """Builds one supplier's history from events fed oldest first; `history()` may be taken
    at any point (the audit takes one at each published score's block)."""

    def __init__(self, supplier: str) -> None:
        self.supplier = supplier
        self.block = 0
        self._h = SupplierHistory(supplier=supplier, as_of_block=0)
        self._evidence: dict[str, list[str]] = defaultdict(list)
        self._due: dict[int, int] = {}
        self._value: dict[int, int] = {}
        self._project: dict[int, str] = {}
        self._pending: dict[int, tuple[int, Row]] = {}  # order -> (days late, row)
        self._facility_of: dict[int, str] = {}  # facility -> substitute
        self._facility_order: dict[int, int] = {}
        self._closed: set[int] = set()
        self._undelivered: set[int] = set()
        self._by_buyer: dict[str, int] = defaultdict(int)

    def _business(self, order: int, row: Row, how: str) -> None:
        h = self._h
        h.orders += 1
        h.business += self._value[order]
        self._by_buyer[self._project[order]] += self._value[order]
        self._evidence["orders"].append(f"order {order} {how} ({_at(row)})")

    def feed(self, row: Row) -> None:
        """Moves the history past one event."""
        self.block = int(row["block"])
        h, ev, me = self._h, self._evidence, self.supplier
        event, a = row["event"], row["args"]
        if event == "OrderRegistered":
            order = int(a["order"])
            self._due[order], self._value[order] = int(a["due"]), int(a["value"])
            self._project[order] = _text(a["project"])
            if a["supplier"] == me:
                self._business(order, row, f"placed by {self._project[order]}")
        elif event == "SubstituteFinanced":
            order, facility = int(a["order"]), int(a["facility"])
            self._facility_of[facility], self._facility_order[facility] = a["to"], order
            if a["to"] == me:
                self._business(order, row, "moved here as substitute")
        elif event == "DeliveryRecorded" and a["supplier"] == me:
            order = int(a["order"])
            late = max(0, -(-(int(row["time"]) - self._due[order]) // DAY))
            self._pending[order] = (late, row)
        elif event == "DeliveryRejected" and int(a["order"]) in self._pending:
            order = int(a["order"])
            _, first = self._pending.pop(order)
            h.rejected += 1
            ev["rejected"].append(f"order {order}, delivery of {_at(first)} rejected ({_at(row)})")
        elif event == "OrderClosedUndelivered":
            order = int(a["order"])
            self._undelivered.add(order)
            if a["substitute"] == me:
                h.closed_undelivered += 1
                ev["closed_undelivered"].append(f"order {order} ({_at(row)})")
        elif event == "RecoveryRecorded" and a["debtor"] == me:
            h.recoveries_recorded += int(a["amount"])
            ev["recoveries"].append(f"recorded {a['amount']} on order {a['ref']} ({_at(row)})")
        elif event == "RecoveryRepaid" and a["debtor"] == me:
            h.recoveries_repaid += int(a["amount"])
            ev["recoveries"].append(f"repaid {a['amount']} on order {a['ref']} ({_at(row)})")
        elif event == "FacilityCollected" and a.get("closed"):
            self._closed.add(int(a["facility"]))
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
            if last is None or attestation.as_of >= last.as_of:
                h.attestations[name] = attestation
            ev["attestations"].append(f"{name} = {attestation.value} ({_at(row)})")

    def history(self, as_of_block: int) -> SupplierHistory:
        """The history as fed so far, stamped `as_of_block`."""
        h = self._h.model_copy(deep=True)
        h.as_of_block = as_of_block
        evidence = {k: list(v) for k, v in self._evidence.items()}
        for order, (late, row) in sorted(self._pending.items()):
            if late:
                h.delivered_late += 1
                h.days_late += late
                evidence.setdefault("delivered_late", []).append(
                    f"order {order}, {late} day(s) late ({_at(row)})"
                )
            else:
                h.delivered_on_time += 1
                evidence.setdefault("delivered_on_time", []).append(f"order {order} ({_at(row)})")
        for facility in sorted(self._closed):
            if self._facility_of.get(facility) != self.supplier:
                continue
            order = self._facility_order[facility]
            if order not in self._undelivered:
                h.facilities_repaid += 1
                evidence.setdefault("facilities_repaid", []).append(
                    f"facility {facility} (order {order})"
                )
        if h.business:
            buyer, amount = max(sorted(self._by_buyer.items()), key=lambda item: item[1])
            h.largest_buyer, h.largest_buyer_bps = buyer, amount * 10_000 // h.business
        h.evidence = evidence
        return h


def supplier_history(rows: Iterable[Row], supplier: str, as_of_block: int) -> SupplierHistory:
    """Rebuilds `supplier`'s history from the deployment's events up to `as_of_block`
    (inclusive). `rows` are the audit's collected events, oldest first; a publisher names
    the latest mined block, so its own transaction comes later."""
    builder = HistoryBuilder(supplier)
    for row in rows:
        if int(row["block"]) > as_of_block:
            break
        builder.feed(row)
    return builder.history(as_of_block)
