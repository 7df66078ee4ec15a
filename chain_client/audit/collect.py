"""Read every event of a deployment, page by page, decoded in bulk, with a cursor cache.

On a node: `eth_getLogs` by block range for the deployment's addresses, raw (no per-log
ABI objects), a page split in two whenever the node refuses it as too large. On the
embedded chain, eth-tester's `eth_getLogs` walks every block and scans back for each
receipt (its cost grows with the square of the chain), so the blocks' receipts are read
from py-evm directly: one block at a time, linear in the chain.

Decoded events are cached in the workspace per deployment with a cursor (last block read
and its hash): the next audit reads only new blocks; if the cursor block's hash changed (a
reorganisation), rows from a safe depth below it are dropped and read again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from web3.types import RPCEndpoint

from ..events import DecodedEvent, EventDecoder, checksum
from ..session import Session

PAGE_BLOCKS = 2_000
SAFE_DEPTH = 64
SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_events (
    deployment TEXT NOT NULL, block INTEGER NOT NULL, log_index INTEGER NOT NULL,
    payload TEXT NOT NULL, PRIMARY KEY (deployment, block, log_index)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_cursor (
    deployment TEXT PRIMARY KEY, block INTEGER NOT NULL, hash TEXT NOT NULL
);
"""

Progress = Callable[[int, int], None]


def _hex_bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return bytes.fromhex(str(value)[2:])


def _embedded_logs(
    session: Session, first: int, last: int, addresses: set[bytes]
) -> Iterator[dict[str, Any]]:
    assert session.embedded is not None
    chain = session.embedded.chain
    for number in range(first, last + 1):
        block = chain.get_canonical_block_by_number(number)
        stamp = block.header.timestamp
        index = 0
        for tx, receipt in zip(block.transactions, block.get_receipts(chain.chaindb), strict=True):
            for log in receipt.logs:
                if log.address in addresses:
                    yield {
                        "address": checksum(log.address),
                        "topics": [t.to_bytes(32, "big") for t in log.topics],
                        "data": log.data,
                        "blockNumber": number,
                        "transactionHash": tx.hash,
                        "logIndex": index,
                        "timestamp": stamp,
                        "blockHash": block.hash,
                    }
                index += 1


def _node_logs(
    session: Session, first: int, last: int, addresses: Sequence[str]
) -> Iterator[dict[str, Any]]:
    stamps: dict[int, int] = {}

    def stamp(log: dict[str, Any], number: int) -> int:
        if "blockTimestamp" in log:
            return int(log["blockTimestamp"], 16)
        if number not in stamps:  # one header per block that has events
            stamps[number] = int(session.w3.eth.get_block(number)["timestamp"])
        return stamps[number]

    pending = [(first, last)]
    while pending:
        start, end = pending.pop(0)
        response = session.w3.provider.make_request(
            RPCEndpoint("eth_getLogs"),
            [{"fromBlock": hex(start), "toBlock": hex(end), "address": addresses}],
        )
        if "error" in response:
            if start == end:
                raise RuntimeError(f"the node refuses logs of block {start}: {response['error']}")
            middle = (start + end) // 2
            pending[:0] = [(start, middle), (middle + 1, end)]
            continue
        for log in response["result"]:
            number = int(log["blockNumber"], 16)
            yield {
                "address": checksum(log["address"]),
                "topics": [_hex_bytes(t) for t in log["topics"]],
                "data": _hex_bytes(log["data"]),
                "blockNumber": number,
                "transactionHash": _hex_bytes(log["transactionHash"]),
                "logIndex": int(log["logIndex"], 16),
                "timestamp": stamp(log, number),
                "blockHash": _hex_bytes(log["blockHash"]),
            }


