"""Turn revert data into named Python exceptions carrying the Solidity error's arguments.

Every custom error in the shipped ABIs (scf's and the OpenZeppelin ones the contracts
inherit) is known by its selector. The message is built from context: aliases for
addresses, role names for role hashes, amounts as decimals.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from .artifacts import artifact_names, load_artifact
from .errors import ContractRevert, UnknownRevert
from .orders import ORDER_STATUS as ORDER_STATES
from .units import format_amount, from_bytes32

PANIC_REASONS = {
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division by zero",
    0x21: "invalid enum value",
    0x32: "array index out of bounds",
    0x41: "out of memory",
}
ROLE_NAMES = {
    b"\x00" * 32: "admin",
    keccak(text="MINTER_ROLE"): "minter",
    keccak(text="REGISTRAR_ROLE"): "registrar",
    keccak(text="RATER_ROLE"): "rater",
    keccak(text="TRIGGER_ROLE"): "trigger",
    keccak(text="CREATOR_ROLE"): "creator",
    keccak(text="REVIEWER_ROLE"): "reviewer",
    keccak(text="FINANCIER_ROLE"): "financier",
    keccak(text="ORACLE_ROLE"): "oracle",
}
STATUS_NAMES = ["None", "Active", "Disrupted", "Suspended"]
ORDER_STATUS = ["unknown"] + [name.lower() for name in ORDER_STATES[1:]]
FACILITY_STATUS = ["unknown", "active", "repaid"]


def _when(seconds: int) -> str:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):  # beyond the calendar: say the number
        return f"timestamp {seconds}"


Namer = Callable[[str], str]


def _abi_type(param: dict[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in param["components"]) + ")" + kind[5:]
    return kind


@cache
def error_table() -> dict[bytes, dict[str, Any]]:
    """Selector -> error ABI entry, over every shipped artifact."""
    table: dict[bytes, dict[str, Any]] = {}
    for name in artifact_names():
        for entry in load_artifact(name)["abi"]:
            if entry["type"] == "error":
                signature = f"{entry['name']}({','.join(_abi_type(i) for i in entry['inputs'])})"
                table[function_signature_to_4byte_selector(signature)] = entry
    return table


def revert_data(exc: BaseException) -> bytes | None:
    """The raw revert data carried by a web3 or eth-tester exception, if any."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return None
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    message = exc.args[0] if exc.args else None
    if isinstance(message, bytes):
        return message
    if isinstance(message, str):
        # eth-tester: 'execution reverted: b"\xe2Q}?..."' (the repr of the bytes)
        prefix = "execution reverted: "
        tail = message[len(prefix) :] if message.startswith(prefix) else message
        if tail.startswith(("b'", 'b"')):
            try:
                value = ast.literal_eval(tail)
            except (ValueError, SyntaxError):
                return None
            if isinstance(value, bytes):
                return value
    return None


