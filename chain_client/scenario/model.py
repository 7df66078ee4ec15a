"""The scenario file: accounts, role grants and steps, validated whole before anything runs.

A step is a mapping with exactly one action key (its value: the arguments), optionally `as:`
(a handle for what the step creates) and `expect_error:` (the step must revert with that
named error). Amounts and addresses must be quoted strings: YAML would read them as numbers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..chain.accounts import BUILTIN_ALIASES
from ..errors import InputError
from ..orders import check_reason
from ..projects import MilestoneSpec, describe
from ..units import parse_amount, parse_duration, to_bytes32

DEFAULT_START = datetime(2030, 1, 1, tzinfo=UTC)


class _Who:
    """Marks a field that names an account (an alias or a quoted address)."""


class _Ref:
    """Marks a field that may name a handle set by an earlier step's `as:`."""


WHO = _Who()
REF = _Ref()


def _quoted_amount(value: Any) -> Any:
    if isinstance(value, int | float):  # bool is an int too
        raise ValueError(
            f'amounts must be quoted strings, e.g. "{value}" (YAML reads it as a number)'
        )
    try:
        parse_amount(value)
    except InputError as exc:
        raise ValueError(str(exc)) from None
    return value


def _ident(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} must be a text of at most 31 bytes")
    try:
        to_bytes32(value)
    except InputError as exc:
        raise ValueError(str(exc)) from None
    return value


def _who(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            'addresses must be quoted strings, e.g. "0x7E5F…" (YAML reads 0x… as a number)'
        )
    return value


