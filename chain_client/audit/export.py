"""Export every movement with tamper evidence, and verify an export against the chain.

Beside the rows (JSON Lines, or CSV by the file's suffix) a manifest records the chain id,
the contracts, the block range, the hash of the last block read, the row count and a
SHA-256 hash chain over each row's canonical JSON (sorted keys, no spaces):
h0 = sha256(b""), hi = sha256(h(i-1) + canonical(row i)). `verify` re-reads the chain,
rebuilds the rows of that range, and names every row changed, added or dropped.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..errors import InputError
from ..session import Session
from .report import audit_books

COLUMNS = [
    "block",
    "time",
    "tx",
    "log_index",
    "event",
    "contract",
    "from",
    "to",
    "amount",
    "project",
    "category",
    "milestone",
    "ref",
]


def canonical(row: dict[str, Any]) -> bytes:
    return json.dumps(
        {k: row.get(k) for k in COLUMNS}, sort_keys=True, separators=(",", ":")
    ).encode()


def hash_chain(rows: list[dict[str, Any]]) -> list[str]:
    head = hashlib.sha256(b"").hexdigest()
    out = []
    for row in rows:
        head = hashlib.sha256(bytes.fromhex(head) + canonical(row)).hexdigest()
        out.append(head)
    return out


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def export(session: Session, path: Path) -> dict[str, Any]:
    """Write the movements to `path` (.jsonl, .json or .csv) and its manifest; returns it."""
    if path.suffix not in (".jsonl", ".json", ".csv"):
        raise InputError(f"{path}: the export is JSON Lines (.jsonl) or CSV (.csv)")
    rows, books = audit_books(session)
    movements = books.movements
    latest = session.w3.eth.block_number
    hashes = hash_chain(movements)
    deployment = session.deployment()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, "hash"])
            writer.writeheader()
            for row, digest in zip(movements, hashes, strict=True):
                writer.writerow({**{k: row.get(k) for k in COLUMNS}, "hash": digest})
    else:
        with path.open("w", encoding="utf-8") as handle:
            for row, digest in zip(movements, hashes, strict=True):
                handle.write(
                    json.dumps({**{k: row.get(k) for k in COLUMNS}, "hash": digest}, sort_keys=True)
                    + "\n"
                )
    manifest = {
        "chain_id": session.chain_id,
        "contracts": {n: r.address for n, r in deployment.contracts.items()},
        "from_block": deployment.block,
        "to_block": latest,
        "last_block_hash": "0x" + bytes(session.w3.eth.get_block(latest)["hash"]).hex(),
        "rows": len(movements),
        "hash_chain_head": hashes[-1] if hashes else hashlib.sha256(b"").hexdigest(),
        "format": path.suffix.lstrip("."),
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


class Verification(BaseModel):
    model_config = ConfigDict(frozen=True)

    holds: bool
    rows: int
    changed: list[int]
    added: list[int]
    dropped: list[str]
    chain_breaks: list[int]
    manifest: list[str]


def _read_rows(path: Path) -> list[dict[str, Any]]:
    try:
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                rows: list[dict[str, Any]] = []
                for raw in csv.DictReader(handle):
                    row: dict[str, Any] = dict(raw)
                    for key in ("block", "time", "log_index", "amount", "milestone"):
                        row[key] = int(row[key]) if row.get(key) not in (None, "") else None
                    for key in ("project", "category", "ref", "from", "to"):
                        row[key] = row.get(key) or None
                    rows.append(row)
                return rows
        return [
            json.loads(line)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the export {path}: {exc}") from None


def verify(session: Session, path: Path) -> Verification:
    """Compare an export with the chain: rows (numbered from 1) changed, added, dropped."""
    try:
        manifest = json.loads(manifest_path(path).read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the manifest {manifest_path(path)}: {exc}") from None
    problems = []
    if manifest.get("chain_id") != session.chain_id:
        problems.append(f"manifest is for chain {manifest.get('chain_id')}, not {session.chain_id}")
    to_block = int(manifest["to_block"])
    actual_hash = "0x" + bytes(session.w3.eth.get_block(to_block)["hash"]).hex()
    if actual_hash != manifest["last_block_hash"]:
        problems.append(f"block {to_block} now has another hash: the chain was reorganised")
    rows = _read_rows(path)
    if len(rows) != manifest["rows"]:
        problems.append(f"the manifest counts {manifest['rows']} rows; the file has {len(rows)}")
    _, books = audit_books(session)
    truth = [r for r in books.movements if r["block"] <= to_block]
    key = lambda r: (int(r["block"]), str(r["tx"]), int(r["log_index"]))  # noqa: E731
    on_chain = {key(r): r for r in truth}
    seen = set()
    changed, added = [], []
    for number, row in enumerate(rows, start=1):
        try:
            k = key(row)
        except (KeyError, TypeError, ValueError):
            added.append(number)
            continue
        if k not in on_chain:
            added.append(number)
        elif canonical(row) != canonical(on_chain[k]):
            changed.append(number)
        seen.add(k)
    dropped = [f"block {k[0]} tx {k[1]} log {k[2]}" for k in on_chain if k not in seen]
    expected = hash_chain(rows)
    breaks = [
        i
        for i, (row, digest) in enumerate(zip(rows, expected, strict=True), start=1)
        if row.get("hash") != digest
    ]
    if expected and expected[-1] != manifest.get("hash_chain_head"):
        problems.append("the hash chain does not end at the manifest's head")
    holds = not (changed or added or dropped or breaks or problems)
    return Verification(
        holds=holds,
        rows=len(rows),
        changed=changed,
        added=added,
        dropped=dropped,
        chain_breaks=breaks[:1],
        manifest=problems,
    )
