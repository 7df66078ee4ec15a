"""Payments files of any length: keyed chunks, each all or nothing, resumed without paying a
row twice, and checked whole against the project before anything is sent."""

from __future__ import annotations

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak

from chain_client.errors import ContractRevert, InputError
from chain_client.models import ChunkOutcome
from chain_client.projects import PaymentSpec
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.conftest import assert_revert, events
from tests.contracts.ledger_fixtures import MATERIALS, Litho, P, setup_litho


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


def test_a_run_s_batches_are_paid_in_order_each_position_once(litho: Litho) -> None:
    run = to_bytes32("2026-12")
    result = litho.ledger.disburse_batch("LITHO-14", rows(3), run="2026-12")
    encoded = abi_encode(
        ["(address,uint256,bytes32,uint256,bytes32,string)[]"],
        [
            [
                (
                    litho.a(("resist_a", "resist_b")[i % 2]),
                    10_00,
                    MATERIALS,
                    0,
                    bytes(32),
                    f"row {i}",
                )
                for i in range(3)
            ]
        ],
    )
    assert events(litho.session, result.tx_hash, litho.ledger.contract, "BatchPaid") == [
        {
            "project": P,
            "run": run,
            "first": 0,
            "count": 3,
            "total": 30_00,
            "payments": keccak(encoded),
        }
    ]
    assert litho.ledger.batch_paid_in("LITHO-14", "2026-12", 0) == result.block
    assert litho.ledger.run_paid("LITHO-14", "2026-12") == 3
    for first in (0, 2):  # a position already paid, at a batch's start or inside it
        with pytest.raises(ContractRevert) as excinfo:
            litho.ledger.disburse_batch("LITHO-14", rows(3), run="2026-12", first=first)
        assert_revert(excinfo, "LedgerBatchAlreadyPaid", project=P, run=run, first=first, paid=3)
    with pytest.raises(ContractRevert) as excinfo:  # positions 3 and 4 would never be paid
        litho.ledger.disburse_batch("LITHO-14", rows(1), run="2026-12", first=5)
    assert_revert(excinfo, "LedgerBatchOutOfOrder", project=P, run=run, first=5, paid=3)
    nxt = litho.ledger.disburse_batch("LITHO-14", rows(2), run="2026-12", first=3)
    assert litho.ledger.batch_paid_in("LITHO-14", "2026-12", 3) == nxt.block
    assert litho.ledger.batch_paid_in("LITHO-14", "2026-12", 1) == 0  # inside a batch
    assert litho.ledger.run_paid("LITHO-14", "2026-12") == 5
    # the zero run records nothing: the same payments may be sent again, from position 0 only
    litho.ledger.disburse_batch("LITHO-14", rows(3))
    litho.ledger.disburse_batch("LITHO-14", rows(3))
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.disburse_batch("LITHO-14", rows(3), first=1)
    assert_revert(excinfo, "LedgerBatchOutOfOrder", project=P, run=bytes(32), first=1, paid=0)
    assert litho.token.balance_of("resist_a") == 3 * 20_00 + 10_00


def test_a_file_is_paid_in_chunks_and_a_rerun_pays_nothing_twice(litho: Litho) -> None:
    seen: list[ChunkOutcome] = []
    first = litho.ledger.pay_file("LITHO-14", rows(5), chunk_rows=2, progress=seen.append)
    assert seen == first
    assert [(c.chunk, c.first_row, c.rows, c.total, c.status) for c in first] == [
        (1, 0, 2, 20_00, "paid"),
        (2, 2, 2, 20_00, "paid"),
        (3, 4, 1, 10_00, "paid"),
    ]
    assert {c.run for c in first} == {"default"}
    assert litho.ledger.run_paid("LITHO-14", "default") == 5
    assert litho.ledger.project("LITHO-14").spent == 50_00
    again = litho.ledger.pay_file("LITHO-14", rows(5), chunk_rows=2)
    assert [(c.status, c.block) for c in again] == [("already paid", c.block) for c in first]
    assert litho.ledger.project("LITHO-14").spent == 50_00
    # a new run of the same file is paid again, on purpose
    litho.ledger.pay_file("LITHO-14", rows(5), chunk_rows=2, run="2027-01")
    assert litho.ledger.project("LITHO-14").spent == 100_00


def test_a_failed_chunk_leaves_the_earlier_ones_and_a_rerun_resumes_after_them(
    litho: Litho,
) -> None:
    """Two identical payments at dual control share one approval: each chunk, tried alone
    before sending, passes; the first uses the approval, so the second is refused when sent."""
    large = PaymentSpec(to="resist_b", amount="2000000.00", category="MATERIALS", milestone=0)
    litho.ledger.approve_payment("LITHO-14", large)
    payments = [large, large]
    seen: list[ChunkOutcome] = []
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.pay_file("LITHO-14", payments, chunk_rows=1, progress=seen.append)
    assert excinfo.value.error_name == "LedgerPaymentNotApproved"
    assert str(excinfo.value).startswith("chunk 2 of 2 (payments 2-2) was not paid: ")
    assert str(excinfo.value).endswith(
        "; chunks 1-1 of 2 are paid (1 just now) (fix the cause and run the same command "
        "again: paid chunks are skipped)"
    )
    assert [(c.chunk, c.status) for c in seen] == [(1, "paid")]
    assert litho.ledger.project("LITHO-14").spent == 2_000_000_00
    litho.ledger.approve_payment("LITHO-14", large)
    resumed = litho.ledger.pay_file("LITHO-14", payments, chunk_rows=1)
    assert [(c.chunk, c.status) for c in resumed] == [(1, "already paid"), (2, "paid")]
    assert litho.ledger.project("LITHO-14").spent == 4_000_000_00