def _duration(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("a duration is e.g. 90d, 12h or a whole number of seconds")
    parse_duration(value)
    return value


Amount = Annotated[str, BeforeValidator(_quoted_amount)]
Ident = Annotated[str, BeforeValidator(_ident)]
Who = Annotated[str, BeforeValidator(_who), WHO]
Handle = Annotated[int | str, REF]
Duration = Annotated[int | str, BeforeValidator(_duration)]


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    by: Who | None = None


class TokenMint(Args):
    to: Who
    amount: Amount


class TokenTransfer(Args):
    to: Who
    amount: Amount


class TokenApprove(Args):
    spender: Who
    amount: Amount


class SupplierRegister(Args):
    account: Who
    name: Ident
    parts: list[Ident] = Field(min_length=1)
    capacity: Amount
    score: int | None = Field(None, ge=0, le=1000)
    region: Ident | None = None
    inputs: list[Ident] = []


class SupplierRegion(Args):
    account: Who
    region: Ident | None = None


class SupplierInputs(Args):
    account: Who
    inputs: list[Ident] = []


class SupplierRate(Args):
    account: Who
    score: int = Field(ge=0, le=1000)


class SupplierAccount(Args):
    account: Who


class SupplierAttest(Args):
    account: Who
    indicator: Ident
    value: int | str
    source: str = Field(min_length=1, max_length=280)
    as_of: date | None = None


class SupplierQualify(Args):
    part: Ident
    substitute: Who
    lead_time: Duration
    terms_version: int | None = Field(None, ge=1, lt=2**32)


class SupplierWithdraw(Args):
    part: Ident
    substitute: Who


class ProjectCreate(Args):
    id: Ident
    owner: Who
    budget: dict[Ident, Amount] = Field(min_length=1)
    milestones: list[MilestoneSpec] = Field(min_length=1)
    dual_control: Amount | None = None
    near_margin: Amount | None = None
    payee_share_bps: int = Field(0, ge=0, le=10_000)
    share_floor: Amount | None = None
    substitute_financing: bool = True


class ProjectFund(Args):
    project: Ident
    amount: Amount


class Payment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    to: Who
    amount: Amount
    category: Ident
    milestone: int = Field(ge=0)
    memo: str = ""
    invoice: str | None = None


class ProjectDisburse(Args, Payment):
    project: Ident


class ProjectDisburseBatch(Args):
    project: Ident
    payments: list[Payment] = Field(min_length=1)


class ProjectApprovePayment(Args, Payment):
    project: Ident


class ProjectTeam(Args):
    project: Ident
    wallet: Who


class ProjectReallocate(Args):
    project: Ident
    from_: Ident = Field(alias="from")
    to: Ident
    amount: Amount


class ProjectApproveReallocation(Args):
    project: Ident
    proposal: Handle


class ProjectRef(Args):
    project: Ident


class MilestoneApprove(Args):
    project: Ident
    milestone: int = Field(ge=0)
    evidence: str | None = None


class RoleChange(Args):
    role: Ident
    account: Who


class Nothing(Args):
    pass


class PoolAmount(Args):
    amount: Amount


class PoolPolicy(Args):
    model_config = ConfigDict(extra="allow", frozen=True)


class OrderRegister(Args):
    project: Ident
    po: Ident
    part: Ident
    supplier: Who
    value: Amount
    category: Ident
    milestone: int = Field(ge=0)
    due: Duration


class OrderRef(Args):
    order: Handle


class OrderEvidence(Args):
    order: Handle
    evidence: str | None = None


class DisruptionReport(Args):
    """`reason:` one of the documented reasons, or `other_reason:` for any other on purpose."""

    supplier: Who
    reason: Ident | None = None
    other_reason: Ident | None = None
    evidence: str | None = None

    @model_validator(mode="after")
    def _one_reason(self) -> DisruptionReport:
        if (self.reason is None) == (self.other_reason is None):
            raise ValueError("give exactly one of reason: and other_reason:")
        if self.reason is not None:
            check_reason(self.reason)
        else:
            check_reason(str(self.other_reason), other=True)
        return self


class SupplierRef(Args):
    supplier: Who


class RegionalShock(Args):
    """`reason:` one of the documented reasons, or `other_reason:` for any other on purpose."""

    region: Ident
    reason: Ident | None = None
    other_reason: Ident | None = None
    evidence: str | None = None

    @model_validator(mode="after")
    def _one_reason(self) -> RegionalShock:
        if (self.reason is None) == (self.other_reason is None):
            raise ValueError("give exactly one of reason: and other_reason:")
        check_reason(str(self.reason or self.other_reason), other=self.reason is None)
        return self


class RegionRef(Args):
    region: Ident


class FacilityRepay(Args):
    facility: Handle
    amount: Amount


class FacilityRef(Args):
    facility: Handle


class RecoveryRepay(Args):
    project: Ident
    substitute: Who
    amount: Amount


class Expect(BaseModel):
    """An assertion on the previous step's events, or on state."""

    model_config = ConfigDict(extra="allow", frozen=True)

    event: str | None = None
    project: str | None = None
    supplier: Who | None = None
    pool: dict[str, Any] | None = None
    token_balance: dict[str, Any] | None = None


class Audit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    expect: Literal["clean"] | None = None


#: action -> (arguments model, natural sender; None: `by:` is required)
ACTIONS: dict[str, tuple[type[BaseModel], str | None]] = {
    "token.mint": (TokenMint, "admin"),
    "token.transfer": (TokenTransfer, None),
    "token.approve": (TokenApprove, None),
    "role.grant": (RoleChange, "admin"),
    "role.revoke": (RoleChange, "admin"),
    "supplier.register": (SupplierRegister, "registrar"),
    "supplier.rate": (SupplierRate, "rater"),
    "supplier.attest": (SupplierAttest, "rater"),
    "supplier.publish_score": (SupplierAccount, "rater"),
    "supplier.region": (SupplierRegion, "registrar"),
    "supplier.inputs": (SupplierInputs, "registrar"),
    "supplier.suspend": (SupplierAccount, "registrar"),
    "supplier.reinstate": (SupplierAccount, "registrar"),
    "supplier.qualify": (SupplierQualify, "substitute"),
    "supplier.withdraw": (SupplierWithdraw, "substitute"),
    "supplier.unqualify": (SupplierWithdraw, "registrar"),
    "supplier.readmit": (SupplierWithdraw, "registrar"),
    "project.create": (ProjectCreate, "admin"),
    "project.fund": (ProjectFund, None),
    "project.disburse": (ProjectDisburse, "owner"),
    "project.disburse_batch": (ProjectDisburseBatch, "owner"),
    "project.approve_payment": (ProjectApprovePayment, "reviewer"),
    "project.team_add": (ProjectTeam, "reviewer"),
    "project.team_remove": (ProjectTeam, "reviewer"),
    "project.reallocate": (ProjectReallocate, "owner"),
    "project.approve_reallocation": (ProjectApproveReallocation, "reviewer"),
    "project.close": (ProjectRef, "owner"),
    "project.claim": (ProjectRef, None),
    "milestone.approve": (MilestoneApprove, "reviewer"),
    "ledger.pause": (Nothing, "admin"),
    "ledger.unpause": (Nothing, "admin"),
    "pool.deposit": (PoolAmount, None),
    "pool.withdraw": (PoolAmount, None),
    "pool.policy": (PoolPolicy, "admin"),
    "order.register": (OrderRegister, "owner"),
    "order.approve": (OrderRef, "reviewer"),
    "order.cancel": (OrderRef, "owner"),
    "order.record_delivery": (OrderEvidence, "supplier"),
    "order.accept_delivery": (OrderRef, "owner"),
    "order.reject_delivery": (OrderEvidence, "reviewer"),
    "order.settle": (OrderRef, "owner"),
    "order.close_undelivered": (OrderRef, "reviewer"),
    "disruption.report": (DisruptionReport, "oracle"),
    "disruption.process": (SupplierRef, "oracle"),
    "disruption.recover": (SupplierRef, "oracle"),
    "disruption.shock": (RegionalShock, "oracle"),
    "disruption.shock_process": (RegionRef, "oracle"),
    "disruption.region_recover": (RegionRef, "oracle"),
    "facility.repay": (FacilityRepay, None),
    "facility.collect": (FacilityRef, "owner"),
    "recovery.repay": (RecoveryRepay, None),
}
SPECIAL = {"time.advance", "expect", "audit"}
HANDLE_ACTIONS = {"order.register", "project.reallocate"}


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    action: str
    args: Any
    handle: str | None = None
    expect_error: str | None = None


class Scenario(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    description: str | None = None
    start: datetime = DEFAULT_START
    block_time: int = Field(12, ge=1)
    accounts: dict[str, int | str] = {}
    roles: dict[str, list[str]] = {}
    steps: list[Step]

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)


def _fail(where: str, message: str) -> InputError:
    return InputError(f"{where}: {message}")


def _step(number: int, raw: Any, known: set[str], handles: set[str]) -> Step:
    where = f"step {number}"
    if not isinstance(raw, dict):
        raise _fail(where, "a step is a mapping with one action key, e.g. `- token.mint: {...}`")
    extra = {k: raw[k] for k in raw if k not in ("as", "expect_error")}
    if len(extra) != 1:
        raise _fail(
            where,
            f"a step has exactly one action key; found {', '.join(map(str, extra)) or 'none'}",
        )
    ((action, value),) = extra.items()
    where = f"step {number} ({action})"
    if action not in ACTIONS and action not in SPECIAL:
        raise _fail(where, f"unknown action; known: {', '.join(sorted([*ACTIONS, *SPECIAL]))}")
    handle = raw.get("as")
    if handle is not None and (not isinstance(handle, str) or not handle):
        raise _fail(where, "as: must be a name")
    expect_error = raw.get("expect_error")
    if action == "time.advance":
        try:
            args: Any = parse_duration(_duration(value))
        except (ValueError, InputError) as exc:
            raise _fail(where, str(exc)) from None
    else:
        model = Expect if action == "expect" else Audit if action == "audit" else ACTIONS[action][0]
        try:
            args = model.model_validate(value if value is not None else {})
        except ValidationError as exc:
            raise _fail(where, describe(exc)) from None
        except InputError as exc:
            raise _fail(where, str(exc)) from None
        _check_references(where, args, known, handles)
        if action == "expect":
            _check_expect(where, args)
        if action in ACTIONS and ACTIONS[action][1] is None and args.by is None:
            raise _fail(where, "by: is required here (funders, banks and payers are always named)")
    if handle is not None:
        if action not in HANDLE_ACTIONS:
            raise _fail(where, f"as: names what a step creates; {action} creates nothing to name")
        handles.add(handle)
    return Step(number=number, action=action, args=args, handle=handle, expect_error=expect_error)


def _event_arguments() -> dict[str, set[str]]:
    """Every event of scf's contracts -> the names of its arguments, from the shipped ABIs."""
    from ..artifacts import artifact_names, load_artifact

    out: dict[str, set[str]] = {}
    for name in artifact_names():
        for entry in load_artifact(name)["abi"]:
            if entry["type"] == "event":
                out.setdefault(entry["name"], set()).update(i["name"] for i in entry["inputs"])
    return out


def _check_expect(where: str, e: Expect) -> None:
    """An `expect` step names only things that exist, so that a misspelt key fails when the
    file is checked, not after transactions have landed."""
    from ..models import SupplierRecord
    from ..orders import PoolStatus
    from ..projects import ProjectRecord

    extra = set(e.model_extra or {})
    if e.event is not None:
        events = _event_arguments()
        if e.event not in events:
            raise _fail(where, f"event: no scf event is called {e.event!r}")
        unknown = extra - events[e.event]
        if unknown:
            raise _fail(
                where,
                f"{e.event} has no argument(s) {', '.join(sorted(unknown))}; it has "
                f"{', '.join(sorted(events[e.event]))}",
            )
    elif e.project is not None or e.supplier is not None:
        if e.project is not None and e.supplier is not None:
            raise _fail(where, "name either project: or supplier:, not both")
        fields = set((ProjectRecord if e.project is not None else SupplierRecord).model_fields)
        unknown = extra - fields
        if unknown:
            raise _fail(
                where,
                f"no field(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(fields))}",
            )
    elif extra:
        raise _fail(where, f"unknown expectation(s): {', '.join(sorted(extra))}")
    if e.pool is not None:
        unknown = set(e.pool) - set(PoolStatus.model_fields)
        if unknown:
            raise _fail(where, f"pool: no field(s) {', '.join(sorted(unknown))}")
    if e.token_balance is not None and set(e.token_balance) != {"of", "amount"}:
        raise _fail(where, "token_balance: give exactly of: and amount:")
    if not (e.event or e.project or e.supplier or e.pool or e.token_balance):
        raise _fail(
            where, "nothing to check: give event:, project:, supplier:, pool: or token_balance:"
        )


def _check_references(where: str, args: BaseModel, known: set[str], handles: set[str]) -> None:
    def check(name: str, info: Any, value: Any) -> None:
        if value is None:
            return
        if (
            WHO in info.metadata
            and isinstance(value, str)
            and not value.startswith("0x")
            and value not in known
        ):
            raise _fail(where, f"{name}: unknown account {value!r} (add it under accounts:)")
        if REF in info.metadata and isinstance(value, str) and value not in handles:
            raise _fail(where, f"{name}: {value!r} is not a handle set by an earlier step's as:")

    for name, info in type(args).model_fields.items():
        value = getattr(args, name)
        check(name, info, value)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    for sub, sub_info in type(item).model_fields.items():
                        check(f"{name}.{i}.{sub}", sub_info, getattr(item, sub))


#: Limits of a scenario file: its size, and how many nodes its YAML may stand for once every
#: alias is expanded (a "billion laughs" file is a few lines that stand for billions).
MAX_FILE_BYTES = 1_000_000
MAX_EXPANDED_NODES = 200_000


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping (YAML would silently
    keep the last) and a document whose aliases expand beyond `MAX_EXPANDED_NODES`."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if isinstance(key, str | int | float | bool) and key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (the same key twice in one mapping)", mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Nodes `node` stands for with every alias expanded, counted in time linear in the file
    (an alias is the same node object, so its count is remembered, not recomputed)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # a recursive alias counts once instead of looping
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    memo[id(node)] = size
    return size


def _load_yaml(text: str, source: str) -> Any:
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise InputError(f"{source}: larger than {MAX_FILE_BYTES:,} bytes; split the story")
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()  # type: ignore[no-untyped-call]
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise InputError(
                f"{source}: its aliases expand to more than {MAX_EXPANDED_NODES:,} values",
                hint="write the steps out, or use fewer nested aliases",
            )
        return loader.construct_document(node)  # type: ignore[no-untyped-call]
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]


