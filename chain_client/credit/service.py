"""Profiles, scores and attestations against a live deployment."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from ..contracts import Registry
from ..errors import ChainConnectionError, InputError
from ..models import TxResult
from ..session import Session
from ..units import reference_hash, to_bytes32
from .history import INDICATORS, SupplierHistory, supplier_history
from .model import Score, score


class Profile(BaseModel):
    """A supplier's history and the model's score of it, as of a block."""

    history: SupplierHistory
    score: Score
    published: int  # the score the registry holds now


def profile(session: Session, supplier: str) -> Profile:
    """`supplier`'s history from the deployment's events up to the latest block, and its
    model score; `InputError` when it is not a registered supplier."""
    from ..audit.collect import collect  # the audit's event cache, loaded on use

    registry = Registry(session)
    record = registry.supplier(supplier)
    # the block first: events mined while they are read are left to the next profile
    latest = session.w3.eth.get_block("latest")
    block, when = int(latest["number"]), int(latest["timestamp"])
    rows = collect(session)
    history = supplier_history(rows, record.address, block, when)
    return Profile(history=history, score=score(history), published=record.score)


def publish(session: Session, supplier: str, *, sender: str = "rater") -> tuple[Profile, TxResult]:
    """Computes `supplier`'s model score now and publishes it, with the model version, the
    inputs hash and the block its inputs were read at."""
    # the history must still be the chain's when sent: read again while blocks came in
    for _ in range(5):
        current = profile(session, supplier)
        if int(session.w3.eth.block_number) == current.history.as_of_block:
            break
    else:
        raise ChainConnectionError(
            "the chain moved on while the history was read, five times: publish again"
        )
    s = current.score
    fn = Registry(session).contract.functions.publishScore(
        current.history.supplier,
        s.score,
        s.model_version,
        bytes.fromhex(s.inputs_hash[2:]),
        s.as_of_block,
    )
    return current, session.transact(fn, sender)[0]


def source_hash(source: str) -> bytes:
    """The 32-byte reference of a source document: a 0x-prefixed 32-byte hex hash as is,
    `@path` for the hash of a file's bytes, otherwise keccak256 of the text (a certificate
    number, a registry URL)."""
    text = source.strip()
    if not text:
        raise InputError("the source is empty: give the document's hash, @file or reference")
    if text.startswith("0x") and len(text) == 66:
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            pass
    return reference_hash(text)


#: A tax credit grade may be given by its letter.
GRADES = {"A": 1, "B": 2, "M": 3, "C": 4, "D": 5}


def attest_value(indicator: str, value: int | str) -> int:
    """An attestation's value as the whole number recorded: a tax grade's letter (A, B, M,
    C, D) as 1 to 5, any other value as the integer it spells."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip().upper()
    if indicator.strip().upper() == "TAX_GRADE" and text in GRADES:
        return GRADES[text]
    try:
        return int(text)
    except ValueError:
        raise InputError(f"value {value!r} is not a whole number") from None


def attest(
    session: Session,
    supplier: str,
    indicator: str,
    value: int,
    source: str,
    as_of: datetime,
    *,
    sender: str = "rater",
) -> TxResult:
    """Records an off-chain fact about `supplier` (one of `INDICATORS`)."""
    code = indicator.strip().upper()
    if code not in INDICATORS:
        raise InputError(f"indicator {indicator!r} is not one of {', '.join(INDICATORS)}")
    if value < 0:
        raise InputError(f"value {value} is negative: indicators are whole numbers from 0")
    if code == "TAX_GRADE" and not 1 <= value <= 5:
        raise InputError(f"TAX_GRADE {value} is not 1 to 5 (A, B, M, C, D)")
    when = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    stamp = int(when.timestamp())
    if stamp > session.latest_timestamp():
        raise InputError(
            f"the date {when.date()} is after the chain's time: attest facts that held"
        )
    registry = Registry(session)
    address = registry.supplier(supplier).address
    fn = registry.contract.functions.attest(
        address, to_bytes32(code), value, source_hash(source), stamp
    )
    return session.transact(fn, sender)[0]
