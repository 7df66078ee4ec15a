"""Every scf figure beside its baseline, measured in the same process, against its target.

    .venv/bin/python -m benchmarks [--quick] [--skip-anvil] [--json benchmarks.json]

Prints one table (figure, baseline, scf, ratio, target, pass/short) and writes the same as
JSON, where each target's result is the string "pass" or "short" (null for a figure without
a target). Baselines run beside scf on the same backend: a plain web3.py `transact()` loop
for payments, web3's `get_logs` and a raw `eth_getLogs` JSON-RPC fetch (the floor) for the
audit, `python -c "import web3"` for start-up. Throughput is the best of the rounds, baseline
and scf interleaved. `--quick` uses fewer payments, rounds and events (a smoke run, about
two minutes; its figures are noisier); the full run takes about ten.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chain_client.chain.accounts import AliasTarget
from chain_client.chain.node import start_anvil, stop_anvil
from chain_client.config import Settings
from chain_client.contracts import Ledger, Registry, Token
from chain_client.deploy import deploy
from chain_client.projects import PaymentSpec
from chain_client.scenario import Runner, load_scenario
from chain_client.scenario.generate import Size, generate
from chain_client.scenario.runner import StepResult
from chain_client.session import Session, open_session
from chain_client.units import to_bytes32

from . import audit_collect, ledger_gas, trigger_gas

SCF = str(Path(sys.executable).with_name("scf"))


@dataclass
class Row:
    figure: str
    baseline: float | None
    scf: float
    unit: str
    target: str | None = None
    result: str | None = None  # "pass" or "short"

    @property
    def ratio(self) -> float | None:
        return self.scf / self.baseline if self.baseline else None


def _judge(row: Row, ok: bool) -> Row:
    row.result = "pass" if ok else "short"
    return row


@contextmanager
def _chain(
    backend: str, port: int, after: list[Callable[[Settings], None]] | None = None
) -> Iterator[Session]:  # noqa: E501
    """A fresh workspace on `backend`; each of `after` runs once the session is closed (so
    that an `scf` process may open the workspace) and before the node stops."""
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        settings = Settings(workspace=workspace)
        if backend == "anvil":
            settings = Settings(chain=start_anvil(workspace, port)["url"], workspace=workspace)
        try:
            with open_session(settings, writable=True) as session:
                yield session
            for run in after or []:
                run(settings)
        finally:
            if backend == "anvil":
                stop_anvil(workspace)


def _payments_world(session: Session) -> None:
    deploy(session)
    for name, index in {"gov": 5, "owner": 7, "a": 8, "b": 9}.items():
        session.accounts.add(name, AliasTarget(index=index))
    Token(session).mint("gov", 10**15)
    for who in ("a", "b"):
        Registry(session).register(who, who, ["PART"], 1)
    ledger = Ledger(session)
    ledger.create_project(
        {
            "id": "P",
            "owner": "owner",
            "budget": {"MATERIALS": "1000000000.00"},
            "milestones": [{"stage": "RESEARCH", "amount": "1000000000.00"}],
        }
    )
    ledger.fund("P", 1_000_000_000_00, funder="gov")
    ledger.approve_milestone("P", 0)


def _best(rounds: int, *runs: Callable[[], float]) -> list[float]:
    """Each run's best rate over `rounds`, the runs interleaved in every round."""
    best = [0.0] * len(runs)
    for _ in range(rounds):
        for i, run in enumerate(runs):
            best[i] = max(best[i], run())
    return best


def throughput(backend: str, payments: int, rounds: int) -> list[Row]:
    """Payments per second: a web3.py `transact()` loop, scf's Python API, and
    `scf scenario run` of a generated scenario, on one backend."""
    with _chain(backend, 8711) as session:
        _payments_world(session)
        ledger = Ledger(session)
        owner = session.accounts.resolve("owner")
        to = session.accounts.resolve("a")
        w3 = session.w3
        fn = ledger.contract.functions

        def baseline() -> float:
            started = time.perf_counter()
            hashes = [
                fn.disburse(
                    to_bytes32("P"), to, 1_00, to_bytes32("MATERIALS"), 0, bytes(32), ""
                ).transact({"from": owner})
                for _ in range(payments)
            ]
            for tx in hashes:
                w3.eth.wait_for_transaction_receipt(tx)
            return payments / (time.perf_counter() - started)

        spec = PaymentSpec(to="a", amount=1_00, category="MATERIALS", milestone=0)

        def api() -> float:
            started = time.perf_counter()
            for _ in range(payments):
                ledger.disburse("P", spec)
            return payments / (time.perf_counter() - started)

        def pay_file() -> float:
            started = time.perf_counter()
            ledger.pay_file("P", [spec] * payments, run=f"r{time.monotonic_ns()}")
            return payments / (time.perf_counter() - started)

        base, mine, batch = _best(rounds, baseline, api, pay_file)
    scenario = _scenario_rate(backend, payments, rounds)
    target = 3 if backend == "embedded" else 10
    return [
        Row(f"web3.py transact() loop, {backend}", None, base, "payments/s"),
        _judge(
            Row(f"scf scenario run, {backend}", base, scenario, "payments/s", f">= {target}x"),
            scenario >= target * base,
        ),
        _judge(
            Row(f"Python API loop, {backend}", base, mine, "payments/s", f">= {target}x"),
            mine >= target * base,
        ),
        Row(f"payments file ({payments} rows), {backend}", base, batch, "payments/s"),
    ]


