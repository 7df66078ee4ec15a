"""Attacks on payment runs (`disburseBatch(project, run, first, payments)`,
`Ledger.pay_file`, the audit's "batches paid once") and on settlement deciding from reads
before it books and calls out (`settleOrder`, `_book`, `FinancingBooksDisagree`), from a
red-team review.

The first section holds what the review found, each fixed since: the audit on a held
settlement with a set-off and on a keyed batch sharing its transaction, the set-off a held
settlement reports, run names that look the same, a shortened file. The second pins the
attacks that held, with exact outcomes.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
import rlp
from eth_utils import keccak, to_canonical_address, to_checksum_address

from chain_client.audit.books import text
from chain_client.audit.collect import collect
from chain_client.audit.report import run_audit
from chain_client.errors import ContractRevert, InputError
from chain_client.units import to_bytes32
from tests.conftest import assert_revert, events
from tests.contracts.financing_fixtures import World
from tests.contracts.ledger_fixtures import MATERIALS, Litho, P
from tests.contracts.test_payment_files_attacks import rows, spent

DAY = 86_400


# helpers --------------------------------------------------------------------------------


def failures(session: Any, name: str) -> list[str]:
    return next(c for c in run_audit(session).checks if c.name == name).failures


def not_ok(session: Any) -> list[tuple[str, list[str]]]:
    return [(c.name, c.failures) for c in run_audit(session).checks if not c.ok]


def payment(litho: Litho, to: str, amount: int, memo: str) -> tuple[Any, ...]:
    return (litho.a(to), amount, MATERIALS, 0, bytes(32), memo)


def constructor_calls(calls: list[tuple[str, bytes]]) -> bytes:
    """Init code of a throw-away contract whose constructor CALLs each (address, calldata)
    in turn and reverts with the callee's revert data if one fails: one transaction whose
    `msg.sender` for every call is that contract (as for an owner that is a multisig)."""
    fail = 3
    code = bytearray([0x60, 14, 0x56])  # PUSH1 14, JUMP over the fail block
    code += bytes([0x5B, 0x3D, 0x60, 0, 0x60, 0, 0x3E, 0x3D, 0x60, 0, 0xFD])
    code += bytes([0x5B])  # offset 14
    for target, data in calls:
        padded = data + bytes(-len(data) % 32)
        for i in range(0, len(padded), 32):
            code += bytes([0x7F]) + padded[i : i + 32] + bytes([0x61]) + i.to_bytes(2, "big")
            code += bytes([0x52])  # MSTORE
        code += bytes([0x60, 0, 0x60, 0, 0x61]) + len(data).to_bytes(2, "big")
        code += bytes([0x60, 0, 0x60, 0, 0x73]) + to_canonical_address(target)
        code += bytes([0x5A, 0xF1, 0x15, 0x60, fail, 0x57])  # GAS CALL ISZERO PUSH1 fail JUMPI
    code += bytes([0x00])
    return bytes(code)


def defaulted(world: World) -> int:
    """A 3,000,000.00 order of resist_a moved to sub_hi, never delivered, closed after its
    stop: sub_hi owes LITHO-14 what the pool took (~2.45 M). Returns what it owes."""
    order = world.order()
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    world.session.advance_time(155 * DAY)
    world.financing.close_undelivered(order)
    owed = world.litho.ledger.recovery_owed("LITHO-14", "sub_hi")
    assert 2_400_000_00 < owed < 3_000_000_00
    return owed


def collected(world: World, tx_hash: str) -> list[dict[str, Any]]:
    return events(world.session, tx_hash, world.pool.contract, "FacilityCollected")


# =========================================================================================
# FOUND AND FIXED
# =========================================================================================


def test_the_audit_replays_a_held_settlement_with_a_partial_set_off(world: World) -> None:
    """Found (audit, flagged correct books). sub_hi owes LITHO-14 ~2.45 M (an order closed
    undelivered). It delivers a direct 3,000,000.00 order, the owner accepts, the registrar
    suspends it. settleOrder holds the settlement: ~2.45 M of the payable is set off
    (RecoverySetOff + RecoveryRepaid), ~0.55 M stays reserved (SettlementHeld). Reinstated,
    the order settles: OrderSettled(toSupplier = 0.55 M), exactly what the reservation held.

    The chain is right, but the audit's replay (`replay._check_money`) reduces an order's
    `reserved` only by PoolRepaidFromReservation, never by the set-off of a held settlement,
    so it expects 3,000,000.00 to the supplier and `scf audit report` fails "decisions
    replayed" (exit 1) on correct books. Fix: on SettlementHeld, subtract the order's
    RecoverySetOff amounts of that transaction from its `reserved` (and check the held
    amount equals what is left)."""
    owed = defaulted(world)
    order = world.order(value=3_000_000_00, supplier="sub_hi", due="200d")
    world.deliver(order)
    world.litho.registry.suspend("sub_hi")
    held = world.financing.settle_order(order, sender="stranger")
    assert (held.settled, held.held) == (False, 3_000_000_00 - owed)
    world.litho.registry.reinstate("sub_hi")
    settled = world.financing.settle_order(order, sender="stranger")
    assert (settled.settled, settled.to_supplier) == (True, 3_000_000_00 - owed)
    assert world.litho.ledger.recovery_owed("LITHO-14", "sub_hi") == 0
    assert not_ok(world.session) == []


def test_a_held_settlement_reports_its_set_off(world: World) -> None:
    """Found (client/CLI, misreported a money movement). In a held settlement with a
    partial set-off, ~2.45 M of the payable repays the supplier's recoveries in that very
    transaction, but `Financing.settle_order` reads RecoverySetOff only when the order
    settles: the held `Settlement` says set_off=0, and `scf order settle` prints "0.00 to the
    pool; 550,545.15 ... stays reserved" with no word of the 2.45 M applied. A credit officer
    reading the output cannot see where the rest of the 3,000,000.00 went. Fix: sum the
    receipt's RecoverySetOff in the held branch too (and print it)."""
    owed = defaulted(world)
    order = world.order(value=3_000_000_00, supplier="sub_hi", due="200d")
    world.deliver(order)
    world.litho.registry.suspend("sub_hi")
    held = world.financing.settle_order(order, sender="stranger")
    assert held.settled is False
    assert world.litho.ledger.recovery_owed("LITHO-14", "sub_hi") == 0  # it was set off
    assert held.set_off == owed


