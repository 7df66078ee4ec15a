"""Gas of every external function, kept in `.gas-snapshot` (the file name Foundry uses).

    .venv/bin/python -m benchmarks.gas_snapshot            # measure and compare with the file
    .venv/bin/python -m benchmarks.gas_snapshot --write    # measure and record in the file

The calls are the example scenarios' (`examples/*.yaml`, each on a fresh embedded chain with
its own clock, so every run gives the same gas) and a short story of the calls they do not
make (`extras`). Per function: how many calls were measured, the least and the most gas of
one transaction. `tests/gas/test_gas_snapshot.py` fails when a figure moves by more than
1 % without the file being written again, or when a function has no row and no reason in
`NOT_MEASURED`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from eth_utils import function_abi_to_4byte_selector

from chain_client.artifacts import load_artifact
from chain_client.config import SOURCE_ROOT, Settings
from chain_client.scenario import Runner, load_scenario
from chain_client.session import Session, open_session

SNAPSHOT = SOURCE_ROOT / ".gas-snapshot"
EXTRAS = Path(__file__).with_name("gas-extras.yaml")
TOLERANCE = 0.01
CONTRACTS = (
    "SettlementToken",
    "SupplierRegistry",
    "FundLedger",
    "FinancingPolicy",
    "FinancingPool",
    "SubstituteFinancing",
)
_ADMIN_RULES = "OpenZeppelin's AccessControlDefaultAdminRules, unchanged; run once per deployment"
_FINANCIER = "sent only by SubstituteFinancing; its gas is inside the call that makes it"
_TRIGGER = "sent only by SubstituteFinancing (trigger role); its gas is inside the trigger"
_OZ_TOKEN = "OpenZeppelin's ERC-20 / ERC-4626, unchanged"
_REVOKE = "AccessControl's revokeRole, the same code as SupplierRegistry.revokeRole (measured)"
#: Functions with no row, and why.
NOT_MEASURED: dict[str, str] = {
    **{
        f"{c}.{f}": _ADMIN_RULES
        for c in CONTRACTS
        for f in (
            "beginDefaultAdminTransfer",
            "cancelDefaultAdminTransfer",
            "acceptDefaultAdminTransfer",
            "changeDefaultAdminDelay",
            "rollbackDefaultAdminDelay",
            "renounceRole",
        )
    },
    **{
        f"FundLedger.{f}": _FINANCIER
        for f in (
            "reserve",
            "release",
            "payReservation",
            "setOffReservation",
            "payPoolFromReservation",
            "recordRecovery",
        )
    },
    "FinancingPolicy.grantRole": "the policy has no role to grant after deployment",
    "FinancingPolicy.revokeRole": "the policy has no role to revoke after deployment",
    **{
        f"{c}.revokeRole": _REVOKE
        for c in ("SettlementToken", "FundLedger", "FinancingPool", "SubstituteFinancing")
    },
    **{
        f"FinancingPool.{f}": _OZ_TOKEN
        for f in ("approve", "transfer", "transferFrom", "mint", "redeem")
    },
    "SettlementToken.transferFrom": _OZ_TOKEN,
    "FinancingPool.openFacility": _FINANCIER,
    "FinancingPool.collect": _FINANCIER,
    **{
        f"SupplierRegistry.{f}": _TRIGGER
        for f in ("markDisrupted", "markRecovered", "commitCapacity", "releaseCapacity")
    },
}


@dataclass
class Figure:
    calls: int = 0
    least: int = 0
    most: int = 0
    samples: list[int] = field(default_factory=list)

    def add(self, gas: int) -> None:
        self.calls += 1
        self.least = gas if self.calls == 1 else min(self.least, gas)
        self.most = max(self.most, gas)

    def line(self, name: str) -> str:
        return f"{name} (calls: {self.calls}, min: {self.least}, max: {self.most})"


def external_functions() -> list[str]:
    """`Contract.function` for every function of the deployment that is not a view."""
    out = []
    for contract in CONTRACTS:
        for entry in load_artifact(contract)["abi"]:
            if entry["type"] == "function" and entry["stateMutability"] not in ("view", "pure"):
                out.append(f"{contract}.{entry['name']}")
    return sorted(set(out))


def _record(session: Session, receipts: Iterable[dict], figures: dict[str, Figure]) -> None:
    deployment = session.deployment()
    by_address = {c.address.lower(): name for name, c in deployment.contracts.items()}
    selectors: dict[tuple[str, bytes], str] = {}
    for name in by_address.values():
        for entry in load_artifact(name)["abi"]:
            if entry["type"] == "function":
                selectors[(name, function_abi_to_4byte_selector(entry))] = entry["name"]
    for receipt in receipts:
        if receipt["status"] != 1:
            continue
        tx = session.w3.eth.get_transaction(receipt["transactionHash"])
        name = by_address.get(str(tx["to"]).lower())
        if name is None:
            continue
        fn_name = selectors.get((name, bytes(tx["input"])[:4]))
        if fn_name is not None:
            figures.setdefault(f"{name}.{fn_name}", Figure()).add(int(receipt["gasUsed"]))


def measure() -> dict[str, Figure]:
    """Run the examples and the extras on fresh embedded chains; gas per function."""
    figures: dict[str, Figure] = {}
    stories = [*sorted((SOURCE_ROOT / "examples").glob("*.yaml")), EXTRAS]
    for path in stories:
        with (
            tempfile.TemporaryDirectory() as folder,
            open_session(Settings(workspace=folder), writable=True) as session,
        ):
            Runner(session, load_scenario(path)).run()
            _record(session, session.journal, figures)
    return dict(sorted(figures.items()))


def read_snapshot(path: Path = SNAPSHOT) -> dict[str, tuple[int, int, int]]:
    """`Contract.function` → (calls, min, max) as recorded."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, rest = line.partition(" (")
        parts = dict(p.split(": ") for p in rest.rstrip(")").split(", "))
        out[name] = (int(parts["calls"]), int(parts["min"]), int(parts["max"]))
    return out


def differences(figures: dict[str, Figure], recorded: dict[str, tuple[int, int, int]]) -> list[str]:
    """Each row that moved by more than the tolerance, appeared or went away."""
    out = []
    for name, f in figures.items():
        if name not in recorded:
            out.append(f"{name}: not in the snapshot ({f.line(name)})")
            continue
        calls, least, most = recorded[name]
        for label, was, now in (("min", least, f.least), ("max", most, f.most)):
            if abs(now - was) > was * TOLERANCE:
                out.append(f"{name} {label}: {was:,} recorded, {now:,} now ({now / was - 1:+.1%})")
        if calls != f.calls:
            out.append(f"{name}: {calls} calls recorded, {f.calls} now")
    out += [f"{name}: recorded but no longer measured" for name in recorded if name not in figures]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the figures in the file")
    args = parser.parse_args(argv)
    figures = measure()
    text = "".join(f.line(name) + "\n" for name, f in figures.items())
    if args.write:
        SNAPSHOT.write_text(text, encoding="utf-8")
        print(f"wrote {len(figures)} rows to {SNAPSHOT}")
        return 0
    sys.stdout.write(text)
    missing = [n for n in external_functions() if n not in figures and n not in NOT_MEASURED]
    for name in missing:
        print(f"no row and no reason: {name}")
    changed = differences(figures, read_snapshot()) if SNAPSHOT.exists() else ["no snapshot"]
    for line in changed:
        print(f"differs: {line}")
    return 1 if (missing or changed) else 0


if __name__ == "__main__":
    sys.exit(main())