def _scenario_rate(backend: str, payments: int, rounds: int) -> float:
    """Payments per second of a generated scenario's payment steps (each from the end of the
    step before it to its own end)."""
    text = generate(Size(projects=2, suppliers=8, payments=payments, seed=1))
    best = 0.0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(text, encoding="utf-8")
        scenario = load_scenario(path)
        for round_ in range(rounds):
            with _chain(backend, 8712 + round_) as session:
                spent = 0.0
                last = time.perf_counter()

                def tick(result: StepResult) -> None:
                    nonlocal spent, last
                    now = time.perf_counter()
                    if result.action == "project.disburse":
                        spent += now - last
                    last = now

                Runner(session, scenario).run(tick)
                best = max(best, payments / spent)
    return best


def _seconds(args: list[str], cwd: Path, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(args, cwd=cwd, capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def startup() -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        web3 = _seconds([sys.executable, "-c", "import web3"], cwd)
        helps = _seconds([SCF, "--help"], cwd)
        version = _seconds([SCF, "--version"], cwd)
        with open_session(Settings(workspace=cwd / ".scf"), writable=True) as session:
            _payments_world(session)
        show = _seconds([SCF, "project", "show", "P"], cwd)
    return [
        _judge(Row("scf --help", None, helps, "s", "<= 0.3 s"), helps <= 0.3),
        _judge(Row("scf --version", None, version, "s", "<= 0.3 s"), version <= 0.3),
        _judge(
            Row("scf project show (vs import web3)", web3, show, "s", "<= import web3 + 0.3 s"),
            show <= web3 + 0.3,
        ),
    ]


def _raw_get_logs(url: str, session: Session) -> float:
    """The floor: every log of the deployment's contracts in one `eth_getLogs` request,
    parsed as JSON and nothing else."""
    deployment = session.deployment()
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_getLogs",
            "params": [
                {
                    "fromBlock": hex(deployment.block),
                    "toBlock": "latest",
                    "address": [c.address for c in deployment.contracts.values()],
                }
            ],
        }
    ).encode()
    started = time.perf_counter()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        logs = json.loads(answer.read())["result"]
    seconds = time.perf_counter() - started
    assert logs
    return seconds


def audit(sizes: tuple[int, ...], skip_anvil: bool) -> list[Row]:
    rows: list[Row] = []
    per_event: dict[str, list[float]] = {}
    for backend in ("embedded", *(() if skip_anvil else ("anvil",))):
        for size in sizes:
            after: list[Callable[[Settings], None]] = []
            with _chain(backend, 8720 + size % 1000, after) as session:
                audit_collect.build(session, size)
                events, _, seconds, peak = audit_collect.measure(session)
                per_event.setdefault(backend, []).append(seconds / events)
                if size != sizes[-1]:
                    continue
                rows.append(
                    Row(f"audit peak memory, {events} events, {backend}", None, peak / 2**20, "MiB")
                )
                if backend != "anvil":
                    continue
                url = str(session.settings.chain)
                floor = min(_raw_get_logs(url, session) for _ in range(3))
                with_web3 = _web3_get_logs_seconds(session)
                collect_s = _collect_seconds(session)
                rows.append(Row(f"raw eth_getLogs, {events} events, anvil", None, floor, "s"))
                rows.append(Row(f"web3 get_logs, {events} events, anvil", floor, with_web3, "s"))
                rows.append(
                    _judge(
                        Row(
                            f"audit collection, {events} events, anvil",
                            floor,
                            collect_s,
                            "s",
                            "<= 2x raw",
                        ),
                        collect_s <= 2 * floor,
                    )
                )

                def report(settings: Settings, events: int = events) -> None:
                    seconds = _seconds(
                        [
                            SCF,
                            "--chain",
                            str(settings.chain),
                            "--workspace",
                            str(settings.workspace),
                            "audit",
                            "report",
                        ],
                        Path.cwd(),
                        rounds=2,
                    )
                    rows.append(
                        _judge(
                            Row(f"scf audit report, {events} events", None, seconds, "s", "< 2 s"),
                            seconds < 2,
                        )
                    )

                after.append(report)
    for backend, values in per_event.items():
        ratio = values[-1] / values[0]
        rows.append(
            _judge(
                Row(
                    f"audit time per event, {sizes[-1]} vs {sizes[0]} events, {backend}",
                    values[0] * 1e6,
                    values[-1] * 1e6,
                    "µs/event",
                    "<= 1.5x",
                ),
                ratio <= 1.5,
            )
        )
    return rows


