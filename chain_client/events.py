"""Decode the logs of scf's contracts by name, in bulk, with eth-abi.

One table maps each deployed address to its contract and each topic to its event ABI, so a
receipt's or a log page's entries decode without trying every event (web3's per-log
`process_log` costs about 30 times more).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi import decode
from eth_utils import event_abi_to_log_topic, to_checksum_address

from .artifacts import load_artifact
from .models import Deployment

#: Checksummed addresses, remembered: a log holds the same few addresses again and again
#: (the contracts, the parties), and checksumming hashes each one (keccak) every time.
checksum = lru_cache(maxsize=65_536)(to_checksum_address)


@dataclass(frozen=True)
class DecodedEvent:
    """One log of an scf contract."""

    contract: str
    name: str
    args: dict[str, Any]
    block: int
    tx_hash: str
    log_index: int
    types: dict[str, str]


def _type(param: dict[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_type(c) for c in param["components"]) + ")" + kind[5:]
    return kind


class EventDecoder:
    """Decodes logs emitted by the contracts of one deployment."""

    def __init__(self, deployment: Deployment) -> None:
        self._by_address: dict[str, str] = {
            record.address.lower(): name for name, record in deployment.contracts.items()
        }
        self._events: dict[tuple[str, bytes], dict[str, Any]] = {}
        for name in deployment.contracts:
            for entry in load_artifact(name)["abi"]:
                if entry["type"] == "event" and not entry.get("anonymous"):
                    self._events[(name, event_abi_to_log_topic(entry))] = entry

    def decode(self, log: Any) -> DecodedEvent | None:
        """The decoded log, or None when it is not from a known contract and event."""
        contract = self._by_address.get(str(log["address"]).lower())
        topics = [bytes(t) for t in log["topics"]]
        if contract is None or not topics:
            return None
        entry = self._events.get((contract, topics[0]))
        if entry is None:
            return None
        indexed = [i for i in entry["inputs"] if i["indexed"]]
        plain = [i for i in entry["inputs"] if not i["indexed"]]
        values: dict[str, Any] = {}
        for param, topic in zip(indexed, topics[1:], strict=False):
            (values[param["name"]],) = decode([_type(param)], topic)
        data = bytes(log["data"])
        for param, value in zip(plain, decode([_type(p) for p in plain], data), strict=True):
            values[param["name"]] = value
        args = {}
        for param in entry["inputs"]:
            value = values[param["name"]]
            args[param["name"]] = checksum(value) if param["type"] == "address" else value
        return DecodedEvent(
            contract=contract,
            name=entry["name"],
            args=args,
            block=int(log["blockNumber"]),
            tx_hash="0x" + bytes(log["transactionHash"]).hex(),
            log_index=int(log["logIndex"]),
            types={p["name"]: _type(p) for p in entry["inputs"]},
        )

    def decode_receipt(self, receipt: Any) -> list[DecodedEvent]:
        return [e for e in (self.decode(log) for log in receipt["logs"]) if e is not None]