@pytest.mark.parametrize("other", ["direct", "unkeyed batch"])
def test_the_audit_matches_a_keyed_batch_sharing_its_transaction_with_another_payment(
    litho: Litho, other: str
) -> None:
    """Found (audit, flagged correct books). A project owner that is a contract (a
    multisig's multi-send: the docs' own example of several batches per transaction) pays,
    in one transaction, a direct payment (or an unkeyed batch) of 0.10 and then a keyed
    batch of run R1 of one payment of 0.20. The ledger records BatchPaid(count 1, total
    0.20), which is right.

    `checks.batch_failures` attributes to a BatchPaid every FundsDisbursed of the project in
    the transaction since the last keyed batch, so it counts 2 payments of 0.30 and fails
    "batches paid once" on correct books (a settlement of an order, which anyone may send,
    in the same transaction does the same). Fix: a batch's payments are the LAST `count`
    FundsDisbursed of its project before it in its transaction; compare those, and drop
    the earlier ones from `pending`."""
    session, ledger = litho.session, litho.ledger
    w3 = session.w3
    sender = litho.a("stranger")
    nonce = w3.eth.get_transaction_count(sender)
    owner = to_checksum_address(keccak(rlp.encode([to_canonical_address(sender), nonce]))[12:])
    ledger.create_project(
        {
            "id": "MULTI-1",
            "owner": owner,
            "budget": {"MATERIALS": "1000000.00"},
            "milestones": [{"stage": "RESEARCH", "amount": "1000000.00"}],
        }
    )
    ledger.fund("MULTI-1", 1_000_000_00, funder="gov_fund")
    ledger.approve_milestone("MULTI-1", 0, "ok")
    f = ledger.contract.functions
    project = to_bytes32("MULTI-1")
    if other == "direct":
        first = f.disburse(project, litho.a("resist_a"), 10, MATERIALS, 0, bytes(32), "direct")
    else:
        first = f.disburseBatch(project, bytes(32), 0, [payment(litho, "resist_a", 10, "z")])
    keyed = f.disburseBatch(project, to_bytes32("R1"), 0, [payment(litho, "resist_b", 20, "k")])
    code = constructor_calls(
        [
            (ledger.address, bytes.fromhex(fn._encode_transaction_data()[2:]))
            for fn in (first, keyed)
        ]
    )
    tx = w3.eth.send_transaction({"from": sender, "data": code, "gas": 5_000_000})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    assert ledger.run_paid("MULTI-1", "R1") == 1
    assert spent(litho, "MULTI-1") == 30
    (batch,) = events(session, receipt, ledger.contract, "BatchPaid")
    assert (batch["count"], batch["total"]) == (1, 20)
    assert failures(session, "batches paid once") == []


