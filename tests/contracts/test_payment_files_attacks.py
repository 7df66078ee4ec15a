"""Attacks on payments files and keyed batches (found by a red-team review): a re-saved
invoice document, a payee certain to be refused, and audits of a recovery no closed order
explains and of a payment run paid twice or out of order."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from chain_client.audit.checks import check_rules
from chain_client.audit.collect import collect
from chain_client.audit.replay import replay
from chain_client.audit.report import run_audit
from chain_client.errors import ContractRevert, InputError
from chain_client.projects import PaymentSpec
from chain_client.units import to_bytes32
from tests.conftest import assert_revert
from tests.contracts.ledger_fixtures import FINANCIER, MATERIALS, Litho, P


def rows(count: int, *, start: int = 0, amount: str = "10.00") -> list[PaymentSpec]:
    """Payments `start` to `start + count - 1` of a file, alternating two payees."""
    return [
        PaymentSpec(
            to=("resist_a", "resist_b")[i % 2],
            amount=amount,
            category="MATERIALS",
            milestone=0,
            memo=f"row {i}",
            invoice=f"INV-{i}",
        )
        for i in range(start, start + count)
    ]


def spent(litho: Litho, project: str = "LITHO-14") -> int:
    return litho.ledger.project(project).spent


def test_an_unchanged_file_whose_invoice_document_was_re_saved_is_not_paid_again(
    litho: Litho, tmp_path: Path
) -> None:
    invoice = tmp_path / "INV-7.pdf"
    invoice.write_bytes(b"%PDF invoice 7, exported 09:00")
    payments = [
        PaymentSpec(
            to="resist_a", amount="10.00", category="MATERIALS", milestone=0, invoice=f"@{invoice}"
        ),
        PaymentSpec(to="resist_b", amount="10.00", category="MATERIALS", milestone=0),
    ]
    litho.ledger.pay_file("LITHO-14", payments)
    invoice.write_bytes(b"%PDF invoice 7, exported 09:05")  # the same file, another invoice hash
    with pytest.raises(InputError) as excinfo:
        litho.ledger.pay_file("LITHO-14", payments)
    assert "this file is not the one paid" in str(excinfo.value)
    assert spent(litho) == 20_00


def test_a_file_with_a_suspended_payee_is_refused_before_any_chunk_is_sent(
    litho: Litho,
) -> None:
    litho.registry.suspend("resist_b")
    payments = [rows(1)[0], rows(1)[0], *rows(2)]  # a, a | a, b
    block = litho.session.w3.eth.block_number
    with pytest.raises(InputError) as excinfo:
        litho.ledger.pay_file("LITHO-14", payments, chunk_rows=2)
    assert str(excinfo.value) == (
        f"resist_b ({litho.a('resist_b')[:6]}…{litho.a('resist_b')[-4:]}) is neither an Active "
        "registered supplier nor a team wallet of LITHO-14 (payments 1-4 of the file, not paid "
        "yet); nothing was sent"
    )
    assert litho.session.w3.eth.block_number == block


def test_a_recovery_recorded_on_no_closed_order_fails_the_audit(litho: Litho) -> None:
    """An account given the financier role (the wiring risk docs/security.md names) records
    a debt on resist_b against a reservation of its own: the chain takes it, the audit must
    not."""
    f = litho.ledger.contract.functions
    litho.session.transact(f.grantRole(FINANCIER, litho.a("financier")), "admin")
    litho.session.transact(f.reserve(P, 77, MATERIALS, 0, 1_00), "financier")
    recorded = litho.session.transact(
        f.recordRecovery(P, 77, litho.a("resist_b"), 5_000_000_00), "financier"
    )[0]
    with pytest.raises(InputError, match="owes LITHO-14 5,000,000.00 in recoveries"):
        litho.ledger.pay_file("LITHO-14", [rows(2)[1]])
    report = run_audit(litho.session)
    (check,) = [c for c in report.checks if c.name == "decisions replayed"]
    log = next(r["log_index"] for r in collect(litho.session) if r["event"] == "RecoveryRecorded")
    assert check.failures == [
        f"block {recorded.block} log {log}: recovery of 5,000,000.00 owed by "
        f"{litho.session.name_of(litho.a('resist_b'))}: recorded on order 77; replayed only on "
        "an order closed undelivered, in the same transaction"
    ]


def test_a_run_position_paid_twice_or_skipped_fails_the_audit(litho: Litho) -> None:
    result = litho.ledger.disburse_batch("LITHO-14", rows(2), run="R1")
    events = collect(litho.session)
    chunk = [r for r in events if r["tx"] == result.tx_hash]
    again = copy.deepcopy(chunk)
    skipped = copy.deepcopy(chunk)
    for r in again:
        r["block"] += 1
        r["tx"] = "0x" + "ee" * 32
    for r in skipped:
        r["block"] += 2
        r["tx"] = "0x" + "ef" * 32
        if r["event"] == "BatchPaid":
            r["args"]["first"] = 4
    addresses = {n: c.address for n, c in litho.session.deployment().contracts.items()}
    checks = {c.name: c for c in check_rules([*events, *again, *skipped], addresses)}
    assert checks["batches paid once"].failures == [
        f"block {result.block + 1}: payments 1-2 of run R1 of LITHO-14 paid again (the run's "
        f"first 2 were paid by block {result.block})",
        f"block {result.block + 2}: payments 5-6 of run R1 of LITHO-14 paid with payments 3-4 "
        "never paid",
    ]
    assert replay([*events, *again]).disagreements == []  # the replay judges decisions only


def test_two_keyed_batches_in_one_transaction_are_each_matched_with_their_payments(
    litho: Litho,
) -> None:
    """An owner that is a contract (a multisig) may send two keyed batches in one
    transaction: each `BatchPaid` counts the payments just before it."""
    first = litho.ledger.disburse_batch("LITHO-14", rows(2), run="R1")
    second = litho.ledger.disburse_batch("LITHO-14", rows(3), run="R2")
    merged = []
    for r in copy.deepcopy(collect(litho.session)):
        if r["tx"] == second.tx_hash:  # as if both calls were in the first transaction
            r["tx"], r["block"] = first.tx_hash, first.block
        merged.append(r)
    addresses = {n: c.address for n, c in litho.session.deployment().contracts.items()}
    assert {c.name: c for c in check_rules(merged, addresses)}["batches paid once"].failures == []
    # a payment taken out of the second batch is seen
    dropped = next(
        i
        for i, r in enumerate(merged)
        if r["event"] == "FundsDisbursed"
        and r["tx"] == first.tx_hash
        and r["block"] == first.block
        and r["args"]["memo"] == "row 2"
    )
    failures = {
        c.name: c for c in check_rules(merged[:dropped] + merged[dropped + 1 :], addresses)
    }["batches paid once"].failures
    assert failures == [
        f"block {first.block}: payments 1-3 of run R2 of LITHO-14 count 3 payments of 30.00; "
        "its transaction paid 2 of 20.00 just before it"
    ]


def test_a_batch_cannot_be_keyed_inside_a_run_s_unpaid_positions(litho: Litho) -> None:
    """The owner (a script, another tool, or on purpose) tries to pay payments 2-3 of a file
    under the file's run at position 1 before position 0 is paid: a payments file walked
    later would send payments 1-3 from position 0 and pay 2-3 twice. The ledger takes a run's
    batches only one after the other."""
    payments = rows(3)
    with pytest.raises(ContractRevert) as excinfo:
        litho.ledger.disburse_batch("LITHO-14", payments[1:], run="default", first=1)
    assert_revert(
        excinfo, "LedgerBatchOutOfOrder", project=P, run=to_bytes32("default"), first=1, paid=0
    )
    # paying position 0 directly is a chunk like any other: the file resumes after it
    litho.ledger.disburse_batch("LITHO-14", payments[:1], run="default")
    out = litho.ledger.pay_file("LITHO-14", payments)
    assert [(c.first_row, c.rows, c.status) for c in out] == [
        (0, 1, "already paid"),
        (1, 2, "paid"),
    ]
    assert spent(litho) == 30_00
    # other rows paid at position 0 of a run refuse the whole file
    litho.ledger.disburse_batch("LITHO-14", payments[1:], run="R3")
    with pytest.raises(InputError):
        litho.ledger.pay_file("LITHO-14", payments, run="R3")
    assert spent(litho) == 50_00


def test_a_batch_whose_payments_differ_from_its_hash_fails_the_audit(litho: Litho) -> None:
    """The audit recomputes a keyed batch's `keccak256(abi.encode(payments))` from the
    payments just before it: a payment whose memo (or payee, amount, line, milestone or
    invoice) is not the one the batch hashed is caught, though count and total match."""
    result = litho.ledger.disburse_batch("LITHO-14", rows(2), run="R1")
    events = copy.deepcopy(collect(litho.session))
    addresses = {n: c.address for n, c in litho.session.deployment().contracts.items()}
    assert {c.name: c for c in check_rules(events, addresses)}["batches paid once"].failures == []
    paid = next(r for r in events if r["tx"] == result.tx_hash and r["event"] == "FundsDisbursed")
    paid["args"]["memo"] = "row 9"
    assert {c.name: c for c in check_rules(events, addresses)}["batches paid once"].failures == [
        f"block {result.block}: payments 1-2 of run R1 of LITHO-14: its payments hash is not "
        "that of the payments it paid"
    ]
