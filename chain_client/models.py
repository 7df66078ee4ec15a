"""Records returned by the client: frozen pydantic models.

Amounts are integers of the token's smallest unit in Python and decimal strings in JSON;
identifiers are plain strings; addresses are checksummed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from eth_typing import ChecksumAddress
from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer

from .units import format_amount, parse_amount


def _amount_in(value: Any) -> Any:
    """Decimal strings ("1250.00") become smallest units; ints are taken as smallest units."""
    if isinstance(value, str):
        return parse_amount(value)
    if isinstance(value, float):
        raise ValueError('amounts are decimal strings such as "1250.00", never floats')
    return value


#: An amount in smallest units: read from a decimal string or an int of smallest units,
#: written as a decimal string in JSON.
Amount = Annotated[
    int,
    BeforeValidator(_amount_in),
    PlainSerializer(format_amount, return_type=str, when_used="json"),
]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class ContractRecord(Record):
    """One deployed contract."""

    address: ChecksumAddress
    block: int
    tx_hash: str | None = None
    artifact_hash: str | None = None


class Deployment(Record):
    """What `scf deploy` recorded for one chain id."""

    chain_id: int
    contracts: dict[str, ContractRecord]
    block: int
    deployer: ChecksumAddress
    token_external: bool = False
    source_hash: str
    compiler: dict[str, Any]
    admin_delay: int
    deployed_at: datetime

    def address(self, name: str) -> ChecksumAddress:
        return self.contracts[name].address


class TxResult(Record):
    """A mined, successful transaction."""

    tx_hash: str
    block: int
    gas_used: int
    sender: ChecksumAddress


class ChunkOutcome(Record):
    """One chunk of a payments file: its rows (`first_row` counts from 0 among the payment
    rows, and is the chunk's position in its payment run on chain), its run, and whether it
    was paid now or found already paid."""

    chunk: int
    first_row: int
    rows: int
    total: Amount
    run: str
    status: str
    block: int
    transaction: TxResult | None = None


class SupplierRecord(Record):
    """A registered supplier as the registry holds it."""

    address: ChecksumAddress
    name: str
    parts: list[str]
    capacity: Amount
    committed: Amount
    score: int
    status: str
    registered_at: datetime
    region: str | None = None
    inputs: list[str] = []


class SubstituteRecord(Record):
    """One entry of a part's substitute list: its standing offer and what ranks it."""

    position: int
    address: ChecksumAddress
    status: str
    score: int
    lead_days: int
    terms_version: int
    capacity_left: Amount
    region: str | None = None
    inputs: int = 0


class ChainStatus(Record):
    """What `scf chain status` shows."""

    backend: str
    chain: str
    chain_id: int
    block: int
    timestamp: datetime
    test_chain: bool
    workspace: str
    deployment: Deployment | None


def timestamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