def test_the_audit_keeps_apart_two_runs_whose_names_are_not_utf8(litho: Litho) -> None:
    """Found (audit, flagged correct books). The ledger keys a run by its raw bytes32; the
    audit keys it by `books.text(run)`, which decodes UTF-8 with errors="replace". Another
    tool (a Chinese ERP keying runs by GBK month names) pays run "二月" (February:
    b6 fe d4 c2) and run "三月" (March: c8 fd d4 c2) from position 0 each: two distinct runs
    on chain, correct books. Both decode to "\\ufffd" x 4, so the audit merges them and fails
    "batches paid once": "payments 1-1 of run ???? paid again". (Project ids go through the
    same `text`, so two such projects would be merged in all the books.) Fix: key runs (and
    projects) by their hex in the audit, showing the text only in messages."""
    f = litho.ledger.contract.functions
    february = "二月".encode("gbk").ljust(32, b"\0")
    march = "三月".encode("gbk").ljust(32, b"\0")
    for run, memo in ((february, "feb"), (march, "mar")):
        litho.session.transact(
            f.disburseBatch(P, run, 0, [payment(litho, "resist_a", 10_00, memo)]), "chipco"
        )
    assert [f.runPaid(P, run).call() for run in (february, march)] == [1, 1]
    assert failures(litho.session, "batches paid once") == []


@pytest.mark.parametrize(
    "again",
    [
        "default ",  # a stray space in a script or a copied command line
        unicodedata.normalize("NFD", "paie-décembre"),  # the same name typed on macOS
    ],
)
def test_a_run_name_that_looks_the_same_resumes_the_run_or_is_refused(
    litho: Litho, again: str
) -> None:
    """Found (client, a file paid twice by an operator slip). The guarantee "running the
    same command again pays only what had not landed" holds only if the run name is
    byte-identical. `to_bytes32` keeps leading/trailing spaces and does not normalise
    Unicode, so `--run "default "` or `--run paie-décembre` typed in NFD (macOS) after NFC
    (Linux) is a new, empty run: `pay_file` finds nothing paid and pays every row again,
    with no warning. Expected: run names are normalised (NFC, stripped) or ones with
    surrounding blanks/non-NFC text refused, so a look-alike name resumes the same run (or
    is refused) instead of paying the file twice."""
    payments = rows(4)
    first = "default" if again.startswith("default") else unicodedata.normalize("NFC", again)
    litho.ledger.pay_file("LITHO-14", payments, run=first)
    assert spent(litho) == 40_00
    if again.startswith("default"):
        with pytest.raises(InputError) as excinfo:
            litho.ledger.pay_file("LITHO-14", payments, run=again)
        assert str(excinfo.value) == "run 'default ' has blanks around it; write it without"
    else:  # the same name, composed: the same run, already paid
        out = litho.ledger.pay_file("LITHO-14", payments, run=again)
        assert [c.status for c in out] == ["already paid"]
    assert spent(litho) == 40_00


def test_a_file_shortened_at_a_chunk_boundary_is_refused(
    litho: Litho,
) -> None:
    """Found (client, low: no money moved, but the documented refusal did not happen).
    README and `pay_file`'s docstring: "a paid file that was edited, re-sorted or shortened
    is refused whole". A 4-row file paid in chunks of 2, then cut to its first 2 rows (an
    export truncated, the wrong version of the file), is not refused: the walk stops at the
    end of the file, and the call reports one chunk "already paid" and nothing else, though
    the run has 4 payments paid that the file does not hold. `scf project disburse --csv`
    prints "paid 0 payments ... 1 chunk(s), 2 rows, were already paid and skipped". Fix:
    after the walk, compare `runPaid(project, run)` with where the walk ended and refuse
    (or at least report) a file shorter than its run."""
    litho.ledger.pay_file("LITHO-14", rows(4), chunk_rows=2)
    assert litho.ledger.run_paid("LITHO-14", "default") == 4
    with pytest.raises(InputError) as excinfo:
        litho.ledger.pay_file("LITHO-14", rows(2), chunk_rows=2)
    assert str(excinfo.value) == (
        "run default of LITHO-14 has 4 payments paid; this file has 2: it is not the file paid "
        "under this run (shortened, or another file); nothing was sent (pay it as a new run with "
        "--run NAME only if none of its rows was paid before)"
    )
    assert spent(litho) == 40_00


