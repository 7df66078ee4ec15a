"""The access-control matrix: every state-changing function of every contract, enumerated from
the ABIs, called (as `eth_call`, so nothing lands) by every role that must not call it; each
call must revert with the function's named access error and the caller in it.

A function added to a contract without a row here fails `test_every_function_has_a_row`.
Functions anyone may call are listed too, with the rule that guards them instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak

from chain_client.artifacts import load_artifact
from chain_client.errors import ContractRevert
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.contracts.financing_fixtures import PART, World, setup_world

P = to_bytes32("LITHO-14")
ADMIN = bytes(32)  # DEFAULT_ADMIN_ROLE
CALLERS = (
    "admin",
    "reviewer",
    "registrar",
    "rater",
    "oracle",
    "chipco",  # the project's owner
    "gov_fund",  # its funder
    "bank",  # a pool depositor
    "resist_a",  # a supplier with an open order
    "sub_hi",  # a qualified substitute
    "stranger",
)
CONTRACTS = (
    "SettlementToken",
    "SupplierRegistry",
    "FundLedger",
    "FinancingPolicy",
    "FinancingPool",
    "SubstituteFinancing",
    "DisruptionLogic",
)


@dataclass(frozen=True)
class Rule:
    """Who may call; `error` names the revert everyone else gets and `args` its arguments
    given the caller's address (None: anyone may call, guarded by `why`)."""

    allowed: tuple[str, ...]
    error: str | None = None
    args: Callable[[str], dict[str, Any]] | None = None
    why: str = ""


def role(name: str, *holders: str) -> Rule:
    needed = ADMIN if name == "DEFAULT_ADMIN_ROLE" else keccak(text=name)
    return Rule(
        holders,
        "AccessControlUnauthorizedAccount",
        lambda caller: {"account": caller, "neededRole": needed},
    )


def anyone(why: str) -> Rule:
    return Rule(CALLERS, why=why)


ADMIN_ONLY = role("DEFAULT_ADMIN_ROLE", "admin")
OWNER = Rule(("chipco",), "LedgerNotProjectOwner", lambda c: {"project": P, "account": c})
FIN_OWNER = Rule(("chipco",), "FinancingNotProjectOwner", lambda c: {"project": P, "account": c})
FIN_REVIEWER = Rule(("reviewer",), "FinancingNotReviewer", lambda c: {"account": c})
FINANCIER = role("FINANCIER_ROLE")  # held by the financing contract only
TRIGGER = role("TRIGGER_ROLE")  # held by the financing contract only
REGISTRAR = role("REGISTRAR_ROLE", "registrar")
ORACLE = role("ORACLE_ROLE", "oracle")

#: The inherited OpenZeppelin admin functions, the same on every contract with roles.
ADMIN_RULES: dict[str, Rule] = {
    "grantRole": ADMIN_ONLY,
    "revokeRole": ADMIN_ONLY,
    "beginDefaultAdminTransfer": ADMIN_ONLY,
    "cancelDefaultAdminTransfer": ADMIN_ONLY,
    "changeDefaultAdminDelay": ADMIN_ONLY,
    "rollbackDefaultAdminDelay": ADMIN_ONLY,
    # only the pending admin may accept, and there is none
    "acceptDefaultAdminTransfer": Rule(
        (), "AccessControlInvalidDefaultAdmin", lambda c: {"defaultAdmin": c}
    ),
    # an account renounces only its own roles
    "renounceRole": Rule((), "AccessControlBadConfirmation", lambda c: {}),
}
ERC20 = "ERC-20: moves only the caller's own balance or allowance"

