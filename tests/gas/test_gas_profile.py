"""The gas profile accounts for every unit of a payment's gas, and pins the ledger's storage
layout: a payment to an existing payee reads seven cold slots of the ledger and updates four
(docs/contracts.md, FundLedger)."""

from __future__ import annotations

from benchmarks.gas_profile import calldata_gas, measure


def test_a_payment_reads_seven_cold_ledger_slots_and_writes_four() -> None:
    gas, figures = measure()
    assert sum(figures.values()) == gas
    assert "refunds (negative) and unattributed" not in figures
    assert figures["SLOAD cold, FundLedger"] == 7 * 2_100
    # free and spent share a slot, written twice: the second write costs 100
    assert figures["SSTORE update, FundLedger"] == 4 * 2_900 + 100
    assert not any(label.startswith("SSTORE new slot") for label in figures)
    assert figures["SLOAD cold, SupplierRegistry"] == 2_100  # the payee's status, one slot


def test_calldata_costs_four_per_zero_byte_and_sixteen_per_other() -> None:
    assert calldata_gas(bytes([0, 0, 1])) == 21_000 + 4 + 4 + 16
