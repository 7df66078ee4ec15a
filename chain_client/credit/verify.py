"""The audit's check of published scores: each one recomputed from the events up to the
block its publisher named, with the model version it named, and compared with the history
at the moment it was published (a score published on a stale history is flagged)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .history import HistoryBuilder, Row
from .model import MODEL_VERSION, inputs_hash, score_inputs


def _without_stamp(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k != "as_of_block"}


def published_score_failures(
    rows: list[Row], time_of: Callable[[int], int], name_of: Callable[[str], str] = str
) -> list[str]:
    """One line per published score that does not follow from its inputs, or whose inputs
    were already out of date when it was published. `time_of(block)` is a block's
    timestamp. Scores set by hand (`SupplierRated` without `ScorePublished`) are not
    checked."""
    published = [r for r in rows if r["event"] == "ScorePublished"]
    if not published:
        return []
    builders = {s: HistoryBuilder(s) for s in {r["args"]["supplier"] for r in published}}
    named: dict[int, dict[str, Any]] = {}  # id(row) -> inputs at its named block
    failures: list[str] = []

    def at_named_block(row: Row) -> None:
        a = row["args"]
        at = int(a["asOfBlock"])
        named[id(row)] = builders[a["supplier"]].history(at, time_of(at)).inputs()

    def judge(row: Row) -> None:
        a = row["args"]
        who, version, at = name_of(a["supplier"]), int(a["modelVersion"]), int(a["asOfBlock"])
        head = f"{who}: score {a['score']} published at block {row['block']}"
        if version != MODEL_VERSION:
            failures.append(
                f"{head} names scoring model {version}; this audit knows {MODEL_VERSION}"
            )
            return
        inputs = named[id(row)]
        expected, _ = score_inputs(inputs, version)
        digest = inputs_hash(inputs, version)
        if a["inputs"] != digest:
            failures.append(
                f"{head} names inputs {a['inputs']}, but the history up to block {at} hashes to "
                f"{digest} (score {expected})"
            )
            return
        if int(a["score"]) != expected:
            failures.append(f"{head}, but model {version} gives {expected} from its inputs")
            return
        now = builders[a["supplier"]].history(int(row["block"]), int(row["time"])).inputs()
        if _without_stamp(now) != _without_stamp(inputs):
            current, _ = score_inputs(now, version)
            failures.append(
                f"{head} from its history up to block {at}, but events before its publication "
                f"changed that history (score {current} when published)"
            )

    # publications by the block they name: each history is taken once the rows pass it
    pending = sorted(published, key=lambda r: int(r["args"]["asOfBlock"]))
    for row in rows:
        while pending and int(pending[0]["args"]["asOfBlock"]) < int(row["block"]):
            at_named_block(pending.pop(0))
        if row["event"] == "ScorePublished":
            if id(row) not in named:  # names its own block: the events before it
                at_named_block(row)
                pending.remove(row)
            judge(row)
        for builder in builders.values():
            builder.feed(row)
    return failures
