"""Stress runs: random correlated shocks played with the real contracts on a copy of the
current embedded chain, reporting the distribution of what they would leave unfinanced.

Each run starts from the same state (the copy is rolled back to a snapshot between runs) and
draws its shocks from the menu of regions with an Active supplier and parts with an Active
maker, in sorted order, with `random.Random(seed)`: one shock, or two at once a quarter of
the time (a region and a part, two regions, ... : the correlated case). A region is shocked as
`scf disruption shock` does (by the oracle quorum, walked to its last member); a part is hit
as a failed technology route would hit it, every Active maker of it cut off in turn. The
clock is scripted (one block every 12 seconds from the copy's latest block), so the same
seed on the same state gives the same report, to the unit; the report holds no times and no
paths.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

from pydantic import BaseModel

from ..contracts import Financing, Pool, Registry
from ..errors import InputError
from ..models import Amount
from ..orders import OrderOutcome
from ..session import Session
from .whatif import cut_off, oracles_of, shock_region

#: Share of runs with two shocks at once.
CORRELATED = 0.25
BLOCK_SECONDS = 12


class StressRun(BaseModel):
    """One run: its shocks, and what the trigger did with the orders they hit."""

    run: int
    shocks: list[str]
    disrupted: int
    orders: int
    financed: int
    unfinanced: int
    stranded: int
    advanced: Amount
    shortfall: Amount
    at_risk: Amount


class Distribution(BaseModel):
    """Nearest-rank percentiles over the runs (whole units)."""

    min: int
    p50: int
    p90: int
    max: int
    mean: int


class StressReport(BaseModel):
    """`shortfall`: value of the orders left for want of cash in the pool; `at_risk`: value of
    every order left unfinanced (the project money reserved with a cut-off supplier and no
    substitute paid) or moved to a substitute that the same run then cut off (`stranded`: its
    advance paid, its delivery as doubtful as the first supplier's); `unfinanced`: how many
    orders were left."""

    seed: int
    runs: int
    block: int
    idle: Amount
    menu: list[str]
    results: list[StressRun]
    shortfall: Distribution
    unfinanced: Distribution
    at_risk: Distribution


def distribution(values: list[int]) -> Distribution:
    ordered = sorted(values)

    def rank(percent: int) -> int:
        return ordered[max(0, -(-percent * len(ordered) // 100) - 1)]

    return Distribution(
        min=ordered[0],
        p50=rank(50),
        p90=rank(90),
        max=ordered[-1],
        mean=sum(ordered) // len(ordered),
    )


def stress(
    session: Session,
    runs: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> StressReport:
    """`runs` random shocks on `session` (a `played_copy`), each from the same state."""
    if not session.simulation or session.embedded is None:
        raise InputError("a stress run plays on a copy of the embedded chain only")
    if runs < 1:
        raise InputError("give at least one run")
    registry, financing = Registry(session), Financing(session)
    suppliers = [s for s in registry.suppliers() if s.status == "Active"]
    regions = sorted(
        r
        for r in {s.region for s in suppliers if s.region}
        if not ((shock := financing.shock(r)) is not None and shock.in_force)
    )
    # each shock's suppliers, read once: every run starts from this state
    hit: dict[str, list[str]] = {
        f"region {r}": [s.address for s in suppliers if s.region == r] for r in regions
    }
    for part in sorted({p for s in suppliers for p in s.parts}):
        hit[f"part {part}"] = [s.address for s in suppliers if part in s.parts]
    menu = list(hit)
    if not menu:
        raise InputError("no Active supplier to shock")
    oracles = oracles_of(session)
    tester = session.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    snapshot = tester.take_snapshot()
    block = int(session.w3.eth.block_number)
    start = session.latest_timestamp()
    idle = Pool(session).status().idle
    rng = random.Random(seed)
    results = []
    for run in range(1, runs + 1):
        tester.revert_to_snapshot(snapshot)
        session.clock = itertools.count(start + BLOCK_SECONDS, BLOCK_SECONDS).__next__
        count = 2 if len(menu) > 1 and rng.random() < CORRELATED else 1
        shocks = rng.sample(menu, count)
        disrupted, outcomes = _play(session, shocks, hit, oracles)
        values = {o: financing.order(o).value for o in outcomes}
        left = [o for o in outcomes.values() if not o.financed]
        cut = set(disrupted)
        stranded = [o for o in outcomes.values() if o.financed and o.substitute in cut]
        results.append(
            StressRun(
                run=run,
                shocks=shocks,
                disrupted=len(disrupted),
                orders=len(outcomes),
                financed=len(outcomes) - len(left),
                unfinanced=len(left),
                stranded=len(stranded),
                advanced=sum(o.advance or 0 for o in outcomes.values() if o.financed),
                shortfall=sum(values[o.order] for o in left if o.reason == "NO_CASH"),
                at_risk=sum(values[o.order] for o in [*left, *stranded]),
            )
        )
        if progress is not None:
            progress(run)
    session.clock = None
    tester.revert_to_snapshot(snapshot)
    return StressReport(
        seed=seed,
        runs=runs,
        block=block,
        idle=idle,
        menu=menu,
        results=results,
        shortfall=distribution([r.shortfall for r in results]),
        unfinanced=distribution([r.unfinanced for r in results]),
        at_risk=distribution([r.at_risk for r in results]),
    )


def _play(
    session: Session, shocks: list[str], hit: dict[str, list[str]], oracles: list[str]
) -> tuple[list[str], dict[int, OrderOutcome]]:
    """Plays `shocks` in order (`hit`: the Active suppliers each one names when the run
    starts); the suppliers disrupted and each order's first outcome. A supplier an earlier
    shock of the run already disrupted is not cut off again."""
    registry = Registry(session)
    disrupted: list[str] = []
    outcomes: dict[int, OrderOutcome] = {}
    for shock in shocks:
        kind, _, code = shock.partition(" ")
        active = [a for a in hit[shock] if registry.supplier(a).status == "Active"]
        if not active:
            continue
        if kind == "region":
            members, found = shock_region(session, code, oracles)
            disrupted += members
            for order, outcome in found.items():
                outcomes.setdefault(order, outcome)
            continue
        for supplier in active:
            found = cut_off(session, supplier, oracles)
            disrupted.append(supplier)
            for order, outcome in found.items():
                outcomes.setdefault(order, outcome)
    return disrupted, outcomes
