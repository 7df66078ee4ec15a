"""The benchmark command runs: its parts give every figure with a baseline and a verdict
(figures themselves are measured by `python -m benchmarks`, never asserted here)."""

from __future__ import annotations

import pytest

from benchmarks.__main__ import Row, _judge, main, throughput


def test_the_command_describes_itself() -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["--help"])
    assert excinfo.value.code == 0


def test_throughput_gives_each_figure_beside_the_baseline() -> None:
    rows = throughput("embedded", payments=3, rounds=1)
    assert [r.figure for r in rows] == [
        "web3.py transact() loop, embedded",
        "scf scenario run, embedded",
        "Python API loop, embedded",
        "payments file (3 rows), embedded",
    ]
    base = rows[0].scf
    assert base > 0 and all(r.baseline == base for r in rows[1:])
    assert [r.result for r in rows] == [None, rows[1].result, rows[2].result, None]
    assert {rows[1].result, rows[2].result} <= {"pass", "short"}


def test_a_verdict_is_pass_or_short_and_a_ratio_needs_a_baseline() -> None:
    assert _judge(Row("x", 1.0, 3.0, "payments/s", ">= 3x"), True).result == "pass"
    assert _judge(Row("x", 1.0, 2.0, "payments/s", ">= 3x"), False).result == "short"
    assert Row("x", 2.0, 3.0, "s").ratio == 1.5
    assert Row("x", None, 3.0, "s").ratio is None
