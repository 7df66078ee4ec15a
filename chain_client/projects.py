"""Inputs and records of the fund ledger: projects, budget lines, milestones, payments, flags.

Inputs validate on construction (pydantic): amounts as decimal strings or smallest units,
identifiers at most 31 bytes, at most 16 budget lines and milestones.
"""

from __future__ import annotations

import csv
import re
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

from eth_typing import ChecksumAddress
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import InputError
from .models import Amount, Record
from .units import format_amount, to_bytes32

MAX_ITEMS = 16
S = TypeVar("S", bound=BaseModel)
BPS = 10_000


class Stage(IntEnum):
    """R&D stage of a milestone (values as in the contract)."""

    RESEARCH = 0
    PILOT = 1
    INDUSTRIALISATION = 2
    MARKET = 3


def _identifier(value: str) -> str:
    to_bytes32(value)
    return value


Identifier = Annotated[str, Field(min_length=1)]


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MilestoneSpec(Spec):
    """A milestone at creation: its stage and tranche."""

    stage: Stage
    amount: Amount = Field(gt=0)

    @field_validator("stage", mode="before")
    @classmethod
    def _stage_by_name(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return Stage[value.upper()]
            except KeyError:
                names = ", ".join(s.name for s in Stage)
                raise ValueError(f"stage {value!r} is not one of {names}") from None
        return value


class ProjectSpec(Spec):
    """A new project: id, owner, budget lines (category -> cap), milestones, thresholds, and
    whether its orders may be substitute-financed (default yes)."""

    id: Identifier
    owner: str
    budget: dict[Identifier, Amount] = Field(min_length=1, max_length=MAX_ITEMS)
    milestones: list[MilestoneSpec] = Field(min_length=1, max_length=MAX_ITEMS)
    dual_control: Amount = 0
    near_margin: Amount = 0
    payee_share_bps: int = Field(0, ge=0, le=BPS)
    share_floor: Amount = 0
    substitute_financing: bool = Field(
        True,
        description="Whether its orders may move to a substitute with a pool advance when a "
        "supplier is cut off (fixed at creation)",
    )

    @field_validator("id")
    @classmethod
    def _id_fits(cls, value: str) -> str:
        return _identifier(value)

    @field_validator("budget")
    @classmethod
    def _categories_fit(cls, value: dict[str, int]) -> dict[str, int]:
        for category, cap in value.items():
            _identifier(category)
            if cap <= 0:
                raise ValueError(f"budget line {category} needs a cap above 0")
        return value


#: The longest memo a payment carries, in characters.
MAX_MEMO = 280


class PaymentSpec(Spec):
    """One payment: payee, amount, budget line, milestone (from 0), invoice text, memo."""

    to: str
    amount: Amount = Field(gt=0)
    category: Identifier
    milestone: int = Field(ge=0)
    invoice: str | None = None
    #: Stored in the payment's event: its length is paid for in gas, so it is kept short.
    memo: str = Field("", max_length=MAX_MEMO)

    @field_validator("category")
    @classmethod
    def _category_fits(cls, value: str) -> str:
        return _identifier(value)


CSV_COLUMNS = ("to", "amount", "category", "milestone", "memo", "invoice")


def load_payments_csv(path: Path) -> list[PaymentSpec]:
    """Payments from a CSV with columns to,amount,category,milestone,memo,invoice.

    The whole file is checked first: a missing or unknown column or any bad row refuses it
    all, naming the row (the header is row 1). A byte-order mark, as spreadsheets write it,
    is read as nothing.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [str(c).strip() for c in (reader.fieldnames or [])]
            missing = [c for c in CSV_COLUMNS if c not in header]
            unknown = [c for c in header if c not in CSV_COLUMNS]
            twice = [c for c in dict.fromkeys(header) if header.count(c) > 1]
            if missing or unknown or twice:
                problem = (
                    f"missing column(s) {', '.join(missing)}"
                    if missing
                    else f"unknown column(s) {', '.join(unknown)}"
                    if unknown
                    else f"column(s) {', '.join(twice)} given twice"
                )
                raise InputError(f"{path}: {problem}; expected {','.join(CSV_COLUMNS)}")
            reader.fieldnames = header
            # each row with the number of the file line it ends on, as a spreadsheet counts
            # (blank lines included; the header is line 1)
            rows = [(row, reader.line_num) for row in reader]
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text") from exc
    if not rows:
        raise InputError(f"{path} has no payment rows")
    payments = []
    for row, number in rows:
        try:
            if None in row:
                raise InputError(f"more values than the {len(CSV_COLUMNS)} columns")
            value = {c: (row.get(c) or "").strip() for c in CSV_COLUMNS}  # a short row: ""
            if not re.fullmatch(r"[0-9]{1,6}", value["milestone"]):
                raise InputError(f"milestone {value['milestone']!r} is not a milestone number")
            fields = {
                "to": value["to"],
                "amount": value["amount"],
                "category": value["category"],
                "milestone": int(value["milestone"]),
                "memo": value["memo"],
                "invoice": value["invoice"] or None,
            }
            payments.append(PaymentSpec.model_validate(fields))
        except (ValidationError, InputError) as exc:
            raise InputError(f"{path} row {number}: {describe(exc)}") from None
    return payments


def describe(exc: ValidationError | InputError) -> str:
    """One line for a validation failure: the field and what is wrong with it."""
    if isinstance(exc, InputError):
        return str(exc)
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    cause = first.get("ctx", {}).get("error")
    message = str(cause) if cause is not None else first["msg"]
    return f"{where}: {message}" if where else message


def parse_spec(model: type[S], value: S | dict[str, Any]) -> S:
    """`value` as a `model` instance; a validation failure becomes one-line `InputError`."""
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise InputError(describe(exc)) from None


class Thresholds(Record):
    dual_control: Amount
    near_margin: Amount
    payee_share_bps: int
    share_floor: Amount


class BudgetLineRecord(Record):
    category: str
    cap: Amount
    spent: Amount
    reserved: Amount
    left: Amount


class MilestoneRecord(Record):
    index: int
    stage: str
    tranche: Amount
    spent: Amount
    reserved: Amount
    approved: bool
    evidence: str | None


class FunderRecord(Record):
    address: ChecksumAddress
    amount: Amount


#: Flags whose value is a share in basis points; the others carry an amount.
BPS_VALUED_FLAGS = {"PAYEE_SHARE", "BUDGET_LINE_90"}


class FlagRecord(Record):
    """An on-chain `RiskFlagged` event."""

    code: str
    subject: str
    value: int
    block: int
    tx_hash: str

    @property
    def value_text(self) -> str:
        """The value as a person reads it: a percentage, or an amount."""
        if self.code in BPS_VALUED_FLAGS:
            return f"{self.value / 100:.2f}%"
        return format_amount(self.value, grouping=True)


class ProjectRecord(Record):
    id: str
    owner: ChecksumAddress
    status: str
    funded: Amount
    spent: Amount
    reserved: Amount
    refunded: Amount
    recovered: Amount = 0
    balance: Amount
    free: Amount
    budget: Amount
    open_reservations: int
    thresholds: Thresholds
    substitute_financing: bool = True
    lines: list[BudgetLineRecord]
    milestones: list[MilestoneRecord]
    funders: list[FunderRecord]
