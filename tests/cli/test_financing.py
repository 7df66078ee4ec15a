"""`scf pool|order|disruption|facility` through the CLI: the lithography story."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.cli.conftest import Run


def register_argv(project: str, value: str, po: str) -> list[str]:
    """`scf order register` of resist_a's ARF_RESIST, MATERIALS line, milestone 0, due in 90d."""
    return [
        "order",
        "register",
        "--project",
        project,
        "--part",
        "ARF_RESIST",
        "--supplier",
        "resist_a",
        "--value",
        value,
        "--category",
        "MATERIALS",
        "--milestone",
        "0",
        "--due",
        "90d",
        "--po",
        po,
    ]


@pytest.fixture
def story(scf: Run, scf_json: Any) -> None:
    scf_json("deploy")
    for name, index in {
        "gov_fund": 5,
        "bank": 6,
        "chipco": 7,
        "resist_a": 8,
        "resist_b": 9,
        "resist_c": 10,
    }.items():
        scf_json("accounts", "add", name, str(index))
    scf_json("token", "mint", "gov_fund", "30000000.00")
    scf_json("token", "mint", "bank", "10000000.00")
    for who, score, capacity in (
        ("resist_a", "820", "8000000.00"),
        ("resist_b", "710", "5000000.00"),
        ("resist_c", "900", "1000000.00"),
    ):
        scf_json(
            "supplier",
            "register",
            who,
            "--name",
            who,
            "--part",
            "ARF_RESIST",
            "--capacity",
            capacity,
            "--score",
            score,
        )
    for who in ("resist_b", "resist_c"):
        scf_json("supplier", "qualify", "ARF_RESIST", "--supplier", who, "--lead-time", "45d")
    scf_json(
        "project",
        "create",
        "LITHO-14",
        "--owner",
        "chipco",
        "--line",
        "MATERIALS=12000000.00",
        "--line",
        "EQUIPMENT=9000000.00",
        "--milestone",
        "RESEARCH=8000000.00",
        "--milestone",
        "PILOT=13000000.00",
    )
    scf_json("project", "fund", "LITHO-14", "21000000.00", "--by", "gov_fund")
    scf_json("milestone", "approve", "LITHO-14", "0")
    scf_json("pool", "deposit", "10000000.00", "--by", "bank")
    scf_json(*register_argv("LITHO-14", "3000000.00", "PO-2030-017"))


def test_a_report_moves_the_order_and_says_why(scf: Run, scf_json: Any, story: None) -> None:
    result = scf(
        "disruption",
        "report",
        "resist_a",
        "--reason",
        "EXPORT_CONTROL",
        "--evidence",
        "notice",
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "resist_a (0xF7Ed…fA5c) is now Disrupted (report #1; 5,000,000.00 left in the window cap)"
    )
    assert lines[1].startswith("order 1: moved to resist_b (")
    assert lines[1].endswith("advance 2,100,000.00 at 5.00% a year (facility 1)")  # 70 % for 710
    assert (
        lines[2].startswith("    passed over resist_c (") and "not enough capacity left" in lines[2]
    )
    pool = scf_json("pool", "status")
    assert (pool["idle"], pool["outstanding_principal"], pool["total_assets"]) == (
        "7900000.00",
        "2100000.00",
        "10000000.00",
    )
    scf_json("time", "advance", "60d")
    # 2,100,000.00 at 5 % a year for 60 days is 17,260.27
    assert scf_json("pool", "status")["accrued_interest"].startswith("17260.")
    scf_json("order", "record-delivery", "1", "--evidence", "note 8812", "--by", "resist_b")
    scf_json("order", "accept-delivery", "1")
    settled = scf_json("order", "settle", "1", "--by", "bank")  # anyone may settle
    assert settled["settled"] is True and settled["to_pool"].startswith("2117260.")
    assert (
        int(settled["to_pool"].replace(".", "")) + int(settled["to_supplier"].replace(".", ""))
        == 3_000_000_00
    )
    facility = scf_json("facility", "show", "1")
    assert facility["status"] == "Repaid"
    again = scf("disruption", "report", "resist_a", "--reason", "FIRE")
    assert again.exit_code == 1
    assert again.stderr.strip() == "error: resist_a is Disrupted; that report does not apply"


