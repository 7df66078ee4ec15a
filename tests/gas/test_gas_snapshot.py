"""Gas of every external function against `.gas-snapshot`: a figure that moves by more than
1 % fails until the snapshot is written again (`python -m benchmarks.gas_snapshot --write`),
and so does a function with neither a row nor a reason for having none."""

from __future__ import annotations

import pytest

from benchmarks.gas_snapshot import (
    NOT_MEASURED,
    Figure,
    differences,
    external_functions,
    measure,
    read_snapshot,
)


@pytest.fixture(scope="module")
def figures() -> dict[str, Figure]:
    return measure()


def test_every_external_function_has_a_row_or_a_reason(figures: dict[str, Figure]) -> None:
    functions = external_functions()
    assert [f for f in functions if f not in figures and f not in NOT_MEASURED] == []
    assert all(reason.strip() for reason in NOT_MEASURED.values())
    # a reason for a function that is measured, or that no longer exists, is stale
    assert [f for f in NOT_MEASURED if f in figures or f not in functions] == []


def test_gas_matches_the_snapshot_within_one_percent(figures: dict[str, Figure]) -> None:
    changed = differences(figures, read_snapshot())
    assert changed == [], (
        "gas moved; if on purpose, run `python -m benchmarks.gas_snapshot --write` and commit "
        ".gas-snapshot:\n" + "\n".join(changed)
    )


def test_a_figure_over_one_percent_is_caught_and_one_within_is_not() -> None:
    recorded = {"FundLedger.disburse": (2, 100_000, 200_000)}
    within = Figure(calls=2, least=100_999, most=198_000)
    assert differences({"FundLedger.disburse": within}, recorded) == []
    over = Figure(calls=2, least=101_001, most=200_000)
    assert differences({"FundLedger.disburse": over}, recorded) == [
        "FundLedger.disburse min: 100,000 recorded, 101,001 now (+1.0%)"
    ]
    assert differences({}, recorded) == ["FundLedger.disburse: recorded but no longer measured"]
    assert differences({"FundLedger.claim": within, "FundLedger.disburse": within}, recorded) == [
        "FundLedger.claim: not in the snapshot (FundLedger.claim (calls: 2, min: 100999, "
        "max: 198000))"
    ]