def _web3_get_logs_seconds(session: Session) -> float:
    """web3.py's `get_logs` over the same range and contracts (the baseline a script uses)."""
    deployment = session.deployment()
    started = time.perf_counter()
    logs = session.w3.eth.get_logs(
        {
            "fromBlock": deployment.block,
            "toBlock": "latest",
            "address": [c.address for c in deployment.contracts.values()],
        }
    )
    assert logs
    return time.perf_counter() - started


def _collect_seconds(session: Session) -> float:
    from chain_client.audit.collect import collect

    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        collect(session, use_cache=False)
        best = min(best, time.perf_counter() - started)
    return best


def gas() -> list[Row]:
    figures = dict(ledger_gas.measure())
    triggers = dict(trigger_gas.measure(suppliers=500))
    one, ten = (
        triggers["trigger, 1 open order(s), 4 suppliers"],
        triggers["trigger, 10 open order(s), 4 suppliers"],
    )
    each = (ten - one) // 9
    few = triggers["trigger, 10 open orders, 10 suppliers"]
    many = triggers["trigger, 10 open orders, 500 suppliers"]
    transfer = figures["ERC-20 transfer (baseline)"]
    plain = figures["disburse, repeat payment (baseline)"]
    invoiced = figures["disburse, repeat payment with invoice and memo"]
    item = figures["batch of 100, gas per item"]
    return [
        _judge(
            Row("gas, disburse to an existing payee", transfer, plain, "gas", "<= 70,000"),
            plain <= 70_000,
        ),
        _judge(
            Row("gas, disburse with invoice and memo", transfer, invoiced, "gas", "<= 95,000"),
            invoiced <= 95_000,
        ),
        _judge(Row("gas, batch item", transfer, item, "gas", "<= 20,000"), item <= 20_000),
        _judge(Row("gas, trigger with 1 order", None, one, "gas", "<= 300,000"), one <= 300_000),
        _judge(
            Row("gas, trigger, each further order", None, each, "gas", "<= 120,000"),
            each <= 120_000,
        ),
        _judge(
            Row("gas, trigger with 500 suppliers (vs 10)", few, many, "gas", "within 1 %"),
            abs(many - few) <= few / 100,
        ),
    ]


def _show(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "gas":
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:.3f} s"
    return f"{value:,.1f} {unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer payments, rounds, events")
    parser.add_argument("--skip-anvil", action="store_true", help="the embedded chain only")
    parser.add_argument("--json", type=Path, default=Path("benchmarks.json"), help="JSON out")
    args = parser.parse_args(argv)
    payments, rounds = (50, 1) if args.quick else (300, 3)
    sizes = (1000, 5000) if args.quick else (1000, 20000)
    parts: list[tuple[str, Callable[[], list[Row]]]] = [
        ("gas", gas),
        ("start-up", startup),
        ("throughput, embedded", lambda: throughput("embedded", payments, rounds)),
    ]
    if not args.skip_anvil:
        parts.append(("throughput, anvil", lambda: throughput("anvil", payments, rounds)))
    parts.append(("audit", lambda: audit(sizes, args.skip_anvil)))
    rows: list[Row] = []
    failed = []
    for name, part in parts:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        try:
            rows.extend(part())
        except Exception as exc:  # noqa: BLE001 - one part failing keeps the others' figures
            failed.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    width = max(len(r.figure) for r in rows)
    header = (
        f"{'figure':<{width}}  {'baseline':>16}  {'scf':>16}  {'ratio':>7}  {'target':<24} result"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        ratio = f"x{r.ratio:.2f}" if r.ratio is not None else "-"
        print(
            f"{r.figure:<{width}}  {_show(r.baseline, r.unit):>16}  {_show(r.scf, r.unit):>16}  "
            f"{ratio:>7}  {r.target or '-':<24} {r.result or '-'}"
        )
    out: dict[str, Any] = {
        "quick": args.quick,
        "figures": [{**asdict(r), "ratio": r.ratio} for r in rows],
    }
    args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    judged = [r for r in rows if r.result is not None]
    short = sum(r.result == "short" for r in judged)
    print(
        f"{len(rows)} figures, {len(judged)} with a target: {len(judged) - short} pass, "
        f"{short} short; JSON in {args.json}"
    )
    for line in failed:
        print(f"not measured, {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