MATRIX: dict[str, dict[str, Rule]] = {
    "SettlementToken": {
        "mint": role("MINTER_ROLE", "admin"),
        "approve": anyone(ERC20),
        "transfer": anyone(ERC20),
        "transferFrom": anyone(ERC20),
    },
    "SupplierRegistry": {
        "register": REGISTRAR,
        "suspend": REGISTRAR,
        "reinstate": REGISTRAR,
        "unqualify": REGISTRAR,
        "readmit": REGISTRAR,
        "rate": role("RATER_ROLE", "rater"),
        "attest": role("RATER_ROLE", "rater"),
        "publishScore": role("RATER_ROLE", "rater"),
        "markDisrupted": TRIGGER,
        "markRecovered": TRIGGER,
        "setRegion": REGISTRAR,
        "declareInputs": REGISTRAR,
        "commitCapacity": TRIGGER,
        "releaseCapacity": TRIGGER,
        "qualify": anyone("a supplier opts itself in; it must be Active and make the part"),
        "withdrawQualification": anyone("a substitute withdraws only its own opt-in"),
    },
    "FundLedger": {
        "createProject": role("CREATOR_ROLE", "admin"),
        "approveMilestone": role("REVIEWER_ROLE", "reviewer"),
        "approvePayment": role("REVIEWER_ROLE", "reviewer"),
        "approveReallocation": role("REVIEWER_ROLE", "reviewer"),
        "setTeamWallet": role("REVIEWER_ROLE", "reviewer"),
        "disburse": OWNER,
        "disburseBatch": OWNER,
        "proposeReallocation": OWNER,
        "closeProject": Rule(
            ("chipco", "admin"), "LedgerNotProjectOwner", lambda c: {"project": P, "account": c}
        ),
        "reserve": FINANCIER,
        "release": FINANCIER,
        "payReservation": FINANCIER,
        "setOffReservation": FINANCIER,
        "payPoolFromReservation": FINANCIER,
        "recordRecovery": FINANCIER,
        "pause": ADMIN_ONLY,
        "unpause": ADMIN_ONLY,
        "fund": anyone("a funder deposits its own tokens"),
        "claim": anyone("a funder claims only its own share, of a closed project"),
        "repayRecovery": anyone("anyone may repay a debtor's recovery with its own tokens"),
    },
    "FinancingPolicy": {"setPolicy": ADMIN_ONLY, "setStageTerms": ADMIN_ONLY},
    "FinancingPool": {
        "openFacility": FINANCIER,
        "collect": FINANCIER,
        "approve": anyone(ERC20),
        "transfer": anyone(ERC20),
        "transferFrom": anyone(ERC20),
        "deposit": anyone("ERC-4626: a depositor brings its own tokens"),
        "mint": anyone("ERC-4626: a depositor brings its own tokens"),
        "withdraw": anyone("ERC-4626: only the owner's shares, or an allowance, and idle cash"),
        "redeem": anyone("ERC-4626: only the owner's shares, or an allowance, and idle cash"),
    },
    "SubstituteFinancing": {
        "reportDisruption": ORACLE,
        "reportRecovery": ORACLE,
        "reportRegionalShock": ORACLE,
        "reportRegionRecovery": ORACLE,
        "processRegionalShock": anyone(
            "continues a regional shock that reached quorum; decides nothing new"
        ),
        "approveOrder": FIN_REVIEWER,
        "rejectDelivery": FIN_REVIEWER,
        "closeUndelivered": FIN_REVIEWER,
        "cancelOrder": FIN_OWNER,
        "acceptDelivery": FIN_OWNER,
        "registerOrder": FIN_OWNER,
        "recordDelivery": Rule(
            ("resist_a",), "FinancingNotOrderSupplier", lambda c: {"order": 1, "account": c}
        ),
        "processDisruption": anyone("continues a report that reached quorum; decides nothing new"),
        "settleOrder": anyone("pays by the order's rules: the pool first, then its supplier"),
        "collectFacility": anyone("collects a facility past its due date, by its terms"),
        "repay": anyone("a substitute (or anyone) repays a facility with its own tokens"),
    },
    "DisruptionLogic": {},
}


def functions(contract: str) -> dict[str, dict[str, Any]]:
    abi = load_artifact(contract)["abi"]
    return {
        f["name"]: f
        for f in abi
        if f["type"] == "function" and f["stateMutability"] in ("nonpayable", "payable")
    }


def rule_of(contract: str, name: str) -> Rule | None:
    return MATRIX[contract].get(name) or ADMIN_RULES.get(name)


def test_every_function_has_a_row() -> None:
    missing = [
        f"{contract}.{name}"
        for contract in CONTRACTS
        for name in functions(contract)
        if rule_of(contract, name) is None
    ]
    stale = [
        f"{contract}.{name}"
        for contract in CONTRACTS
        for name in MATRIX[contract]
        if name not in functions(contract)
    ]
    assert (missing, stale) == ([], [])