def test_a_chunk_a_rule_refuses_is_found_before_anything_is_sent(litho: Litho) -> None:
    large = PaymentSpec(to="resist_b", amount="2000000.00", category="MATERIALS", milestone=0)
    block = litho.session.w3.eth.block_number
    with pytest.raises(InputError) as excinfo:
        litho.ledger.pay_file("LITHO-14", [*rows(2), large], chunk_rows=2)
    assert str(excinfo.value) == (
        "chunk 2 of 2 (payments 3-3) would be refused: a payment of 2,000,000.00 to resist_b "
        "is at or above the dual-control threshold of LITHO-14 (2,000,000.00) and has no "
        "reviewer pre-approval (a reviewer approves exactly this payment with `scf project "
        "approve-payment`); nothing was sent"
    )
    assert litho.session.w3.eth.block_number == block


@pytest.mark.parametrize("chunk_rows", [0, -1])
def test_a_chunk_size_below_one_is_refused(litho: Litho, chunk_rows: int) -> None:
    with pytest.raises(InputError) as excinfo:
        litho.ledger.pay_file("LITHO-14", rows(3), chunk_rows=chunk_rows)
    assert str(excinfo.value) == f"chunk_rows must be at least 1, not {chunk_rows}"


def test_a_chunk_another_run_paid_meanwhile_is_said_to_be_paid(
    litho: Litho, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two operators run the same file at once: the second plans while its first key is
    unpaid, the first pays it, and the ledger refuses the second's chunk."""
    payments = rows(3)
    check = litho.ledger._check_fits
    other: list[ChunkOutcome] = []

    def check_then_other_run(project: str, unpaid: list[PaymentSpec]) -> None:
        check(project, unpaid)
        monkeypatch.setattr(litho.ledger, "_check_fits", check)
        other.extend(litho.ledger.pay_file("LITHO-14", payments))  # the other operator

    monkeypatch.setattr(litho.ledger, "_check_fits", check_then_other_run)
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.pay_file("LITHO-14", payments)
    assert litho.ledger.project("LITHO-14").spent == 30_00  # once, by the other run
    assert str(excinfo.value) == (
        "chunk 1 of 1 (payments 1-3) was not paid: another payer of this run paid its first 3 "
        "payments meanwhile; nothing was paid twice; no earlier chunk (run the same command "
        "again: it checks which chunks landed)"
    )


def test_an_edited_paid_file_is_refused_whole_and_appended_rows_are_paid_alone(
    litho: Litho,
) -> None:
    payments = rows(3)
    first = litho.ledger.pay_file("LITHO-14", payments, chunk_rows=2)
    block = litho.session.w3.eth.block_number
    fixed = [*payments[:2], payments[2].model_copy(update={"memo": "typo fixed"})]
    with pytest.raises(InputError) as excinfo:
        litho.ledger.pay_file("LITHO-14", fixed, chunk_rows=2)
    assert str(excinfo.value) == (
        f"payments 3-3 of run default were paid in block {first[1].block} with other rows: "
        "this file is not the one paid under this run (edited, re-sorted, shortened or another "
        "file); nothing was sent (pay it as a new run with --run NAME only if none of its rows "
        "was paid before)"
    )
    for edited in (list(reversed(payments)), [rows(5)[4], *payments]):
        with pytest.raises(InputError):
            litho.ledger.pay_file("LITHO-14", edited, chunk_rows=2)
    assert litho.session.w3.eth.block_number == block
    # rows added at the end of a paid file: only they are paid, from their position
    more = litho.ledger.pay_file("LITHO-14", rows(4), chunk_rows=2)
    assert [(c.first_row, c.rows, c.status) for c in more] == [
        (0, 2, "already paid"),
        (2, 1, "already paid"),
        (3, 1, "paid"),
    ]
    assert litho.ledger.project("LITHO-14").spent == 40_00


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
    assert str(excinfo.value) == (
        f"{message} (payments 1-{3 + len(payments)} of the file, not paid yet); nothing was sent"
    )
    assert litho.session.w3.eth.block_number == block


def test_a_file_above_the_balance_is_refused_before_sending(session: Session) -> None:
    litho = setup_litho(session, funding=45_00)
    block = session.w3.eth.block_number
    with pytest.raises(InputError) as excinfo:
        litho.ledger.pay_file("LITHO-14", rows(5), chunk_rows=2)
    assert str(excinfo.value) == (
        "the payments total 50.00; LITHO-14 has 45.00 free (payments 1-5 of the file, not "
        "paid yet); nothing was sent"
    )
    assert session.w3.eth.block_number == block
