"""The audit's check of published scores: each one recomputed from the events up to the
block its publisher named, with the model version it named."""

from __future__ import annotations

from collections.abc import Callable

from .history import HistoryBuilder, Row
from .model import MODEL_VERSION, inputs_hash, score_inputs


def published_score_failures(rows: list[Row], name_of: Callable[[str], str] = str) -> list[str]:
    """One line per published score that does not follow from its inputs. Scores set by
    hand (`SupplierRated` without `ScorePublished`) are not checked."""
    published = [r for r in rows if r["event"] == "ScorePublished"]
    if not published:
        return []
    builders = {s: HistoryBuilder(s) for s in {r["args"]["supplier"] for r in published}}
    failures: list[str] = []

    def judge(row: Row) -> None:
        a = row["args"]
        who, version, at = name_of(a["supplier"]), int(a["modelVersion"]), int(a["asOfBlock"])
        head = f"{who}: score {a['score']} published at block {row['block']}"
        if version != MODEL_VERSION:
            failures.append(
                f"{head} names scoring model {version}; this audit knows {MODEL_VERSION}"
            )
            return
        inputs = builders[a["supplier"]].history(at).inputs()
        expected, _ = score_inputs(inputs, version)
        digest = inputs_hash(inputs, version)
        if a["inputs"] != digest:
            failures.append(
                f"{head} names inputs {a['inputs']}, but the history up to block {at} hashes to "
                f"{digest} (score {expected})"
            )
        elif int(a["score"]) != expected:
            failures.append(f"{head}, but model {version} gives {expected} from its inputs")

    pending = list(published)
    for row in rows:
        # judged on the events up to its block and before the publication itself
        due = [p for p in pending if int(p["args"]["asOfBlock"]) < int(row["block"]) or p is row]
        for p in due:
            judge(p)
            pending.remove(p)
        for builder in builders.values():
            builder.feed(row)
    for row in pending:
        judge(row)
    return failures