@pytest.fixture(scope="module")
def world(_shared_session: Session) -> Iterator[World]:
    """LITHO-14 with order 1 Open (resist_a) and order 2 delivered, awaiting acceptance; made
    once for the module (every call here is an `eth_call`) and undone after it."""
    tester = _shared_session.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    snapshot = tester.take_snapshot()
    aliases = _shared_session.workspace.get("aliases", {})
    w = setup_world(_shared_session)
    w.order(value=1_000_000_00)
    delivered = w.order(value=1_000_000_00)
    w.financing.record_delivery(delivered, "note")
    yield w
    tester.revert_to_snapshot(snapshot)
    _shared_session.workspace.put("aliases", aliases)


def arguments(world: World, contract: str, name: str, fn: dict[str, Any], caller: str) -> list[Any]:
    """Arguments that pass every check before the access check: the project, order 1 (order
    2 where a delivery must be pending), real accounts, the part, one unit."""
    s = world.session
    order = 2 if name in ("acceptDelivery", "rejectDelivery") else 1
    samples: dict[str, Any] = {
        "project": P,
        "id": P if contract == "FundLedger" else order,
        "part": to_bytes32(PART),
        "account": s.accounts.resolve("resist_a"),
        "supplier": s.accounts.resolve("resist_a"),
        "substitute": s.accounts.resolve("sub_hi"),
        # a role whose admin is the default admin (granting the default admin role itself
        # is refused to everyone, by a different error)
        "role": keccak(text="SOME_ROLE"),
        # another account's confirmation: renouncing is refused to every caller
        "callerConfirmation": s.accounts.resolve("resist_b"),
    }
    if name == "renounceRole":  # its second parameter is `account` on these contracts
        samples["account"] = s.accounts.resolve("resist_b")
    out = []
    for param in fn["inputs"]:
        key, kind = param["name"], param["type"]
        if key in samples:
            out.append(samples[key])
        elif kind == "address":
            out.append(s.accounts.resolve("resist_b"))
        elif kind.startswith("uint"):
            out.append(1)
        elif kind == "bool":
            out.append(True)
        elif kind == "bytes32":
            out.append(to_bytes32("MATERIALS") if key == "category" else keccak(text=key))
        elif kind == "bytes32[]":
            out.append([to_bytes32(PART)])
        elif kind == "string":
            out.append("")
        elif kind.startswith("tuple"):
            out.append(_tuple(world, param))
        else:  # pragma: no cover - a new parameter type needs a sample
            raise AssertionError(f"no sample for {contract}.{name}({kind} {key})")
    return out


def _tuple(world: World, param: dict[str, Any]) -> Any:
    if param["type"] == "tuple[4]":  # setStageTerms's stages: the defaults
        return [([0, 0, 0], 0)] * 4
    if param["type"] == "tuple[]":  # disburseBatch's payments
        return [(world.a("resist_a"), 1, to_bytes32("MATERIALS"), 0, bytes(32), "")]
    if param["internalType"].endswith("ProjectSpec"):
        return (
            to_bytes32("NEW-1"),
            world.a("chipco"),
            [to_bytes32("M")],
            [100],
            [0],
            [100],
            (100, 0, 10_000, 0),
            True,
        )
    # the policy in force, so that only the caller is wrong
    return world.financing._policy_contract().functions.current().call()


ROWS = [
    (contract, name)
    for contract in CONTRACTS
    for name in functions(contract)
    if (rule := rule_of(contract, name)) is not None and rule.error is not None
]


@pytest.mark.parametrize(("contract", "name"), ROWS, ids=lambda v: str(v))
def test_every_caller_without_the_right_is_refused_by_name(
    world: World, contract: str, name: str
) -> None:
    rule = rule_of(contract, name)
    assert rule is not None and rule.error is not None and rule.args is not None
    s = world.session
    fn = functions(contract)[name]
    bound = s.w3.eth.contract(
        address=s.deployment().contracts[contract].address, abi=load_artifact(contract)["abi"]
    )
    refused = []
    for caller in CALLERS:
        if caller in rule.allowed:
            continue
        sender = s.accounts.resolve(caller)
        args = arguments(world, contract, name, fn, caller)
        try:
            getattr(bound.functions, name)(*args).call({"from": sender})
        except Exception as exc:  # noqa: BLE001 - decoded by the session, as the client does
            decoded = s.decode(exc)
            got = (
                (decoded.error_name, decoded.arguments)
                if isinstance(decoded, ContractRevert)
                else repr(exc)[:200]
            )
        else:
            got = "succeeded"
        refused.append((caller, got))
    assert refused == [(c, (rule.error, rule.args(s.accounts.resolve(c)))) for c, _ in refused]