# =========================================================================================
# ATTACKS THAT HELD
# =========================================================================================

# 1. payment runs -------------------------------------------------------------------------


def test_first_at_the_top_of_uint256_is_out_of_order_not_an_overflow(litho: Litho) -> None:
    """`first + payments.length` cannot overflow: `first` must equal the run's `next`, which
    only grows by batch lengths; a huge `first` is refused before any arithmetic."""
    f = litho.ledger.contract.functions
    run = to_bytes32("R")
    top = 2**256 - 1
    for paid in (0, 2):
        with pytest.raises(ContractRevert) as excinfo:
            litho.session.transact(
                f.disburseBatch(P, run, top, [payment(litho, "resist_a", 1, "x")]), "chipco"
            )
        assert_revert(excinfo, "LedgerBatchOutOfOrder", project=P, run=run, first=top, paid=paid)
        if paid == 0:
            litho.ledger.disburse_batch("LITHO-14", rows(2), run="R")
    assert spent(litho) == 20_00
    assert f.batchPaid(P, run, top).call() == [0, 0, bytes(32)]


def test_the_zero_run_takes_only_position_0_and_records_nothing(litho: Litho) -> None:
    """The unkeyed (zero) run bypasses no rule of the keyed path it claims: `first` must be
    0 (LedgerBatchOutOfOrder otherwise), and it records no batch and emits no BatchPaid, so
    it can neither fill nor shadow a keyed run's positions. Its payments follow `_pay`'s
    rules like any other (eligibility, debts, caps, dual control)."""
    f = litho.ledger.contract.functions
    zero = bytes(32)
    with pytest.raises(ContractRevert) as excinfo:
        litho.session.transact(
            f.disburseBatch(P, zero, 1, [payment(litho, "resist_a", 1, "x")]), "chipco"
        )
    assert_revert(excinfo, "LedgerBatchOutOfOrder", project=P, run=zero, first=1, paid=0)
    result = litho.ledger.disburse_batch("LITHO-14", rows(2))
    litho.ledger.disburse_batch("LITHO-14", rows(2))  # unkeyed: the owner's own choice
    assert events(litho.session, result.tx_hash, litho.ledger.contract, "BatchPaid") == []
    assert f.runPaid(P, zero).call() == 0
    assert f.batchPaid(P, zero, 0).call() == [0, 0, bytes(32)]
    with pytest.raises(ContractRevert) as excinfo:  # the same rules as a keyed batch
        litho.ledger.disburse_batch("LITHO-14", rows(1, amount="2000000.00"))
    assert excinfo.value.error_name == "LedgerPaymentNotApproved"
    # the file of the default run is untouched by the unkeyed batches
    out = litho.ledger.pay_file("LITHO-14", rows(2))
    assert [(c.first_row, c.rows, c.status) for c in out] == [(0, 2, "paid")]
    assert spent(litho) == 60_00
    assert failures(litho.session, "batches paid once") == []


def test_resuming_with_other_chunk_sizes_pays_each_row_once(litho: Litho) -> None:
    """Chunk sizes changed between runs of the same file (2, then 3, then 1): the walk
    follows the recorded batches whatever their size and pays only the rows past them."""
    ledger = litho.ledger
    ledger.pay_file("LITHO-14", rows(3), chunk_rows=2)
    out = ledger.pay_file("LITHO-14", rows(8), chunk_rows=3)
    assert [(c.first_row, c.rows, c.status) for c in out] == [
        (0, 2, "already paid"),
        (2, 1, "already paid"),
        (3, 3, "paid"),
        (6, 2, "paid"),
    ]
    out = ledger.pay_file("LITHO-14", rows(8), chunk_rows=1)
    assert [c.status for c in out] == ["already paid"] * 4
    assert spent(litho) == 80_00
    assert ledger.run_paid("LITHO-14", "default") == 8
    assert failures(litho.session, "batches paid once") == []


