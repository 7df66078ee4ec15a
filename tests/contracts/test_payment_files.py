"""Payments files of any length: keyed chunks, each all or nothing, resumed without paying a
row twice, and checked whole against the project before anything is sent."""

from __future__ import annotations

import pytest

from chain_client.errors import ContractRevert, InputError
from chain_client.models import ChunkOutcome
from chain_client.projects import PaymentSpec
from chain_client.session import Session
from tests.conftest import assert_revert, events
from tests.contracts.ledger_fixtures import Litho, P, setup_litho


def rows(count: int, *, amount: str = "10.00", milestone: int = 0) -> list[PaymentSpec]:
    return [
        PaymentSpec(
            to=("resist_a", "resist_b")[i % 2],
            amount=amount,
            category="MATERIALS",
            milestone=milestone,
            memo=f"row {i}",
        )
        for i in range(count)
    ]


def test_a_keyed_batch_is_paid_once(litho: Litho) -> None:
    key = bytes(31) + b"\x07"
    result = litho.ledger.disburse_batch("LITHO-14", rows(3), batch=key)
    assert events(litho.session, result.tx_hash, litho.ledger.contract, "BatchPaid") == [
        {"project": P, "batch": key, "count": 3, "total": 30_00}
    ]
    assert litho.ledger.batch_paid_in("LITHO-14", key) == result.block
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.disburse_batch("LITHO-14", rows(3), batch=key)
    assert_revert(excinfo, "LedgerBatchAlreadyPaid", project=P, batch=key, blockNumber=result.block)
    # the zero key records nothing: the same payments may be sent again
    litho.ledger.disburse_batch("LITHO-14", rows(3))
    litho.ledger.disburse_batch("LITHO-14", rows(3))
    assert litho.token.balance_of("resist_a") == 3 * 20_00


def test_a_file_is_paid_in_chunks_and_a_rerun_pays_nothing_twice(litho: Litho) -> None:
    seen: list[ChunkOutcome] = []
    first = litho.ledger.pay_file("LITHO-14", rows(5), chunk_rows=2, progress=seen.append)
    assert seen == first
    assert [(c.chunk, c.first_row, c.rows, c.total, c.status) for c in first] == [
        (1, 0, 2, 20_00, "paid"),
        (2, 2, 2, 20_00, "paid"),
        (3, 4, 1, 10_00, "paid"),
    ]
    assert len({c.batch for c in first}) == 3
    assert litho.ledger.project("LITHO-14").spent == 50_00
    again = litho.ledger.pay_file("LITHO-14", rows(5), chunk_rows=2)
    assert [(c.status, c.block, c.batch) for c in again] == [
        ("already paid", c.block, c.batch) for c in first
    ]
    assert litho.ledger.project("LITHO-14").spent == 50_00
    # a new run of the same file is paid again, on purpose
    litho.ledger.pay_file("LITHO-14", rows(5), chunk_rows=2, run="2027-01")
    assert litho.ledger.project("LITHO-14").spent == 100_00


def test_a_failed_chunk_leaves_the_earlier_ones_and_a_rerun_resumes_after_them(
    litho: Litho,
) -> None:
    litho.registry.suspend("resist_b")  # no longer an eligible payee
    payments = [*rows(2)[:1], *rows(2)[:1], *rows(2)]  # a, a | a, b
    seen: list[ChunkOutcome] = []
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.pay_file("LITHO-14", payments, chunk_rows=2, progress=seen.append)
    assert_revert(excinfo, "LedgerPayeeNotEligible", project=P, payee=litho.a("resist_b"))
    assert [(c.chunk, c.status) for c in seen] == [(1, "paid")]
    assert litho.ledger.project("LITHO-14").spent == 20_00
    litho.registry.reinstate("resist_b")
    resumed = litho.ledger.pay_file("LITHO-14", payments, chunk_rows=2)
    assert [(c.chunk, c.status) for c in resumed] == [(1, "already paid"), (2, "paid")]
    assert litho.ledger.project("LITHO-14").spent == 40_00
    # a corrected row changes only its own chunk's key
    fixed = [*payments[:3], payments[3].model_copy(update={"amount": 11_00})]
    final = litho.ledger.pay_file("LITHO-14", fixed, chunk_rows=2)
    assert [c.status for c in final] == ["already paid", "paid"]


@pytest.mark.parametrize(
    ("payments", "message"),
    [
        (
            rows(2, amount="6500000.00"),
            "the payments on budget line MATERIALS total 13,000,030.00; 12,000,000.00 is left on it",
        ),
        (
            rows(2, amount="4500000.00"),
            "the payments under milestone 0 total 9,000,030.00; its tranche has 8,000,000.00 left",
        ),
        (rows(1, milestone=1), "milestone 1 of LITHO-14 is not approved"),
        (rows(1, milestone=4), "LITHO-14 has no milestone 4"),
        (
            [PaymentSpec(to="resist_a", amount="1.00", category="TRAVEL", milestone=0)],
            "LITHO-14 has no budget line TRAVEL",
        ),
    ],
)
def test_a_file_that_cannot_all_land_is_refused_before_sending(
    litho: Litho, payments: list[PaymentSpec], message: str
) -> None:
    block = litho.session.w3.eth.block_number
    with pytest.raises(InputError) as excinfo:
        litho.ledger.pay_file("LITHO-14", [*rows(3), *payments], chunk_rows=2)
    assert str(excinfo.value) == message
    assert litho.session.w3.eth.block_number == block


def test_a_file_above_the_balance_is_refused_before_sending(session: Session) -> None:
    litho = setup_litho(session, funding=45_00)
    block = session.w3.eth.block_number
    with pytest.raises(InputError) as excinfo:
        litho.ledger.pay_file("LITHO-14", rows(5), chunk_rows=2)
    assert str(excinfo.value) == "the payments total 50.00; LITHO-14 has 45.00 free"
    assert session.w3.eth.block_number == block