def _payload(event: DecodedEvent, timestamp: int, block_hash: bytes) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, bytes):
            return "0x" + value.hex()
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        return value

    return json.dumps(
        {
            "contract": event.contract,
            "event": event.name,
            "block": event.block,
            "time": timestamp,
            "block_hash": "0x" + bytes(block_hash).hex(),
            "tx": event.tx_hash,
            "log_index": event.log_index,
            "args": {k: plain(v) for k, v in event.args.items()},
            "types": event.types,
        },
        sort_keys=True,
    )


def _block_hash(session: Session, number: int) -> str:
    return "0x" + bytes(session.w3.eth.get_block(number)["hash"]).hex()


def _last_intact(session: Session, db: Any, key: str, cursor: int, latest: int, floor: int) -> int:
    """The highest cached block (below the cursor) whose hash the chain still has.

    Each cached event records its block's hash; blocks are checked from the top down, so the
    cost follows the depth of the reorganisation. At least SAFE_DEPTH blocks are re-read.
    """
    ceiling = min(cursor, latest) - SAFE_DEPTH
    rows = db.execute(
        "SELECT DISTINCT block, json_extract(payload, '$.block_hash') FROM audit_events"
        " WHERE deployment = ? AND block <= ? ORDER BY block DESC",
        (key, ceiling),
    )
    for block, stored in rows:
        if stored == _block_hash(session, int(block)):
            return int(block)
    return floor - 1


def collect(
    session: Session, *, progress: Progress | None = None, use_cache: bool = True
) -> list[dict[str, Any]]:
    """Every event of the deployment up to the latest block, oldest first, as plain dicts."""
    deployment = session.deployment()
    decoder = EventDecoder(deployment)
    key = f"{deployment.chain_id}:{deployment.address('FundLedger')}:{deployment.block}"
    db = session.workspace.db if (use_cache and session.workspace.writable) else None
    latest = session.w3.eth.block_number
    start = deployment.block
    if db is not None:
        db.executescript(SCHEMA)
        row = db.execute(
            "SELECT block, hash FROM audit_cursor WHERE deployment = ?", (key,)
        ).fetchone()
        if row is not None:
            cursor, stored = int(row[0]), row[1]
            current = (
                "0x" + bytes(session.w3.eth.get_block(cursor)["hash"]).hex()
                if cursor <= latest
                else None
            )
            if current == stored:
                start = cursor + 1
            else:  # reorganised under the cursor: re-read from the last block still ours
                start = _last_intact(session, db, key, cursor, latest, deployment.block) + 1
                with db:
                    db.execute(
                        "DELETE FROM audit_events WHERE deployment = ? AND block >= ?", (key, start)
                    )
    addresses = [r.address for r in deployment.contracts.values()]
    fresh: list[tuple[str, int, int, str]] = []
    for page_start in range(start, latest + 1, PAGE_BLOCKS):
        page_end = min(page_start + PAGE_BLOCKS - 1, latest)
        logs = (
            _embedded_logs(session, page_start, page_end, {bytes.fromhex(a[2:]) for a in addresses})
            if session.embedded is not None
            else _node_logs(session, page_start, page_end, addresses)
        )
        for log in logs:
            event = decoder.decode(log)
            if event is not None:
                payload = _payload(event, log["timestamp"], log["blockHash"])
                fresh.append((key, event.block, event.log_index, payload))
        if progress:
            progress(page_end - deployment.block + 1, latest - deployment.block + 1)
    if db is None:
        return [json.loads(p) for _, _, _, p in fresh]
    with db:
        db.executemany("INSERT OR REPLACE INTO audit_events VALUES (?, ?, ?, ?)", fresh)
        if latest >= deployment.block:
            head = "0x" + bytes(session.w3.eth.get_block(latest)["hash"]).hex()
            db.execute("INSERT OR REPLACE INTO audit_cursor VALUES (?, ?, ?)", (key, latest, head))
    rows = db.execute(
        "SELECT payload FROM audit_events WHERE deployment = ? AND block <= ?"
        " ORDER BY block, log_index",
        (key, latest),
    )
    return [json.loads(p) for (p,) in rows]