def test_a_second_payer_racing_the_first_pays_nothing_twice(litho: Litho) -> None:
    """Two payers of one file and run (two terminals, a retry while the first still runs),
    with different chunk sizes: while the first is between chunks, the second pays the rest
    of the file. The first's next chunk is refused by the ledger (LedgerBatchAlreadyPaid),
    named as such by the client; every row is paid exactly once."""
    ledger, payments = litho.ledger, rows(6)
    raced: list[int] = []

    def second_payer(outcome: Any) -> None:
        if not raced:
            raced.append(outcome.chunk)
            out = ledger.pay_file("LITHO-14", payments, chunk_rows=3)
            assert [(c.first_row, c.rows, c.status) for c in out] == [
                (0, 2, "already paid"),
                (2, 3, "paid"),
                (5, 1, "paid"),
            ]

    with pytest.raises(ContractRevert) as excinfo:
        ledger.pay_file("LITHO-14", payments, chunk_rows=2, progress=second_payer)
    assert_revert(
        excinfo,
        "LedgerBatchAlreadyPaid",
        project=P,
        run=to_bytes32("default"),
        first=2,
        paid=6,
    )
    assert "nothing was paid twice" in str(excinfo.value)
    assert spent(litho) == 60_00
    out = ledger.pay_file("LITHO-14", payments, chunk_rows=2)
    assert [c.status for c in out] == ["already paid"] * 3
    assert failures(litho.session, "batches paid once") == []


def test_keyed_batches_interleaved_by_another_tool_are_walked_not_repaid(
    litho: Litho,
) -> None:
    """Another tool pays rows 3-5 of the file under its run, as one batch at the run's
    position; `pay_file` then walks that batch (same rows) and pays only row 6. A batch of
    other rows at the next position refuses the file whole."""
    ledger, payments = litho.ledger, rows(6)
    ledger.pay_file("LITHO-14", payments[:2])
    ledger.disburse_batch("LITHO-14", payments[2:5], run="default", first=2)
    out = ledger.pay_file("LITHO-14", payments)
    assert [(c.first_row, c.rows, c.status) for c in out] == [
        (0, 2, "already paid"),
        (2, 3, "already paid"),
        (5, 1, "paid"),
    ]
    ledger.disburse_batch("LITHO-14", rows(1, start=99), run="default", first=6)
    with pytest.raises(InputError, match="payments 7-7 of run default were paid in block"):
        ledger.pay_file("LITHO-14", [*payments, *rows(1, start=6)])
    assert spent(litho) == 70_00


@pytest.mark.parametrize(
    "edit",
    ["swap two paid rows", "drop a row inside the last chunk", "change an amount"],
)
def test_an_edited_paid_file_is_refused_whole(litho: Litho, edit: str) -> None:
    ledger, payments = litho.ledger, rows(5)
    ledger.pay_file("LITHO-14", payments, chunk_rows=2)
    edited = list(payments)
    if edit == "swap two paid rows":
        edited[0], edited[1] = edited[1], edited[0]
    elif edit == "drop a row inside the last chunk":
        edited = edited[:4] + rows(2, start=10)
    else:
        edited[3] = edited[3].model_copy(update={"amount": 11_00})
    with pytest.raises(InputError, match="this file is not the one paid under this run"):
        ledger.pay_file("LITHO-14", edited, chunk_rows=2)
    assert spent(litho) == 50_00


def test_run_names_at_31_bytes_round_trip_and_32_are_refused(litho: Litho) -> None:
    """A 31-byte run name of multi-byte characters keys its own run, resumes and is shown
    whole by the audit; 32 bytes is refused by the client before anything is sent (the
    contract would take it, but it cannot come from `to_bytes32`)."""
    name = "支付批次2026年12月-ABCDEF"  # 31 bytes in UTF-8
    assert len(name.encode()) == 31
    ledger = litho.ledger
    ledger.pay_file("LITHO-14", rows(3), run=name, chunk_rows=2)
    assert [c.status for c in ledger.pay_file("LITHO-14", rows(3), run=name)] == [
        "already paid",
        "already paid",
    ]
    assert ledger.run_paid("LITHO-14", name) == 3
    shown = [text(r["args"]["run"]) for r in collect(litho.session) if r["event"] == "BatchPaid"]
    assert shown == [name, name]
    assert failures(litho.session, "batches paid once") == []
    with pytest.raises(InputError, match="32 bytes long; at most 31"):
        ledger.pay_file("LITHO-14", rows(1), run=name + "B")
    for bad in ("", "a\x00b"):
        with pytest.raises(InputError):
            ledger.pay_file("LITHO-14", rows(1), run=bad)
    assert spent(litho) == 30_00