def test_bad_financing_input_is_one_line(scf: Run, story: None) -> None:
    for args, message in [
        (
            [
                "order",
                "register",
                "--project",
                "LITHO-14",
                "--part",
                "ARF_RESIST",
                "--supplier",
                "resist_a",
                "--value",
                "1.001",
                "--category",
                "MATERIALS",
                "--milestone",
                "0",
                "--due",
                "9d",
                "--po",
                "PO-9",
            ],
            "error: amount '1.001' has more than 2 decimals",
        ),
        (["order", "settle", "7"], "error: no order 7 (list them with `scf order list`)"),
        (["facility", "repay", "3", "1.00", "--by", "bank"], "error: no facility 3"),
        (
            ["disruption", "report", "resist_a", "--reason", "FIRE", "--by", "bank"],
            "error: bank does not hold the oracle role",
        ),
        (
            ["pool", "withdraw", "10000000.01", "--by", "bank"],
            "error: bank may withdraw at most 10,000,000.00",
        ),
        (
            ["pool", "policy", "--set", "quorum=two"],
            "error: --set 'quorum=two': the value must be a whole number",
        ),
    ]:
        result = scf(*args)
        assert result.exit_code == 1, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(message), (args, result.stderr)


def test_policy_is_shown_and_changed_by_the_admin_only(
    scf: Run, scf_json: Any, story: None
) -> None:
    shown = scf_json("pool", "policy")
    assert (shown["band_advance_bps"], shown["terms_version"]) == ([8000, 7000, 5000], 1)
    changed = scf_json(
        "pool", "policy", "--set", "band_advance_bps=7000,6000,5000", "--set", "quorum=2"
    )
    assert (changed["band_advance_bps"], changed["quorum"], changed["terms_version"]) == (
        [7000, 6000, 5000],
        2,
        2,
    )
    refused = scf("pool", "policy", "--set", "quorum=1", "--by", "reviewer")
    assert refused.exit_code == 1 and "reviewer does not hold the admin role" in refused.stderr
    staged = scf_json(
        "pool",
        "policy",
        "--set",
        "pilot.advance_bps=6000,5000,3000",
        "--set",
        "market.max_tenor_days=180",
    )
    assert (staged["stage_advance_bps"], staged["stage_max_tenor_days"]) == (
        [[0, 0, 0], [6000, 5000, 3000], [0, 0, 0], [0, 0, 0]],
        [0, 0, 0, 180],
    )
    assert staged["terms_version"] == 3
    table = scf("pool", "policy")
    assert "pilot.advance_bps" in table.stdout and "6000, 5000, 3000" in table.stdout
    reset = scf_json("pool", "policy", "--set", "pilot.advance_bps=default")
    assert reset["stage_advance_bps"][1] == [0, 0, 0]
    for bad, message in (
        ("prototype.max_tenor_days=10", "error: unknown stage 'prototype': one of research, "),
        ("pilot.share=10", "error: unknown stage field pilot.share: advance_bps or max_tenor_days"),
        ("pilot.advance_bps=6000,5000", "error: stage_advance_bps.1: "),
    ):
        result = scf("pool", "policy", "--set", bad)
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith(message), (
            bad,
            result.stderr,
        )


def test_an_order_above_dual_control_waits_for_the_reviewer(
    scf: Run, scf_json: Any, story: None
) -> None:
    scf_json(
        "project",
        "create",
        "LITHO-15",
        "--owner",
        "chipco",
        "--line",
        "MATERIALS=5000000.00",
        "--milestone",
        "RESEARCH=5000000.00",
        "--dual-control",
        "2000000.00",
    )
    scf_json("project", "fund", "LITHO-15", "5000000.00", "--by", "gov_fund")
    scf_json("milestone", "approve", "LITHO-15", "0")
    human = scf(*register_argv("LITHO-15", "2500000.00", "PO-15-001"), env={"COLUMNS": "200"})
    assert human.exit_code == 0, human.stderr
    assert human.stdout.splitlines()[1] == (
        "it is at or above the dual-control threshold and awaits the reviewer's approval: "
        "scf order approve 2"
    )
    refused = scf("order", "record-delivery", "2", "--by", "resist_a")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "error: order 2 awaits the reviewer's approval (the reviewer approves it with "
        "`scf order approve 2`)"
    )
    not_reviewer = scf("order", "approve", "2", "--by", "chipco")
    assert not_reviewer.exit_code == 1 and "chipco" in not_reviewer.stderr
    assert "is not a reviewer" in not_reviewer.stderr
    scf_json("order", "approve", "2")
    assert scf_json("order", "show", "2")["order"]["status"] == "Open"
    duplicate = scf(*register_argv("LITHO-15", "1.00", "PO-15-001"))
    assert duplicate.exit_code == 1
    assert duplicate.stderr.startswith(
        "error: purchase order PO-15-001 of LITHO-15 is already order 2"
    )