def _display(value: Any, abi_type: str, namer: Namer) -> str:
    if abi_type == "address":
        return namer(value)
    if abi_type == "bytes32" and isinstance(value, bytes):
        if value in ROLE_NAMES:
            return ROLE_NAMES[value]
        text = from_bytes32(value)
        return text if text.isprintable() and text else "0x" + value.hex()
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def _message(
    name: str, args: dict[str, Any], shown: dict[str, str], namer: Namer
) -> tuple[str, str | None]:
    """A sentence for the errors people meet most; the generic form for the rest."""
    s = shown

    def amt(key: str) -> str:
        return format_amount(int(args[key]), grouping=True)

    project_status = ["unknown", "open", "closed"]
    messages: dict[str, Callable[[], tuple[str, str | None]]] = {
        "AccessControlUnauthorizedAccount": lambda: (
            f"{s['account']} does not hold the {s['neededRole']} role",
            "send it as an account with that role, or have the admin run "
            f"`scf role grant {s['neededRole']} ...`",
        ),
        "RegistrySupplierExists": lambda: (f"supplier {s['supplier']} is already registered", None),
        "RegistrySupplierUnknown": lambda: (
            f"{s['supplier']} is not a registered supplier",
            "register it with `scf supplier register`",
        ),
        "RegistryScoreOutOfRange": lambda: (
            f"credit score {s['score']} is out of range (0 to 1000)",
            None,
        ),
        "RegistryStatusInvalid": lambda: (
            f"supplier {s['supplier']} is {STATUS_NAMES[int(args['current'])]}; "
            "that change is not allowed",
            None,
        ),
        "RegistryPartNotSupplied": lambda: (
            f"{s['supplier']} is not registered for part {s['part']}",
            None,
        ),
        "RegistryAlreadyQualified": lambda: (
            f"{s['supplier']} is already a substitute for {s['part']}",
            None,
        ),
        "RegistryNotQualified": lambda: (
            f"{s['supplier']} is not a substitute for {s['part']}",
            None,
        ),
        "RegistrySubstituteListFull": lambda: (
            f"the substitute list of {s['part']} is full ({s['max']})",
            None,
        ),
        "RegistryPartCountInvalid": lambda: (
            f"a supplier registers 1 to {s['max']} parts; {s['count']} given",
            None,
        ),
        "RegistryDuplicatePart": lambda: (f"part {s['part']} is listed twice", None),
        "RegistryEmptyIdentifier": lambda: ("a name or part code is empty", None),
        "RegistryZeroAddress": lambda: ("the zero address cannot be registered", None),
        "ERC20InsufficientBalance": lambda: (
            f"{s['sender']} holds {format_amount(int(args['balance']), grouping=True)}; "
            f"{format_amount(int(args['needed']), grouping=True)} needed",
            None,
        ),
        "ERC20InsufficientAllowance": lambda: (
            f"{s['spender']} may spend {format_amount(int(args['allowance']), grouping=True)}; "
            f"{format_amount(int(args['needed']), grouping=True)} needed",
            "approve more with `scf token approve`",
        ),
        "LedgerBudgetExceeded": lambda: (
            f"budget line {s['category']} of {s['project']} has {amt('available')} left; "
            f"{amt('requested')} asked",
            "a reviewer can approve a reallocation between lines",
        ),
        "LedgerTrancheExhausted": lambda: (
            f"milestone {s['milestone']} of {s['project']} has {amt('available')} of its tranche "
            f"left; {amt('requested')} asked",
            None,
        ),
        "LedgerMilestoneNotApproved": lambda: (
            f"milestone {s['milestone']} of {s['project']} is not approved",
            "a reviewer approves it with `scf milestone approve`",
        ),
        "LedgerMilestoneAlreadyApproved": lambda: (
            f"milestone {s['milestone']} of {s['project']} is already approved",
            None,
        ),
        "LedgerPayeeNotEligible": lambda: (
            f"{s['payee']} is neither an Active registered supplier nor a team wallet of "
            f"{s['project']}",
            None,
        ),
        "LedgerInsufficientBalance": lambda: (
            f"{s['project']} has {amt('available')} free (balance less reservations); "
            f"{amt('requested')} asked",
            "fund it with `scf project fund`",
        ),
        "LedgerPaymentNotApproved": lambda: (
            f"a payment of {amt('amount')} to {s['payee']} is at or above the dual-control "
            f"threshold of {s['project']} ({amt('threshold')}) and has no reviewer pre-approval",
            "a reviewer approves exactly this payment with `scf project approve-payment`",
        ),
        "LedgerProjectUnknown": lambda: (
            f"no project {s['project']}",
            "list them with `scf project list`",
        ),
        "LedgerProjectExists": lambda: (f"project {s['project']} already exists", None),
        "LedgerProjectStatus": lambda: (
            f"project {s['project']} is {project_status[int(args['status'])]}",
            None,
        ),
        "LedgerNotProjectOwner": lambda: (
            f"{s['account']} is not the owner of {s['project']}",
            None,
        ),
        "LedgerUnknownCategory": lambda: (
            f"{s['project']} has no budget line {s['category']}",
            None,
        ),
        "LedgerUnknownMilestone": lambda: (
            f"{s['project']} has no milestone {s['milestone']}",
            None,
        ),
        "LedgerTranchesExceedBudget": lambda: (
            f"milestone tranches add up to {amt('tranches')}, more than the budget {amt('budget')}",
            None,
        ),
        "LedgerOpenItems": lambda: (
            f"{s['project']} still has {s['count']} open order reservations",
            "settle or cancel them first",
        ),
        "LedgerNothingToClaim": lambda: (
            f"{s['funder']} has nothing to claim from {s['project']}",
            None,
        ),
        "LedgerReallocationUnknown": lambda: (
            f"{s['project']} has no pending reallocation {s['id']}",
            None,
        ),
        "LedgerCountInvalid": lambda: (f"1 to {s['max']} items allowed; {s['count']} given", None),
        "LedgerDuplicateCategory": lambda: (f"budget line {s['category']} is listed twice", None),
        "LedgerZeroValue": lambda: (
            "an id, owner, category or amount is zero where it may not be",
            None,
        ),
        "LedgerLengthMismatch": lambda: ("list arguments differ in length", None),
        "LedgerShareInvalid": lambda: (f"a share of {s['bps']} basis points is above 10000", None),
        "LedgerReservationUnknown": lambda: (
            f"{s['project']} has no open reservation {s['ref']}",
            None,
        ),
        "LedgerReservationExists": lambda: (
            f"{s['project']} already has reservation {s['ref']}",
            None,
        ),
        "FinancingNotProjectOwner": lambda: (
            f"{s['account']} is not the owner of {s['project']}",
            None,
        ),
        "FinancingSupplierNotEligible": lambda: (
            f"{s['supplier']} is not an Active supplier registered for part {s['part']}",
            None,
        ),
        "FinancingOrderInvalid": lambda: ("an order needs a value above 0", None),
        "FinancingPoRequired": lambda: (
            "an order needs its purchase-order reference",
            "give it with --po (po: in a scenario)",
        ),
        "FinancingDuplicatePo": lambda: (
            f"purchase order {s['po']} of {s['project']} is already order {s['order']}",
            "each purchase-order reference is used once per project, even after a cancellation",
        ),
        "FinancingDueOutOfRange": lambda: (
            f"due date {_when(int(args['due']))} is outside the order horizon: it must lie "
            f"between {_when(int(args['earliest']))} and {_when(int(args['latest']))}",
            "the horizon is the policy's max_order_horizon_days",
        ),
        "FinancingOrderPending": lambda: (
            f"order {s['order']} awaits the reviewer's approval",
            f"the reviewer approves it with `scf order approve {s['order']}`",
        ),
        "FinancingNotReviewer": lambda: (
            f"{s['account']} is not a reviewer",
            "the reviewer alias (or a holder of the ledger's reviewer role) sends it",
        ),
        "FinancingNotOrderSupplier": lambda: (
            f"{s['account']} is not the current supplier of order {s['order']}",
            None,
        ),
        "FinancingSupplierSuspended": lambda: (
            f"{s['supplier']} is Suspended: its delivery of order {s['order']} cannot be recorded",
            "the owner may cancel the order, or the registrar reinstate the supplier",
        ),
        "FinancingAcceptancePeriodOver": lambda: (
            f"the delivery of order {s['order']} counts as accepted since "
            f"{_when(int(args['acceptBy']))}; it can no longer be rejected",
            None,
        ),
        "FinancingDeliveryNotAccepted": lambda: (
            f"the delivery of order {s['order']} is not accepted yet; it counts as accepted "
            f"from {_when(int(args['acceptBy']))}",
            f"the project's owner accepts it with `scf order accept-delivery {s['order']}`",
        ),
        "FinancingPayeeNotEligible": lambda: (
            f"{s['supplier']}, the supplier of order {s['order']}, is not an eligible payee "
            "now; the money stays reserved under the order",
            "settle again once it is Active",
        ),
        "FinancingOrderStatus": lambda: (
            f"order {s['order']} is {ORDER_STATUS[int(args['status'])]}",
            None,
        ),
        "FinancingFacilityStatus": lambda: (
            f"facility {s['facility']} is {FACILITY_STATUS[int(args['status'])]}",
            None,
        ),
        "FinancingSupplierStatus": lambda: (
            f"{s['supplier']} is {STATUS_NAMES[int(args['status'])]}; that report does not apply",
            None,
        ),
        "FinancingAlreadyReported": lambda: (
            f"{s['oracle']} already reported {s['supplier']} in this quorum window",
            None,
        ),
        "FinancingAlreadyReportedRegion": lambda: (
            f"{s['oracle']} already reported region {s['region']} in this quorum window",
            None,
        ),
        "FinancingShockInForce": lambda: (
            f"a shock to region {s['region']} is already in force (shock {s['shock']})",
            "continue it with `scf disruption shock-process`",
        ),
        "FinancingNoShock": lambda: (
            f"no shock is in force in region {s['region']}",
            "report one with `scf disruption shock`",
        ),
        "FinancingRegionInvalid": lambda: ("a region code is required", None),
        "RegistryInputCountInvalid": lambda: (
            f"{s['count']} upstream inputs: at most {s['max']}",
            None,
        ),
        "FinancingGraceNotOver": lambda: (
            f"facility {s['facility']} is in its grace period until {_when(int(args['until']))}; "
            "the order can be closed as undelivered after it",
            None,
        ),
        "FinancingNotCollectable": lambda: (
            f"facility {s['facility']} is due {_when(int(args['due']))} and its substitute is "
            "Active; the pool collects from its reservation from then on",
            None,
        ),
        "LedgerNothingToRecover": lambda: (
            f"{s['debtor']} owes {s['project']} nothing",
            None,
        ),
        "PoolStopInvalid": lambda: (
            f"a facility's interest stop {_when(int(args['stop']))} is not a future UTC midnight",
            None,
        ),
        "FinancingPolicyInvalid": lambda: (f"policy field {s['field']} is out of range", None),
        "FinancingZeroAmount": lambda: ("the amount must be above 0", None),
        "FinancingBooksDisagree": lambda: (
            f"the pool's or the ledger's books for order {s['order']} differ from the "
            "financing contract's; nothing moved",
            "the deployment's contracts do not match each other: check the deployment",
        ),
        "LedgerBatchAlreadyPaid": lambda: (
            f"payment {int(args['first']) + 1} of run {s['run']} of {s['project']} is paid "
            f"already: the run's first {args['paid']} payments are",
            "pay the file again: it skips what is paid",
        ),
        "LedgerBatchOutOfOrder": lambda: (
            f"run {s['run']} of {s['project']} has {args['paid']} payments paid: its next batch "
            f"starts at payment {int(args['paid']) + 1}, not {int(args['first']) + 1}",
            None,
        ),
        "PoolInsufficientCash": lambda: (
            f"the pool has {amt('available')} idle cash; {amt('requested')} needed",
            None,
        ),
        "ERC4626ExceededMaxWithdraw": lambda: (
            f"{s['owner']} may withdraw at most {amt('max')} now (limited to idle cash and its "
            f"shares); {amt('assets')} asked",
            None,
        ),
        "ERC4626ExceededMaxRedeem": lambda: (
            f"{s['owner']} may redeem at most {s['max']} shares now; {s['shares']} asked",
            None,
        ),
        "RegistryCapacityExceeded": lambda: (
            f"{s['supplier']} has {amt('available')} of capacity left; {amt('requested')} needed",
            None,
        ),
        "EnforcedPause": lambda: (
            "payments are paused by the admin",
            "the admin runs `scf unpause`",
        ),
    }
    if name in messages:
        return messages[name]()
    inner = ", ".join(f"{k}={v}" for k, v in shown.items())
    return f"{name}({inner})", None


