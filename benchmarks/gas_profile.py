"""Where the gas of a disbursement or of the trigger goes, opcode by opcode, traced on anvil.

    .venv/bin/python -m benchmarks.gas_profile [--trigger] [--json]

Runs the ledger benchmark's repeat payment (an existing payee, no invoice), or with
`--trigger` the trigger benchmark's report that reaches quorum on a supplier with one open
order, on a fresh anvil node started with `--steps-tracing`. It traces the transaction with
`debug_traceTransaction` and sums its gas by what it was spent on: the transaction's base
and calldata, storage reads (cold, warm) and writes (new slot, update) per contract, calls,
events, and the other opcodes. The figures say what bounds the gas targets.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chain_client.chain.node import start_anvil, stop_anvil
from chain_client.config import Settings
from chain_client.session import Session, open_session

from . import trigger_gas
from .ledger_gas import setup_payments

PORT = 8561


def _address(word: str) -> str:
    return "0x" + word[-40:].lower()


def calldata_gas(data: bytes) -> int:
    """The 21,000 base plus calldata at 4 gas per zero byte and 16 per other byte."""
    return 21_000 + sum(4 if b == 0 else 16 for b in data)


def profile(
    trace: dict[str, Any], gas_used: int, intrinsic: int, names: dict[str, str], to: str
) -> Counter[str]:
    """Gas by category from a struct-log trace of a transaction to `to`."""
    figures: Counter[str] = Counter()
    logs = trace["structLogs"]
    frames = [to.lower()]
    for i, step in enumerate(logs):
        depth, op, cost = step["depth"], step["op"], step["gasCost"]
        del frames[depth:]
        here = names.get(frames[-1], frames[-1])
        if op in ("CALL", "STATICCALL", "DELEGATECALL"):
            target = _address(step["stack"][-2])
            label = f"call into {names.get(target, target)} (account access, call, return)"
            inner = i + 1
            if inner < len(logs) and logs[inner]["depth"] == depth + 1:
                back = inner
                while logs[back]["depth"] > depth:
                    back += 1
                last = logs[back - 1]
                used_inside = logs[inner]["gas"] - (last["gas"] - last["gasCost"])
                figures[label] += step["gas"] - logs[back]["gas"] - used_inside
                frames.append(target)
            else:
                figures[label] += cost
            continue
        if op == "SLOAD":
            figures[f"SLOAD {'cold' if cost >= 2100 else 'warm'}, {here}"] += cost
        elif op == "SSTORE":
            kind = "new slot" if cost >= 20_000 else "update"
            figures[f"SSTORE {kind}, {here}"] += cost
        elif op in ("TLOAD", "TSTORE"):
            figures[f"{op} (reentrancy guard), {here}"] += cost
        elif op.startswith("LOG"):
            figures[f"events, {here}"] += cost
        else:
            figures[f"other opcodes, {here}"] += cost
    figures["transaction: 21,000 base and calldata"] = intrinsic
    rest = gas_used - sum(figures.values())
    if rest:
        figures["refunds (negative) and unattributed"] = rest
    return figures


@contextmanager
def _anvil() -> Iterator[Session]:
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        url = start_anvil(workspace, PORT, extra=("--steps-tracing",))["url"]
        try:
            with open_session(Settings(chain=url, workspace=workspace), writable=True) as session:
                yield session
        finally:
            stop_anvil(workspace)


def _traced(session: Session, tx_hash: str, gas_used: int) -> Counter[str]:
    w3 = session.w3
    trace = w3.provider.make_request(
        "debug_traceTransaction", [tx_hash, {"disableStorage": True, "enableMemory": False}]
    )["result"]
    deployment = session.deployment()
    names = {record.address.lower(): name for name, record in deployment.contracts.items()}
    tx = w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
    return profile(trace, gas_used, calldata_gas(bytes(tx["input"])), names, str(tx["to"]))


def measure(trigger: bool = False) -> tuple[int, Counter[str]]:
    """(gas used, gas by category) of one repeat disbursement, or of the trigger on one open
    order, traced on a fresh anvil."""
    with _anvil() as session:
        if trigger:
            trigger_gas.build(session)
            result = trigger_gas.report(session, 1)
        else:
            pay = setup_payments(session)
            pay("P0")
            result = pay("P0")
        return result.gas_used, _traced(session, result.tx_hash, result.gas_used)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trigger", action="store_true", help="the trigger, not a payment")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    gas, figures = measure(args.trigger)
    if args.json:
        print(json.dumps({"gas_used": gas, "by_category": dict(figures.most_common())}, indent=2))
        return
    width = max(len(label) for label in figures)
    for label, value in figures.most_common():
        print(f"{label:<{width}}  {value:>7,}  {value / gas:6.1%}")
    print(f"{'total':<{width}}  {gas:>7,}")


if __name__ == "__main__":
    main()
