"""What-if: a cut-off played on a copy of the chain predicts exactly what the trigger then
does, and leaves the chain as it was."""

from __future__ import annotations

import pytest

from chain_client.config import Settings
from chain_client.errors import InputError
from chain_client.risk.whatif import played_copy, what_if
from chain_client.session import Session
from tests.contracts.financing_fixtures import setup_world


def outcome_keys(outcomes: list) -> list[tuple]:  # type: ignore[type-arg]
    return [
        (o.order, o.financed, o.substitute, o.facility, o.advance, o.reason, o.passed_over)
        for o in outcomes
    ]


def test_the_what_if_predicts_exactly_what_the_trigger_then_does(session: Session) -> None:
    # cash for the first advance (80 % of 3,000,000.00) and not for the second
    world = setup_world(session, pool_cash=3_000_000_00)
    world.policy(project_cap_bps=10_000, exposure_cap_bps=10_000, window_cap_bps=10_000)
    first = world.order(3_000_000_00, "resist_a")
    second = world.order(1_500_000_00, "resist_a")
    block = session.w3.eth.block_number
    with played_copy(session.settings) as copy:
        predicted = what_if(copy, "resist_a")
    # nothing of the play was kept
    assert session.w3.eth.block_number == block
    assert world.litho.registry.supplier("resist_a").status == "Active"
    assert world.financing.open_orders("resist_a") == [first, second]
    actual = world.financing.report_disruption("resist_a", "FIRE")
    assert outcome_keys(predicted.outcomes) == outcome_keys(actual.outcomes)
    assert [o.financed for o in predicted.outcomes] == [True, False]
    assert predicted.outcomes[1].reason == "NO_CASH"
    assert predicted.advanced == 2_400_000_00
    assert (predicted.idle_before, predicted.idle_after) == (3_000_000_00, 600_000_00)
    assert (predicted.unfinanced, predicted.unfinanced_value, predicted.short_of_cash) == (
        1,
        1_500_000_00,
        1_500_000_00,
    )
    assert world.pool.status().idle == predicted.idle_after


def test_a_what_if_needs_an_active_supplier_and_a_played_copy(session: Session) -> None:
    world = setup_world(session)
    world.financing.report_disruption("resist_b", "FIRE")
    with played_copy(session.settings) as copy, pytest.raises(InputError, match="is Disrupted"):
        what_if(copy, "resist_b")
    with pytest.raises(InputError, match="runs only on a played copy"):
        what_if(session, "resist_a")


def test_a_what_if_on_a_node_workspace_is_refused_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(workspace=tmp_path, chain="http://127.0.0.1:1")
    with (
        pytest.raises(InputError, match="plays the shock on a copy of the embedded chain"),
        played_copy(settings),
    ):
        pass
