"""Scenario files: validation before anything is sent, runs, expectations, the examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chain_client.config import SOURCE_ROOT
from tests.cli.conftest import Run

EXAMPLES = sorted((SOURCE_ROOT / "examples").glob("*.yaml"))

HEAD = """\
name: t
accounts: {gov_fund: 5, chipco: 7, resist_a: 8}
steps:
"""
OK_STEPS = """\
  - token.mint: {to: gov_fund, amount: "100.00"}
  - supplier.register: {account: resist_a, name: "Resist A", parts: [ARF_RESIST], capacity: "50.00", score: 820}
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, text: str, name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_each_example_runs_green(scf: Run, here: Path, example: Path) -> None:
    result = scf("scenario", "run", str(example), "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    body = json.loads(result.stdout)
    assert body["transactions"] > 10
    assert body["steps"][-1]["detail"].startswith("audit clean: 11 checks over ")


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            '  - token.minted: {to: gov_fund, amount: "1.00"}\n',
            "step 3 (token.minted): unknown action",
        ),
        (
            '  - token.mint: {to: gov_fnd, amount: "1.00"}\n',
            "step 3 (token.mint): to: unknown account 'gov_fnd' (add it under accounts:)",
        ),
        (
            '  - token.mint: {to: gov_fund, amount: "1.001"}\n',
            "step 3 (token.mint): amount: amount '1.001' has more than 2 decimals",
        ),
        (
            "  - token.mint: {to: gov_fund, amount: 1200.50}\n",
            'step 3 (token.mint): amount: amounts must be quoted strings, e.g. "1200.5"',
        ),
        (
            '  - token.mint: {to: 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf, amount: "1.00"}\n',
            "step 3 (token.mint): to: addresses must be quoted strings",
        ),
        ("  - token.mint: {to: gov_fund}\n", "step 3 (token.mint): amount: Field required"),
        (
            '  - project.fund: {project: P, amount: "1.00"}\n',
            "step 3 (project.fund): by: is required here",
        ),
        (
            "  - order.settle: {order: later}\n",
            "step 3 (order.settle): order: 'later' is not a handle set by an earlier step's as:",
        ),
        (
            '  - token.mint: {to: gov_fund, amount: "1.00"}\n    as: minted\n',
            "step 3 (token.mint): as: names what a step creates",
        ),
    ],
)
def test_broken_files_name_the_step_and_field_and_send_nothing(
    scf: Run, here: Path, steps: str, message: str
) -> None:
    path = write(here, HEAD + OK_STEPS + steps)
    for command in ("check", "run"):
        result = scf("scenario", command, str(path))
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(
            f"error: {path}: " if "YAML" in message else "error: "
        ), lines
        assert message in lines[0], lines[0]
    assert not (here / "scf-runs").exists()  # nothing was sent: no chain was even made


