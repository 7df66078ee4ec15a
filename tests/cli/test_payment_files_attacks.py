"""`scf project disburse --csv` under attack (found by a red-team review): the message after
a refused or unconfirmed chunk, and CSV files that a program could read differently from a
person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from web3.eth import Eth
from web3.exceptions import TimeExhausted

from chain_client.errors import InputError
from chain_client.projects import load_payments_csv
from tests.cli.conftest import Run
from tests.cli.test_projects import project as project  # the fixture

HEADER = "to,amount,category,milestone,memo,invoice"


def test_a_resumed_file_refused_by_the_pre_check_names_the_unpaid_payments(
    scf: Run, scf_json: Any, project: None, tmp_path: Path
) -> None:
    lines = [HEADER] + ["resist_a,1.00,MATERIALS,0,,"] * 200
    path = tmp_path / "payments.csv"
    path.write_text("\n".join(lines) + "\n")
    assert scf_json("project", "disburse", "LITHO-14", "--csv", str(path))["payments"] == 200
    path.write_text("\n".join([*lines, "resist_b,2000000.00,MATERIALS,0,,"]) + "\n")  # appended
    failed = scf("project", "disburse", "LITHO-14", "--csv", str(path))  # not approved
    assert failed.exit_code == 1
    assert failed.stderr.startswith(
        "error: chunk 2 of 2 (payments 201-201) would be refused: a payment of 2,000,000.00"
    )
    proposal = scf_json(
        "project",
        "reallocate",
        "LITHO-14",
        "11999000.00",
        "--from",
        "MATERIALS",
        "--to",
        "EQUIPMENT",
        "--by",
        "chipco",
    )["proposal"]
    scf_json("project", "approve-reallocation", "LITHO-14", str(proposal))
    result = scf("project", "disburse", "LITHO-14", "--csv", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: the payments on budget line MATERIALS total 2,000,000.00; 800.00 is left on it "
        "(payments 201-201 of the file, not paid yet; 1 chunk(s) already paid); nothing was sent"
    )
    assert scf_json("project", "show", "LITHO-14")["spent"] == "200.00"


def test_a_chunk_sent_but_not_confirmed_is_not_reported_as_not_paid(
    scf: Run, scf_json: Any, project: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "payments.csv"
    path.write_text(f"{HEADER}\nresist_a,1.00,MATERIALS,0,,\nresist_b,1.00,MATERIALS,0,,\n")

    def slow(self: Eth, tx_hash: Any, timeout: float = 120, poll_latency: float = 0.1) -> Any:
        raise TimeExhausted(f"not in the chain after {timeout} seconds")

    monkeypatch.setattr(Eth, "wait_for_transaction_receipt", slow)
    result = scf("project", "disburse", "LITHO-14", "--csv", str(path))
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: chunk 1 of 1 (payments 1-2) was sent but not confirmed: transaction not mined "
        "within 120 s: not in the chain after 120 seconds; no earlier chunk (run the same "
        "command again: it checks which chunks landed and pays only the rest)"
    )
    assert scf_json("project", "show", "LITHO-14")["spent"] == "2.00"  # it had landed
    again = scf_json("project", "disburse", "LITHO-14", "--csv", str(path))
    assert (again["payments"], again["skipped"]) == (0, 2)


def test_a_csv_with_a_column_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(f"{HEADER},amount\nresist_a,1.00,MATERIALS,0,,,1000000.00\n")
    with pytest.raises(InputError) as excinfo:
        load_payments_csv(path)
    assert str(excinfo.value) == (
        f"{path}: column(s) amount given twice; expected to,amount,category,milestone,memo,invoice"
    )


def test_a_short_row_is_one_input_error(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("milestone,to,amount,category,memo,invoice\n0,resist_a\n")
    with pytest.raises(InputError) as excinfo:
        load_payments_csv(path)
    assert str(excinfo.value).startswith(f"{path} row 2: amount")


def test_row_numbers_count_blank_lines_as_a_spreadsheet_does(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(
        f"{HEADER}\nresist_a,1.00,MATERIALS,0,,\n\nresist_a,1.00,MATERIALS,0,,\n"
        "resist_a,x,MATERIALS,0,,\n"
    )
    with pytest.raises(InputError) as excinfo:
        load_payments_csv(path)
    assert str(excinfo.value).startswith(f"{path} row 5: amount 'x' is not an amount")
