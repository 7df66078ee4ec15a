"""Amounts, identifiers, addresses and durations at the edge."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain_client.errors import InputError
from chain_client.units import (
    format_amount,
    from_bytes32,
    parse_address,
    parse_amount,
    parse_duration,
    reference_hash,
    to_bytes32,
)


@pytest.mark.parametrize(
    ("text", "units"),
    [("1250000.00", 125_000_000), ("0.5", 50), ("7", 700), (" 1250.10 ", 125_010), ("0", 0)],
)
def test_parse_amount_reads_decimal_strings(text: str, units: int) -> None:
    assert parse_amount(text) == units


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12.345", "has more than 2 decimals"),
        ("-5", "is not an amount"),
        ("abc", "is not an amount"),
        ("", "is not an amount"),
        ("1e5", "is not an amount"),
        ("1,5", "is not an amount"),  # once read as 15.00
        ("1.000,00", "is not an amount"),  # once read as 1.00
        ("1,250.10", "is not an amount"),
        ("\u0661\u0662", "is not an amount"),  # Arabic-Indic digits
        ("\uff11\uff12", "is not an amount"),  # full-width digits
        ("1.2.3", "is not an amount"),
        ("+5", "is not an amount"),
        (".5", "is not an amount"),
    ],
)
def test_parse_amount_refuses_bad_amounts_with_one_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as excinfo:
        parse_amount(text)
    if "decimals" not in message:
        assert excinfo.value.hint is not None and "ASCII digits" in excinfo.value.hint


def test_parse_amount_refuses_floats() -> None:
    with pytest.raises(InputError, match="decimal string"):
        parse_amount(1.5)  # type: ignore[arg-type]


def test_format_amount_round_trips_and_groups() -> None:
    assert format_amount(125_000_000) == "1250000.00"
    assert format_amount(125_000_005, grouping=True) == "1,250,000.05"
    assert parse_amount(format_amount(987_654_321)) == 987_654_321


def test_identifiers_are_right_padded_and_limited_to_31_bytes() -> None:
    assert to_bytes32("LITHO-14") == b"LITHO-14" + b"\x00" * 24
    assert from_bytes32(to_bytes32("光刻胶")) == "光刻胶"
    to_bytes32("x" * 31)
    with pytest.raises(InputError, match="32 bytes long; at most 31"):
        to_bytes32("x" * 32)
    with pytest.raises(InputError, match="non-empty"):
        to_bytes32("")


def test_addresses_are_checksummed_and_bad_checksums_refused() -> None:
    lower = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
    assert parse_address(lower) == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
    with pytest.raises(InputError, match="wrong checksum"):
        parse_address("0x7E5F4552091A69125d5DfCb7b8C2659029395BdF")
    with pytest.raises(InputError, match="is not an address"):
        parse_address("0x1234")


def test_durations() -> None:
    assert parse_duration("30d") == 30 * 86400
    assert parse_duration("12h") == 43200
    assert parse_duration("90") == 90
    with pytest.raises(InputError, match="is not a duration"):
        parse_duration("3 days")


def test_reference_hash_of_text_file_and_none(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert reference_hash(None) == b"\x00" * 32
    assert reference_hash("phase-1 report") == keccak(b"phase-1 report")
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.7 evidence")
    assert reference_hash(f"@{report}") == keccak(b"%PDF-1.7 evidence")
    with pytest.raises(InputError, match="cannot read reference file"):
        reference_hash(f"@{tmp_path / 'missing.pdf'}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("99999999999999999999d", "is not a duration"),
        ("36501d", "is more than 100 years"),
        ("\u0663d", "is not a duration"),  # an Arabic-Indic digit
        ("-1d", "is not a duration"),
    ],
)
def test_parse_duration_refuses_absurd_durations_in_one_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_duration(text)
    assert parse_duration("36500d") == 36500 * 86400
