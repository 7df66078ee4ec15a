"""The scoring model: a supplier's history and attestations to a score from 0 to 1000.

Version 1. Integer arithmetic only, so the same inputs give the same score on every
machine; the audit recomputes every published score with it. Each factor adds or takes
points from a base of 500, within its own bound, and the total is held to 0..1000:

| factor | points |
| --- | --- |
| on_time | +25 per delivery on or before the due date, at most +150 |
| late | -10 per late delivery and -2 per day late, at most -150 |
| overdue | -10 per order held undelivered past its due date, -2 per day past, at most -150 |
| rejected | -40 per delivery rejected or ended by an undelivered close, at most -160 |
| undelivered | -120 per financed order closed undelivered, at most -240 |
| recoveries | -100 while a recovery is outstanding; -20 once all are repaid |
| facilities_repaid | +30 per advance on an order it delivered and that settled, at most +90 |
| disruptions | -50 per disruption episode, at most -150 |
| capacity | -40 at 90 % or more of capacity committed, -20 at 75 % or more |
| concentration | -40 at one buyer (a project owner) with 80 % of the business, -20 at 50 % |
| tax_grade | A +60, B +30, M 0, C -60, D -120 |
| years_registered | +5 a year, at most +50 |
| patents | +4 each, at most +60 |
| rd_staff_turnover | -40 above 30 % a year, -20 above 15 % |
| inventory_turnover | +20 at 6 turns a year or more, -20 under 2 |

Practice followed: a behavioural score (what the firm did with its buyers and lenders, from
the ledger) with a smaller weight of attested firmographic facts, as in supply-chain finance
scorecards that combine transaction history with tax and registration data.
"""

from __future__ import annotations

import json
from typing import Any

from eth_utils import keccak
from pydantic import BaseModel

from .history import SupplierHistory

MODEL_VERSION = 1
BASE = 500
MAX_SCORE = 1000


class Factor(BaseModel):
    """One factor's contribution to a score."""

    name: str
    points: int
    detail: str


class Score(BaseModel):
    """A model score with its breakdown and the hash of its inputs."""

    supplier: str
    model_version: int
    score: int
    base: int
    factors: list[Factor]
    inputs_hash: str
    as_of_block: int


def inputs_hash(inputs: dict[str, Any], version: int = MODEL_VERSION) -> str:
    """keccak256 of the model version and inputs as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps({"model": version, "inputs": inputs}, sort_keys=True, separators=(",", ":"))
    return "0x" + keccak(text.encode()).hex()


def _bounded(points: int, low: int, high: int) -> int:
    return max(low, min(high, points))


def _count(name: str, count: int, each: int, bound: int, what: str) -> Factor:
    """`each` points per unit of `count`, held at `bound` (a floor for a penalty)."""
    points = max(bound, each * count) if each < 0 else min(bound, each * count)
    return Factor(name=name, points=points, detail=f"{count} {what}")


def _lateness(name: str, count: int, days: int, what: str) -> Factor:
    """-10 per order and -2 per day, at most -150."""
    points = max(-150, -10 * count - 2 * days)
    return Factor(name=name, points=points, detail=f"{count} {what}, {days} day(s) in all")


def _factors(i: dict[str, Any]) -> list[Factor]:
    f: list[Factor] = [
        _count("on_time", i["delivered_on_time"], 25, 150, "on time"),
        _lateness("late", i["delivered_late"], i["days_late"], "late"),
        _lateness("overdue", i["overdue"], i["days_overdue"], "past due undelivered"),
        _count("rejected", i["rejected"], -40, -160, "rejected"),
        _count("undelivered", i["closed_undelivered"], -120, -240, "closed undelivered"),
    ]
    recorded, repaid = i["recoveries_recorded"], i["recoveries_repaid"]
    if recorded > repaid:
        recovery = Factor(name="recoveries", points=-100, detail=f"{recorded - repaid} outstanding")
    elif recorded:
        recovery = Factor(name="recoveries", points=-20, detail=f"{recorded} recorded, all repaid")
    else:
        recovery = Factor(name="recoveries", points=0, detail="none")
    f.append(recovery)
    f.append(_count("facilities_repaid", i["facilities_repaid"], 30, 90, "repaid"))
    f.append(_count("disruptions", i["disruptions"], -50, -150, "episode(s)"))
    used = i["capacity_used_bps"]
    f.append(
        Factor(
            name="capacity",
            points=-40 if used >= 9_000 else -20 if used >= 7_500 else 0,
            detail=f"{used / 100:.2f} % committed",
        )
    )
    share = i["largest_buyer_bps"] if i["orders"] else 0
    f.append(
        Factor(
            name="concentration",
            points=-40 if share >= 8_000 else -20 if share >= 5_000 else 0,
            detail=f"largest buyer {share / 100:.2f} % of business",
        )
    )
    a = {name: int(v["value"]) for name, v in i["attestations"].items()}
    if "TAX_GRADE" in a:
        grade = a["TAX_GRADE"]
        points = {1: 60, 2: 30, 3: 0, 4: -60, 5: -120}.get(grade, 0)
        f.append(
            Factor(
                name="tax_grade",
                points=points,
                detail="ABMCD"[grade - 1] if 1 <= grade <= 5 else f"code {grade}",
            )
        )
    if "YEARS_REGISTERED" in a:
        years = a["YEARS_REGISTERED"]
        f.append(
            Factor(
                name="years_registered",
                points=_bounded(5 * years, 0, 50),
                detail=f"{years} year(s)",
            )
        )
    if "PATENTS" in a:
        f.append(
            Factor(
                name="patents",
                points=_bounded(4 * a["PATENTS"], 0, 60),
                detail=f"{a['PATENTS']} patent(s)",
            )
        )
    if "RD_STAFF_TURNOVER_BPS" in a:
        bps = a["RD_STAFF_TURNOVER_BPS"]
        f.append(
            Factor(
                name="rd_staff_turnover",
                points=-40 if bps > 3_000 else -20 if bps > 1_500 else 0,
                detail=f"{bps / 100:.2f} % a year",
            )
        )
    if "INVENTORY_TURNOVER_X100" in a:
        turns = a["INVENTORY_TURNOVER_X100"]
        f.append(
            Factor(
                name="inventory_turnover",
                points=20 if turns >= 600 else -20 if turns < 200 else 0,
                detail=f"{turns / 100:.2f} turns a year",
            )
        )
    return f


def score_inputs(inputs: dict[str, Any], version: int = MODEL_VERSION) -> tuple[int, list[Factor]]:
    """(score, factors) of model `version` on `inputs` (`SupplierHistory.inputs()`)."""
    if version != MODEL_VERSION:
        raise ValueError(
            f"scoring model version {version} is not known (this is version {MODEL_VERSION})"
        )
    factors = _factors(inputs)
    return _bounded(BASE + sum(x.points for x in factors), 0, MAX_SCORE), factors


def score(history: SupplierHistory) -> Score:
    """The model's score of `history`, with its breakdown and inputs hash."""
    inputs = history.inputs()
    total, factors = score_inputs(inputs)
    return Score(
        supplier=history.supplier,
        model_version=MODEL_VERSION,
        score=total,
        base=BASE,
        factors=factors,
        inputs_hash=inputs_hash(inputs),
        as_of_block=history.as_of_block,
    )