# 2. settlement (checks, effects, interactions) ------------------------------------------


def test_partial_repay_then_settle_books_agree_with_the_pool(world: World) -> None:
    """repay() of an odd amount (principal and interest), then settlement: the pool's
    collection closes the facility with the principal this contract booked; exposure and
    project exposure go to 0; the supplier gets the value less the pool's leg; no
    FinancingBooksDisagree; audit clean."""
    order = world.order()
    assert world.financing.report_disruption("resist_a", "FIRE").outcomes[0].financed
    world.session.advance_time(10 * DAY + 7)
    world.litho.token.mint("sub_hi", 3_000_000_00)
    world.financing.repay(1, 1_234_567_89, by="sub_hi")
    left = world.financing.facility(1).owed_principal
    assert world.financing.exposure("sub_hi") == left
    world.deliver(order)
    before = world.litho.token.balance_of("sub_hi")
    s = world.financing.settle_order(order, sender="stranger")
    (c,) = collected(world, s.tx_hash)
    assert (c["amount"], c["principal"], c["closed"]) == (s.to_pool, left, True)
    assert s.to_supplier == 3_000_000_00 - s.to_pool
    assert world.litho.token.balance_of("sub_hi") - before == s.to_supplier
    assert world.financing.facility(1).status == "Repaid"
    assert (world.financing.exposure("sub_hi"), world.financing.project_exposure("LITHO-14")) == (
        0,
        0,
    )
    assert world.pool.status().outstanding_principal == 0
    assert not_ok(world.session) == []


def test_settlement_after_the_stop_pays_the_pool_exactly_what_is_owed_at_stop(
    world: World,
) -> None:
    """Interest stops at the facility's stop: settled 400 days later (deemed acceptance),
    the pool takes exactly `owedAtStop(principal, rate, openedAt, stop)`."""
    order = world.order()
    out = world.financing.report_disruption("resist_a", "FIRE").outcomes[0]
    world.deliver(order, accept=False)
    world.session.advance_time(400 * DAY)
    f = world.financing.facility(1)
    owed = world.pool.contract.functions.owedAtStop(
        f.principal, f.rate_bps, int(f.opened_at.timestamp()), int(f.stop.timestamp())
    ).call()
    assert f.owed_principal + f.owed_interest == owed
    s = world.financing.settle_order(order, sender="stranger")
    assert (s.to_pool, s.to_supplier) == (owed, 3_000_000_00 - owed)
    assert out.advance == f.principal
    assert not_ok(world.session) == []


def test_rounding_interest_only_then_one_unit_then_the_rest_after_the_stop(
    world: World,
) -> None:
    """After the stop the facility's value is frozen, so exact amounts can be aimed at:
    repaying exactly the interest books principal 0 (exposure unchanged), one more unit
    books principal 1, and exactly what is left closes the facility (Repaid in both books);
    the later settlement pays the pool nothing."""
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.session.advance_time(400 * DAY)
    f = world.financing.facility(1)
    principal, interest = f.owed_principal, f.owed_interest
    world.litho.token.mint("stranger", principal + interest)
    steps = [(interest, 0, False), (1, 1, False), (principal - 1, principal - 1, True)]
    for amount, booked, closed in steps:
        before = world.financing.exposure("sub_hi")
        (result, *_) = world.financing.repay(1, amount, by="stranger")[-1:]
        (c,) = collected(world, result.tx_hash)
        assert (c["amount"], c["principal"], c["closed"]) == (amount, booked, closed)
        assert before - world.financing.exposure("sub_hi") == booked
    assert world.financing.facility(1).status == "Repaid"
    world.deliver(order)
    s = world.financing.settle_order(order, sender="stranger")
    assert (s.to_pool, s.to_supplier) == (0, 3_000_000_00)
    assert not_ok(world.session) == []


def test_repaying_exactly_what_is_owed_then_settling(world: World) -> None:
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.session.advance_time(200 * DAY)
    f = world.financing.facility(1)
    owed = f.owed_principal + f.owed_interest
    world.litho.token.mint("sub_hi", owed)
    world.financing.repay(1, owed, by="sub_hi")
    assert world.financing.facility(1).status == "Repaid"
    assert world.litho.token.balance_of("sub_hi") == f.principal  # the advance, kept
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.repay(1, 1, by="sub_hi")
    assert_revert(excinfo, "FinancingFacilityStatus", facility=1, status=2)
    world.deliver(order)
    s = world.financing.settle_order(order, sender="stranger")
    assert (s.to_pool, s.to_supplier) == (0, 3_000_000_00)
    assert not_ok(world.session) == []