def test_delivery_acceptance_settlement_and_the_orders_life(
    scf: Run, scf_json: Any, story: None
) -> None:
    scf_json(*register_argv("LITHO-14", "500000.00", "PO-2030-018"))
    early = scf("order", "settle", "2", "--by", "bank")
    assert early.exit_code == 1 and early.stderr.strip() == "error: order 2 is open"
    delivered = scf_json(
        "order", "record-delivery", "2", "--evidence", "note 9", "--by", "resist_a"
    )
    assert delivered["order"]["status"] == "Delivered"
    owner_rejects = scf("order", "reject-delivery", "2", "--by", "chipco")
    assert owner_rejects.exit_code == 1 and "is not a reviewer" in owner_rejects.stderr
    scf_json("order", "reject-delivery", "2", "--evidence", "short by 3 drums")
    assert scf_json("order", "show", "2")["order"]["status"] == "Open"
    scf_json("order", "record-delivery", "2", "--by", "resist_a")
    not_yet = scf("order", "settle", "2", "--by", "bank")
    assert not_yet.exit_code == 1
    assert not_yet.stderr.startswith("error: the delivery of order 2 is not accepted yet")
    scf_json("order", "accept-delivery", "2")
    settled = scf_json("order", "settle", "2", "--by", "bank")
    assert (settled["settled"], settled["to_pool"], settled["to_supplier"]) == (
        True,
        "0.00",
        "500000.00",
    )
    life = scf("order", "show", "2", env={"COLUMNS": "200"})
    assert life.exit_code == 0, life.stderr
    text = life.stdout
    order_of = [
        "500,000.00 reserved on line MATERIALS",
        "registered with resist_a",
        "delivery recorded by resist_a",
        "delivery rejected by reviewer",
        "delivery recorded by resist_a",
        "delivery accepted by chipco",
        "the ledger paid 500,000.00 to resist_a",
        "settled: 0.00 to the pool, 500,000.00 to resist_a",
    ]
    positions = [text.index(line) for line in order_of[:4]]
    assert positions == sorted(positions)
    for line in order_of:
        assert line in text, line
    as_json = scf_json("order", "show", "2")
    assert [step["event"] for step in as_json["life"]] == [
        "FundsReserved",
        "OrderRegistered",
        "DeliveryRecorded",
        "DeliveryRejected",
        "DeliveryRecorded",
        "DeliveryAccepted",
        "FundsDisbursed",
        "OrderSettled",
    ]


def test_a_misspelt_disruption_reason_disrupts_nothing(
    scf: Run, scf_json: Any, story: None
) -> None:
    typo = scf("disruption", "report", "resist_a", "--reason", "EXPORT_CONTROLL")
    assert typo.exit_code == 1
    assert typo.stderr.strip().startswith(
        "error: unknown disruption reason 'EXPORT_CONTROLL': one of EXPORT_CONTROL, SANCTIONS,"
    )
    assert "--other-reason" in typo.stderr and len(typo.stderr.strip().splitlines()) == 1
    both = scf("disruption", "report", "resist_a", "--reason", "FIRE", "--other-reason", "X")
    assert both.exit_code == 1 and "exactly one of --reason and --other-reason" in both.stderr
    assert scf_json("supplier", "show", "resist_a")["status"] == "Active"
    other = scf_json("disruption", "report", "resist_a", "--other-reason", "PANDEMIC_LOCKDOWN")
    assert other["disrupted"] is True


def test_collect_close_undelivered_and_repay_a_recovery(
    scf: Run, scf_json: Any, story: None
) -> None:
    scf_json("disruption", "report", "resist_a", "--reason", "FIRE")
    early = scf("facility", "collect", "1", "--by", "bank")
    assert early.exit_code == 1 and "its substitute is Active" in early.stderr
    scf_json("time", "advance", "121d")  # due 90 days + 30 days' payment lag
    collected = scf("facility", "collect", "1", "--by", "bank")
    assert collected.exit_code == 0, collected.stderr
    amount = scf_json("facility", "show", "1")
    assert amount["status"] == "Repaid"
    # 2,100,000.00 at 5 % a year for 121 days (34,808.22) and the seconds of the blocks since
    assert re.fullmatch(
        r"facility 1 repaid: the pool collected 2,134,8\d\d\.\d\d from order 1's reservation\n",
        collected.stdout,
    ), collected.stdout
    scf_json("time", "advance", "40d")
    closed = scf("order", "close-undelivered", "1", env={"COLUMNS": "200"})
    assert closed.exit_code == 0, closed.stderr
    owed = scf_json("recovery", "show", "LITHO-14", "resist_b")["owed"]
    assert closed.stdout.strip().endswith(
        f"owes LITHO-14 {int(owed[:-3]):,}.{owed[-2:]} (scf recovery repay)"
    )
    repaid = scf_json("recovery", "repay", "LITHO-14", "resist_b", "100000.00", "--by", "resist_b")
    assert repaid["repaid"] == "100000.00"
    left = int(owed.replace(".", "")) - 100_000_00
    assert repaid["owed"] == f"{left // 100}.{left % 100:02d}"
    assert scf_json("project", "show", "LITHO-14")["recovered"] == "100000.00"
