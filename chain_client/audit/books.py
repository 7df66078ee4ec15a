"""The books rebuilt from events alone: projects, suppliers, the pool.

Pure functions over decoded event rows (`collect`), so each rule can be shown to fail on
synthetic events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


def text(hex32: str) -> str:
    """A bytes32 identifier given as 0x-hex, as text."""
    return bytes.fromhex(hex32[2:]).rstrip(b"\0").decode("utf-8", errors="replace")


def raw(value: Any) -> bytes:
    """A bytes32 event argument as bytes, whether given as 0x-hex (audit rows) or bytes."""
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


@dataclass
class ProjectBook:
    id: str
    owner: str = ""
    budget: int = 0
    thresholds: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    funded_by: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    disbursed: int = 0
    by_category: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_milestone: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    by_payee: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reserved: int = 0
    refunded: int = 0
    recovered: int = 0
    recovery_owed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    caps: dict[str, int] = field(default_factory=dict)

    @property
    def funded(self) -> int:
        return sum(self.funded_by.values())

    @property
    def balance(self) -> int:
        return self.funded + self.recovered - self.disbursed - self.refunded


@dataclass
class SupplierBook:
    address: str
    name: str = ""
    received: int = 0
    advances: int = 0
    orders: list[int] = field(default_factory=list)
    facilities: list[int] = field(default_factory=list)


@dataclass
class PoolBook:
    deposits: int = 0
    withdrawals: int = 0
    advances: int = 0
    repaid_principal: int = 0
    repaid_interest: int = 0

    @property
    def cash(self) -> int:
        return (
            self.deposits
            - self.withdrawals
            - self.advances
            + self.repaid_principal
            + self.repaid_interest
        )

    @property
    def outstanding(self) -> int:
        return self.advances - self.repaid_principal


@dataclass
class Books:
    projects: dict[str, ProjectBook]
    suppliers: dict[str, SupplierBook]
    pool: PoolBook
    movements: list[Row]


MOVEMENTS = {
    "ProjectFunded",
    "FundsDisbursed",
    "FundsRefunded",
    "SubstituteFinanced",
    "FacilityRepaid",
    "RecoveryRepaid",
    "RecoverySetOff",
    "Deposit",
    "Withdraw",
}


def movement(row: Row) -> Row:
    """One money movement as an export row: who, to whom, how much, and context."""
    a, name = row["args"], row["event"]
    amount = {"Deposit": "assets", "Withdraw": "assets"}.get(name, "amount")
    frm = {"Deposit": "sender", "Withdraw": "owner"}.get(name, "from")
    to = {"Deposit": "owner", "Withdraw": "receiver", "RecoverySetOff": "debtor"}.get(name, "to")
    return {
        "block": row["block"],
        "time": row.get("time"),
        "tx": row["tx"],
        "log_index": row["log_index"],
        "event": name,
        "contract": row["contract"],
        "from": a.get(frm),
        "to": a.get(to),
        "amount": int(a[amount]),
        "project": text(a["project"]) if "project" in a else None,
        "category": text(a["category"]) if "category" in a else None,
        "milestone": a.get("milestone"),
        "ref": a.get("ref", str(a["facility"]) if "facility" in a else None),
    }


#: Events of the financing contract emitted after the ledger's payments out of an order's
#: reservation in the same call: a settlement, or a collection for the pool.
SETTLING = ("OrderSettled", "SettlementHeld", "PoolRepaidFromReservation")


def settlement_legs(rows: list[Row]) -> dict[tuple[int, int], int]:
    """(block, log index) of each ledger payment made by a settlement -> its order.

    `settleOrder` emits the ledger's legs (and the pool's booking) before its own
    `OrderSettled` or `SettlementHeld`, so in a transaction that settles several orders each
    leg belongs to the first settlement event after it."""
    out: dict[tuple[int, int], int] = {}
    waiting: list[tuple[int, int]] = []
    tx = None
    for row in rows:
        if row["tx"] != tx:
            tx, waiting = row["tx"], []
        if row["event"] == "FundsDisbursed":
            waiting.append((row["block"], row["log_index"]))
        elif row["event"] in SETTLING:
            for key in waiting:
                out[key] = int(row["args"]["order"])
            waiting = []
    return out


def build_books(rows: list[Row], addresses: Mapping[str, str]) -> Books:
    """Books from events. `addresses` maps contract name -> address.

    Money that leaves a project through an order is the ledger's `FundsDisbursed` to its final
    payee (the pool for what a facility owes, the supplier for the rest); `OrderSettled` only
    records the split. The pool books each repayment with its own `FacilityCollected`. A
    supplier leg set off against the supplier's recoveries is a `RecoverySetOff` (spent, no
    transfer) with a `RecoveryRepaid` per recovery it repays (recovered, no transfer)."""
    projects: dict[str, ProjectBook] = {}
    suppliers: dict[str, SupplierBook] = {}
    pool = PoolBook()
    pool_address = addresses.get("FinancingPool")
    legs = settlement_legs(rows)

    def project(row: Row) -> ProjectBook:
        pid = text(row["args"]["project"])
        return projects.setdefault(pid, ProjectBook(pid))

    def supplier(address: str) -> SupplierBook:
        return suppliers.setdefault(address, SupplierBook(address))

    for row in rows:
        name, a = row["event"], row["args"]
        if name == "ProjectCreated":
            p = project(row)
            p.owner, p.budget, p.thresholds = a["owner"], int(a["budget"]), list(a["thresholds"])
        elif name == "BudgetLineSet":
            project(row).caps[text(a["category"])] = int(a["cap"])
        elif name == "ProjectFunded":
            project(row).funded_by[a["from"]] += int(a["amount"])
        elif name == "FundsDisbursed":
            p, amount = project(row), int(a["amount"])
            p.disbursed += amount
            p.by_category[text(a["category"])] += amount
            p.by_milestone[int(a["milestone"])] += amount
            p.by_payee[a["to"]] += amount
            if (row["block"], row["log_index"]) in legs:  # paid out of an order's reservation
                p.reserved -= amount
            if a["to"] != pool_address:
                supplier(a["to"]).received += amount
        elif name == "FundsRefunded":
            project(row).refunded += int(a["amount"])
        elif name == "RecoverySetOff":
            # part of a settlement kept to repay the payee's recoveries: spent on the order's
            # line without a transfer (its RecoveryRepaid rows add it back as recovered)
            p, amount = project(row), int(a["amount"])
            p.disbursed += amount
            p.by_category[text(a["category"])] += amount
            p.by_milestone[int(a["milestone"])] += amount
            p.by_payee[a["debtor"]] += amount
            p.reserved -= amount
        elif name == "RecoveryRecorded":
            project(row).recovery_owed[a["debtor"]] += int(a["amount"])
        elif name == "RecoveryRepaid":
            p = project(row)
            p.recovered += int(a["amount"])
            p.recovery_owed[a["debtor"]] -= int(a["amount"])
            p.by_category[text(a["category"])] -= int(a["amount"])
            p.by_milestone[int(a["milestone"])] -= int(a["amount"])
        elif name == "FundsReserved":
            project(row).reserved += int(a["amount"])
        elif name == "ReservationReleased":
            project(row).reserved -= int(a["amount"])
        elif name == "SupplierRegistered":
            supplier(a["supplier"]).name = text(a["name"])
        elif name == "OrderRegistered":
            supplier(a["supplier"]).orders.append(int(a["order"]))
        elif name == "SubstituteFinanced":
            s = supplier(a["to"])
            s.advances += int(a["amount"])
            s.facilities.append(int(a["facility"]))
            s.orders.append(int(a["order"]))  # the order moved to the substitute
            pool.advances += int(a["amount"])
        elif name == "FacilityCollected" and row["contract"] == "FinancingPool":
            pool.repaid_principal += int(a["principal"])
            pool.repaid_interest += int(a["interest"])
        elif name == "Deposit" and row["contract"] == "FinancingPool":
            pool.deposits += int(a["assets"])
        elif name == "Withdraw" and row["contract"] == "FinancingPool":
            pool.withdrawals += int(a["assets"])
    movements = [
        movement(r)
        for r in rows
        if r["event"] in MOVEMENTS
        and (r["event"] not in ("Deposit", "Withdraw") or r["contract"] == "FinancingPool")
    ]
    return Books(projects, suppliers, pool, movements)