def test_a_yaml_syntax_error_gives_line_and_column(scf: Run, here: Path) -> None:
    path = write(
        here, HEAD + OK_STEPS + '  - token.mint: {to: gov_fund, amount: "1.00"\n  - x: y\n'
    )
    result = scf("scenario", "check", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(f"error: {path}:7:")
    assert "YAML syntax error" in result.stderr


def test_a_failing_expect_shows_expected_and_actual(scf: Run, here: Path) -> None:
    path = write(
        here,
        HEAD + OK_STEPS + "  - expect: {supplier: resist_a, score: 700}\n"
        "  - expect: {event: SupplierRated, score: 800}\n",
    )
    result = scf("scenario", "run", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: step 3 (expect) failed: supplier resist_a score: expected 700, got 820; "
        "steps 1-2 landed (3 transactions)"
    )
    path = write(here, HEAD + OK_STEPS + "  - expect: {event: SupplierRated, score: 800}\n")
    result = scf("scenario", "run", str(path))
    assert (
        "expected SupplierRated(score=800); the step before emitted: SupplierRated("
        in result.stderr
    )
    assert "score=820" in result.stderr
    path = write(
        here, HEAD + OK_STEPS + '  - expect: {event: SupplierRegistered, capacity: "1.00"}\n'
    )
    result = scf("scenario", "run", str(path))
    # an amount asked for as a decimal is shown as one in what the step emitted
    assert "expected SupplierRegistered(capacity=1.00)" in result.stderr
    assert "capacity=50.00)" in result.stderr.split("the step before emitted: ")[1]


def test_expect_error_fails_when_the_step_succeeds_and_passes_when_it_reverts(
    scf: Run, here: Path
) -> None:
    path = write(
        here,
        HEAD + OK_STEPS + "  - supplier.rate: {account: resist_a, score: 700}\n"
        "    expect_error: RegistryScoreOutOfRange\n",
    )
    result = scf("scenario", "run", str(path))
    assert result.exit_code == 1
    assert (
        "step 3 (supplier.rate) failed: expected RegistryScoreOutOfRange, but the step succeeded"
        in result.stderr
    )
    path = write(
        here,
        HEAD + OK_STEPS + "  - supplier.rate: {account: resist_a, score: 700, by: gov_fund}\n"
        "    expect_error: AccessControlUnauthorizedAccount\n",
    )
    result = scf("scenario", "run", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["steps"][2]["detail"].startswith(
        "reverted with AccessControlUnauthorizedAccount"
    )
    path = write(
        here,
        HEAD + OK_STEPS + "  - supplier.rate: {account: resist_a, score: 700, by: gov_fund}\n"
        "    expect_error: RegistryScoreOutOfRange\n",
    )
    result = scf("scenario", "run", str(path))
    assert result.exit_code == 1  # another revert than the one expected is a failure
    assert result.stderr.strip().startswith(
        "error: step 3 (supplier.rate) failed: expected RegistryScoreOutOfRange, reverted with "
        "AccessControlUnauthorizedAccount: gov_fund does not hold the rater role"
    )


def test_a_failing_step_says_why_and_what_landed(scf: Run, here: Path) -> None:
    path = write(
        here, HEAD + OK_STEPS + "  - supplier.rate: {account: resist_a, score: 700, by: gov_fund}\n"
    )
    result = scf("scenario", "run", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: step 3 (supplier.rate) failed: gov_fund does not hold the rater role (send it as an "
        "account with that role, or have the admin run `scf role grant rater ...`); steps 1-2 landed "
        "(3 transactions)"
    )


def test_the_same_file_gives_the_same_events_every_run(scf: Run, here: Path) -> None:
    example = SOURCE_ROOT / "examples" / "litho-export-control.yaml"
    runs: list[Any] = []
    for _ in range(2):
        result = scf("scenario", "run", str(example), "--json")
        runs.append([s["events"] for s in json.loads(result.stdout)["steps"]])
    assert runs[0] == runs[1]
    settled = [e for step in runs[0] for e in step if e["event"] == "OrderSettled"]
    assert settled[0]["args"]["toPool"] == 211_726_044  # interest fixed by the scenario's clock


def test_keep_runs_on_the_workspace_chain(scf: Run, scf_json: Any, here: Path) -> None:
    scf_json("deploy")
    path = write(here, HEAD + OK_STEPS)
    result = scf("scenario", "run", str(path), "--keep", "--json")
    assert result.exit_code == 0, result.stderr
    assert scf_json("supplier", "show", "resist_a")["score"] == 820


def test_a_run_resumed_with_from_sends_only_the_later_steps(
    scf: Run, scf_json: Any, here: Path
) -> None:
    path = write(here, HEAD + OK_STEPS + '  - token.mint: {to: gov_fund, amount: "5.00"}\n')
    scf_json("deploy")
    block = scf_json("chain", "status")["block"]
    refusals = {
        ("--from", "2"): "error: --from resumes a run on the workspace's chain: give --keep (a "
        "run without it starts a fresh chain)",
        ("--keep", "--from", "4"): "error: --from 4: the scenario has steps 1-3",
        ("--keep", "--from", "0"): "error: --from 0: the scenario has steps 1-3",
    }
    for args, line in refusals.items():
        result = scf("scenario", "run", str(path), *args)
        assert (result.exit_code, result.stderr.strip()) == (1, line), args
    assert scf_json("chain", "status")["block"] == block  # nothing was sent
    assert scf("scenario", "run", str(path), "--keep", "--from", "2").exit_code == 0
    assert scf_json("token", "balance", "gov_fund")["balance"] == "5.00"  # step 1 not sent
    assert scf_json("supplier", "show", "resist_a")["score"] == 820


def test_a_resumed_run_refuses_a_chain_without_the_deployment_and_a_lone_event_check(
    scf: Run, here: Path
) -> None:
    path = write(
        here,
        HEAD + OK_STEPS + "  - expect: {event: SupplierRegistered, supplier: resist_a}\n",
    )
    result = scf("scenario", "run", str(path), "--keep", "--from", "2")
    assert result.stderr.strip() == (
        "error: nothing to resume: this chain does not hold the workspace's deployment (run the "
        "scenario from its first step)"
    )
    result = scf("scenario", "run", str(path), "--keep", "--from", "3")
    assert result.stderr.strip() == (
        "error: step 3 checks the events of step 2, which ran before: resume from step 2 only "
        "if it did not land, else from 4"
    )


def test_a_generated_scenario_is_the_same_from_a_seed_and_runs_green(scf: Run, here: Path) -> None:
    size = ["--projects", "2", "--suppliers", "8", "--payments", "50"]
    first = scf("scenario", "generate", *size, "--seed", "4")
    assert first.exit_code == 0, first.stderr
    assert scf("scenario", "generate", *size, "--seed", "4").stdout == first.stdout
    assert scf("scenario", "generate", *size, "--seed", "5").stdout != first.stdout
    assert "# 5 orders, 1 supplier cut-offs." in first.stdout
    written = scf("scenario", "generate", *size, "--seed", "4", "-o", "big.yaml")
    assert written.stdout.strip() == (
        "wrote big.yaml (96 steps); run it with `scf scenario run big.yaml`"
    )
    assert (here / "big.yaml").read_text() == first.stdout
    again = scf("scenario", "generate", *size, "-o", "big.yaml")
    assert (again.exit_code, again.stderr.strip()) == (
        1,
        "error: big.yaml already exists; give another path",
    )
    result = scf("scenario", "run", "big.yaml", "--json")
    assert result.exit_code == 0, result.stderr
    steps = json.loads(result.stdout)["steps"]
    assert sum(s["action"] == "project.disburse" for s in steps) == 50
    financed = [s for s in steps if s["action"] == "disruption.report"]
    assert [s["detail"] for s in financed] == ["1 of 1 order(s) financed"]
    assert steps[-1]["detail"].startswith("audit clean: 11 checks over ")


def test_generate_refuses_a_size_out_of_range_in_one_line(scf: Run, here: Path) -> None:
    result = scf("scenario", "generate", "--suppliers", "2")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: Invalid value for '--suppliers'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_new_writes_a_starter_that_checks_and_runs(scf: Run, here: Path) -> None:
    assert scf("scenario", "new", "mine.yaml").exit_code == 0
    assert scf("scenario", "new", "mine.yaml").exit_code == 1  # never overwrites
    assert "valid, 21 steps" in scf("scenario", "check", "mine.yaml").stdout
    result = scf("scenario", "run", "mine.yaml", "--json")
    assert result.exit_code == 0, result.stderr


def test_a_misspelt_reason_fails_validation_before_anything_is_sent(scf: Run, here: Path) -> None:
    path = write(
        here,
        HEAD + OK_STEPS + "  - disruption.report: {supplier: resist_a, reason: EXPORT_CONTROLL}\n",
    )
    result = scf("scenario", "check", str(path))
    assert result.exit_code == 1
    assert "unknown disruption reason 'EXPORT_CONTROLL'" in result.stderr
    assert result.stderr.strip().startswith("error: step 3 (disruption.report)")


BOMB = """\
name: laughs
steps:
  - token.mint: {to: admin, amount: "1.00"}
  - expect:
      event: Transfer
      a: &a [x, x, x, x, x, x, x, x, x, x]
      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
      f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
      g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BOMB, "its aliases expand to more than 200,000 values"),
        (
            HEAD + '  - token.mint: {to: gov_fund, amount: "1.00", amount: "9.00"}\n',
            "duplicate key 'amount'",
        ),
        (
            HEAD + OK_STEPS + "  - expect: {event: SupplierRegistred, supplier: resist_a}\n",
            "step 3 (expect): event: no scf event is called 'SupplierRegistred'",
        ),
        (
            HEAD + OK_STEPS + "  - expect: {event: SupplierRegistered, suplier: resist_a}\n",
            "step 3 (expect): SupplierRegistered has no argument(s) suplier",
        ),
        (
            HEAD + OK_STEPS + "  - expect: {supplier: resist_a, scor: 820}\n",
            "step 3 (expect): no field(s) scor",
        ),
        (
            HEAD + OK_STEPS + '  - expect: {pool: {idel: "0.00"}}\n',
            "step 3 (expect): pool: no field(s) idel",
        ),
        (HEAD + OK_STEPS + "  - expect: {}\n", "step 3 (expect): nothing to check"),
    ],
)
def test_a_hostile_or_misspelt_file_is_refused_whole_before_anything_is_sent(
    scf: Run, here: Path, text: str, message: str
) -> None:
    path = write(here, text)
    for command in ("check", "run"):
        result = scf("scenario", command, str(path))
        assert result.exit_code == 1, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], result.stderr
    assert not (here / "scf-runs").exists()  # no workspace was created: nothing was sent


def test_a_binary_or_oversized_file_is_one_line(scf: Run, here: Path) -> None:
    binary = here / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01name: x\n")
    result = scf("scenario", "check", str(binary))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {binary} is not UTF-8 text; a scenario is a YAML file"
    big = write(here, HEAD + "#" * 1_000_001 + "\n", "big.yaml")
    result = scf("scenario", "check", str(big))
    assert result.exit_code == 1
    assert "larger than 1,000,000 bytes" in result.stderr


def test_new_into_a_missing_folder_is_one_line(scf: Run, here: Path) -> None:
    result = scf("scenario", "new", str(here / "missing" / "s.yaml"))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: cannot write {here / 'missing' / 's.yaml'}: No such file or directory"
    )
