"""Generated scenarios: N projects, M suppliers and K payments, with purchase orders and
supplier cut-offs in proportion, the same file from the same seed.

The story: the suppliers are registered (scores between 600 and 900, one to three parts
each); for every part two suppliers that do not take orders opt in as its substitutes; the
projects are created, funded and their first milestone approved; a bank funds the pool.
Then the K payments and the orders (one for every ten payments) are interleaved, every
order to a supplier of its part that has substitutes; then one supplier in five of those
with orders is cut off (a reason from the documented list), which moves its orders to a
substitute with an advance; time passes; each order is delivered by its current supplier,
accepted and settled; the audit must be clean.

Suppliers that send transactions (those with orders, and substitutes, who opt in and
deliver) need a test account; the test chains have 50, so at most `KEYED` suppliers have
one. The others are plain addresses derived from the seed, registered and paid but never
sending (payees only).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from eth_utils import keccak, to_checksum_address

from ..errors import InputError
from ..orders import DISRUPTION_REASONS
from ..units import format_amount

#: Test accounts from index 8 on are suppliers (0-4 are scf's roles, 5-7 funder, bank, owner).
FIRST_SUPPLIER_INDEX = 8
KEYED = 42
#: One order for every ten payments, one cut-off for every five suppliers with orders.
PAYMENTS_PER_ORDER = 10
MAKERS_PER_CUTOFF = 5
#: At most this many open orders per supplier, so one trigger call moves them all.
ORDERS_PER_MAKER = 10


@dataclass(frozen=True)
class Size:
    projects: int
    suppliers: int
    payments: int
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("projects", "suppliers", "payments"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be at least 1")
        if self.suppliers < 3:
            raise InputError("suppliers must be at least 3: one with orders and two substitutes")


@dataclass
class _Plan:
    lines: list[str] = field(default_factory=list)

    def step(self, action: str, args: object, handle: str | None = None) -> None:
        self.lines.append(f"  - {action}: {json.dumps(args)}")
        if handle:
            self.lines.append(f"    as: {handle}")


def generate(size: Size) -> str:
    """The scenario file's text for `size`."""
    rng = random.Random(size.seed)
    keyed = min(size.suppliers, KEYED)
    suppliers = [f"sup_{i + 1}" for i in range(size.suppliers)]
    accounts: dict[str, int | str] = {"gov_fund": 5, "bank": 6, "owner": 7}
    for i, name in enumerate(suppliers):
        if i < keyed:
            accounts[name] = FIRST_SUPPLIER_INDEX + i
        else:  # a payee only: an address from the seed
            raw = keccak(text=f"scf generate {size.seed} {name}")[-20:]
            accounts[name] = to_checksum_address(raw)
    # keyed suppliers: a third are substitutes (at least two), the rest take orders
    backups = suppliers[: max(2, keyed // 3)]
    makers = suppliers[len(backups) : keyed] or []
    parts = [f"PART_{i + 1}" for i in range(max(1, len(makers) // 2) if makers else 1)]
    made: dict[str, list[str]] = {}
    for name in suppliers:
        made[name] = sorted(rng.sample(parts, rng.randint(1, min(3, len(parts)))))
    for i, part in enumerate(parts):  # every part has two substitutes
        for backup in (backups[i % len(backups)], backups[(i + 1) % len(backups)]):
            if part not in made[backup]:
                made[backup] = sorted([*made[backup], part])
    orders = size.payments // PAYMENTS_PER_ORDER if makers else 0
    orders = min(orders, len(makers) * ORDERS_PER_MAKER)
    projects = [f"PRJ-{i + 1}" for i in range(size.projects)]

    payments = [
        (rng.choice(projects), rng.choice(suppliers), rng.randint(100_00, 5_000_00))
        for _ in range(size.payments)
    ]
    order_plan = []
    for n in range(orders):
        maker = makers[n % len(makers)]
        order_plan.append(
            (
                f"o{n + 1}",
                rng.choice(projects),
                maker,
                rng.choice(made[maker]),
                rng.randint(10_000_00, 100_000_00),
            )
        )
    with_orders = sorted({maker for _, _, maker, _, _ in order_plan}, key=suppliers.index)
    cut = rng.sample(with_orders, len(with_orders) // MAKERS_PER_CUTOFF) if with_orders else []
    cut.sort(key=suppliers.index)

    budget: dict[str, int] = dict.fromkeys(projects, 0)
    for project, _, amount in payments:
        budget[project] += amount
    for _, project, _, _, value in order_plan:
        budget[project] += value
    budget = {p: max(b * 2, 100_000_00) for p, b in budget.items()}
    total_budget = sum(budget.values())
    pool = max(4 * sum(v for *_, v in order_plan), 1_000_000_00)

    plan = _Plan()
    plan.step("token.mint", {"to": "gov_fund", "amount": format_amount(total_budget)})
    plan.step("token.mint", {"to": "bank", "amount": format_amount(pool)})
    for name in suppliers:
        plan.step(
            "supplier.register",
            {
                "account": name,
                "name": name.replace("_", " ").title(),
                "parts": made[name],
                "capacity": format_amount(100_000_000_00),
                "score": rng.randint(600, 900),
            },
        )
    for name in backups:
        for part in made[name]:
            plan.step(
                "supplier.qualify",
                {"part": part, "substitute": name, "lead_time": f"{rng.randint(10, 60)}d"},
            )
    for project in projects:
        half = budget[project] // 2
        plan.step(
            "project.create",
            {
                "id": project,
                "owner": "owner",
                "budget": {
                    "MATERIALS": format_amount(half),
                    "SERVICES": format_amount(budget[project] - half),
                },
                "milestones": [{"stage": "RESEARCH", "amount": format_amount(budget[project])}],
            },
        )
        plan.step(
            "project.fund",
            {"project": project, "by": "gov_fund", "amount": format_amount(budget[project])},
        )
        plan.step(
            "milestone.approve", {"project": project, "milestone": 0, "evidence": "plan approved"}
        )
    plan.step("pool.deposit", {"by": "bank", "amount": format_amount(pool)})
    # payments and orders interleaved: an order after every PAYMENTS_PER_ORDER payments
    pending = list(order_plan)
    for n, (project, payee, amount) in enumerate(payments, start=1):
        plan.step(
            "project.disburse",
            {
                "project": project,
                "to": payee,
                "amount": format_amount(amount),
                "category": rng.choice(["MATERIALS", "SERVICES"]),
                "milestone": 0,
                "memo": f"payment {n}",
            },
        )
        if n % PAYMENTS_PER_ORDER == 0 and pending:
            handle, project_, maker, part, value = pending.pop(0)
            plan.step(
                "order.register",
                {
                    "project": project_,
                    "po": f"PO-{handle}",
                    "part": part,
                    "supplier": maker,
                    "value": format_amount(value),
                    "category": "MATERIALS",
                    "milestone": 0,
                    "due": "90d",
                },
                handle,
            )
    for name in cut:
        plan.step(
            "disruption.report",
            {"supplier": name, "reason": rng.choice(DISRUPTION_REASONS), "evidence": "notice"},
        )
    if order_plan:
        plan.step("time.advance", "30d")
    for handle, *_ in order_plan:
        plan.step("order.record_delivery", {"order": handle, "evidence": f"delivery {handle}"})
        plan.step("order.accept_delivery", {"order": handle})
        plan.step("order.settle", {"order": handle})
    plan.step("audit", {"expect": "clean"})

    head = [
        f"# Generated by `scf scenario generate --projects {size.projects} --suppliers "
        f"{size.suppliers} --payments {size.payments} --seed {size.seed}`:",
        f"# {len(order_plan)} orders, {len(cut)} supplier cut-offs.",
        f"name: generated {size.projects}x{size.suppliers}x{size.payments} seed {size.seed}",
        f"accounts: {json.dumps(accounts)}",
        "steps:",
    ]
    return "\n".join([*head, *plan.lines]) + "\n"