def decode_revert(data: bytes, namer: Namer | None = None) -> ContractRevert | UnknownRevert:
    """The exception for revert `data`: a `ContractRevert` named after the Solidity error."""
    namer = namer or (lambda address: address)
    selector, payload = data[:4], data[4:]
    if selector == function_signature_to_4byte_selector("Error(string)"):
        (reason,) = decode(["string"], payload)
        return ContractRevert("Error", {"reason": reason}, f"reverted: {reason}")
    if selector == function_signature_to_4byte_selector("Panic(uint256)"):
        (code,) = decode(["uint256"], payload)
        reason = PANIC_REASONS.get(code, f"code 0x{code:x}")
        return ContractRevert("Panic", {"code": code}, f"contract panicked: {reason}")
    entry = error_table().get(selector)
    if entry is None:
        return UnknownRevert(f"reverted with unknown data 0x{data.hex()[:80]}", data)
    types = [_abi_type(i) for i in entry["inputs"]]
    try:
        values = decode(types, payload)
    except DecodingError:
        return UnknownRevert(f"reverted with malformed {entry['name']} data", data)
    args: dict[str, Any] = {}
    shown: dict[str, str] = {}
    for param, abi_type, value in zip(entry["inputs"], types, values, strict=True):
        if abi_type == "address":
            value = to_checksum_address(value)
        args[param["name"]] = value
        shown[param["name"]] = _display(value, abi_type, namer)
    message, hint = _message(entry["name"], args, shown, namer)
    return ContractRevert(entry["name"], args, message, hint)