def parse_scenario(text: str, source: str = "scenario") -> Scenario:
    """Parse and validate a whole scenario file; `InputError` names the step and field."""
    try:
        raw = _load_yaml(text, source)
    except RecursionError:
        raise InputError(f"{source}: nested too deeply to be a scenario") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise InputError(f"{where}: YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: YAML error: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{source}: a scenario is a mapping with name, accounts and steps")
    unknown = set(raw) - {
        "name",
        "description",
        "start",
        "block_time",
        "accounts",
        "roles",
        "steps",
    }
    if unknown:
        raise InputError(
            f"{source}: unknown top-level key(s): {', '.join(sorted(map(str, unknown)))}"
        )
    if not isinstance(raw.get("steps"), list) or not raw["steps"]:
        raise InputError(f"{source}: steps: a list of at least one step is needed")
    accounts = raw.get("accounts") or {}
    if not isinstance(accounts, dict):
        raise InputError(
            f"{source}: accounts: a mapping of name to test-account index or quoted address"
        )
    for name, target in accounts.items():
        if name in BUILTIN_ALIASES:
            raise InputError(
                f"{source}: accounts: {name!r} is a built-in alias and cannot be redefined"
            )
        if isinstance(target, bool) or not isinstance(target, int | str):
            raise InputError(
                f"{source}: accounts: {name}: a test-account index or a quoted address"
            )
        if isinstance(target, int) and target > 2**16:
            raise InputError(f"{source}: accounts: {name}: addresses must be quoted strings")
    known = set(BUILTIN_ALIASES) | set(accounts)
    roles = raw.get("roles") or {}
    for role, holders in roles.items():
        for holder in holders if isinstance(holders, list) else [holders]:
            if holder not in known:
                raise InputError(f"{source}: roles: {role}: unknown account {holder!r}")
    handles: set[str] = set()
    steps = [_step(i, step, known, handles) for i, step in enumerate(raw["steps"], start=1)]
    try:
        return Scenario(
            name=raw.get("name") or Path(source).stem,
            description=raw.get("description"),
            start=raw.get("start") or DEFAULT_START,
            block_time=raw.get("block_time") or 12,
            accounts=accounts,
            roles={r: (h if isinstance(h, list) else [h]) for r, h in roles.items()},
            steps=steps,
        )
    except ValidationError as exc:
        raise InputError(f"{source}: {describe(exc)}") from None


def load_scenario(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; a scenario is a YAML file") from None
    return parse_scenario(text, str(path))