def test_collect_while_suspended_then_reinstated_settles_the_rest(world: World) -> None:
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.session.advance_time(5 * DAY)
    world.litho.registry.suspend("sub_hi")
    took = world.financing.collect(1, sender="stranger")[1]
    assert world.financing.facility(1).status == "Repaid"
    world.litho.registry.reinstate("sub_hi")
    world.deliver(order)
    s = world.financing.settle_order(order, sender="stranger")
    assert (s.to_pool, s.to_supplier) == (0, 3_000_000_00 - took)
    assert not_ok(world.session) == []


def test_settlement_held_for_a_suspended_substitute_pays_the_pool_then_the_rest(
    world: World,
) -> None:
    """Deemed acceptance, substitute suspended: the first settlement repays the pool and
    holds the rest (order back to Accepted, facility Repaid, exposure 0); a second call
    while suspended moves nothing and is refused; reinstated, the rest is paid."""
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.session.advance_time(5 * DAY)
    world.deliver(order, accept=False)
    world.litho.registry.suspend("sub_hi")
    world.session.advance_time(40 * DAY)
    held = world.financing.settle_order(order, sender="stranger")
    (c,) = collected(world, held.tx_hash)
    assert (held.settled, held.to_pool, held.held) == (
        False,
        c["amount"],
        3_000_000_00 - c["amount"],
    )
    assert c["closed"] is True
    assert world.financing.order(order).status == "Accepted"
    assert world.financing.exposure("sub_hi") == 0
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.settle_order(order, sender="stranger")
    assert_revert(excinfo, "FinancingPayeeNotEligible", order=order, supplier=world.a("sub_hi"))
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.close_undelivered(order)
    assert excinfo.value.error_name == "FinancingOrderStatus"
    world.litho.registry.reinstate("sub_hi")
    s = world.financing.settle_order(order, sender="stranger")
    assert (s.settled, s.to_pool, s.to_supplier) == (True, 0, held.held)
    assert not_ok(world.session) == []


def test_a_set_off_covering_the_whole_payable_settles_a_suspended_supplier(
    world: World,
) -> None:
    """Not eligible, but it owes more than its payable: everything is set off, the order
    settles (no FinancingBooksDisagree from setOffReservation's answer), nothing is
    transferred to it, the rest of its debt stays owed; audit clean."""
    owed = defaulted(world)
    order = world.order(value=1_000_000_00, supplier="sub_hi", due="200d")
    world.deliver(order)
    world.litho.registry.suspend("sub_hi")
    before = world.litho.token.balance_of("sub_hi")
    s = world.financing.settle_order(order, sender="stranger")
    assert (s.settled, s.to_supplier, s.set_off) == (True, 1_000_000_00, 1_000_000_00)
    assert world.litho.token.balance_of("sub_hi") == before
    assert world.litho.ledger.recovery_owed("LITHO-14", "sub_hi") == owed - 1_000_000_00
    assert not_ok(world.session) == []


def test_close_undelivered_on_a_delivery_not_yet_accepted_after_the_stop(
    world: World,
) -> None:
    """A delivery recorded after the stop, inside its acceptance period: the reviewer's
    closing writes ClosedUndelivered first, then repays the pool; the recovery is exactly
    what the pool took; the order cannot then be settled."""
    order = world.order()
    world.financing.report_disruption("resist_a", "FIRE")
    world.session.advance_time(160 * DAY)
    world.deliver(order, accept=False)
    closed = world.financing.close_undelivered(order)
    (c,) = collected(world, closed.tx_hash)
    (ev,) = events(
        world.session, closed.tx_hash, world.financing.contract, "OrderClosedUndelivered"
    )
    assert (ev["recovery"], ev["returned"]) == (c["amount"], 3_000_000_00 - c["amount"])
    assert world.litho.ledger.recovery_owed("LITHO-14", "sub_hi") == c["amount"]
    with pytest.raises(ContractRevert) as excinfo:
        world.financing.settle_order(order, sender="stranger")
    assert excinfo.value.error_name == "FinancingOrderStatus"
    assert not_ok(world.session) == []
