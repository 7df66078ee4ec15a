"""Roles by name: which contract holds each, and granting, revoking and listing them."""

from __future__ import annotations

from eth_utils import keccak
from pydantic import BaseModel, ConfigDict

from .artifacts import load_artifact
from .errors import InputError, ScfError
from .models import TxResult
from .session import Session

#: role name -> (contract artifact, role constant). On test chains deploy grants each to the
#: alias of the same name (minter and creator to admin); financier and trigger go to the
#: financing contract.
ROLES: dict[str, tuple[str, str]] = {
    "minter": ("SettlementToken", "MINTER_ROLE"),
    "registrar": ("SupplierRegistry", "REGISTRAR_ROLE"),
    "rater": ("SupplierRegistry", "RATER_ROLE"),
    "trigger": ("SupplierRegistry", "TRIGGER_ROLE"),
    "creator": ("FundLedger", "CREATOR_ROLE"),
    "reviewer": ("FundLedger", "REVIEWER_ROLE"),
    "financier": ("FundLedger", "FINANCIER_ROLE"),
    "oracle": ("SubstituteFinancing", "ORACLE_ROLE"),
}
DEPLOY_GRANTS: dict[str, str] = {
    "minter": "admin",
    "registrar": "registrar",
    "rater": "rater",
    "creator": "admin",
    "reviewer": "reviewer",
    "oracle": "oracle",
}
#: Contract wiring granted on every chain: (contract holding the role, role constant) ->
#: the contract that gets it.
WIRING: list[tuple[str, str, str]] = [
    ("FundLedger", "FINANCIER_ROLE", "SubstituteFinancing"),
    ("FinancingPool", "FINANCIER_ROLE", "SubstituteFinancing"),
    ("SupplierRegistry", "TRIGGER_ROLE", "SubstituteFinancing"),
]


class RoleHolding(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str
    contract: str
    holders: list[str]


def role_id(role: str) -> bytes:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}: one of {', '.join(sorted(ROLES))}")
    return keccak(text=ROLES[role][1])


def _contract(session: Session, role: str):  # type: ignore[no-untyped-def]
    name = ROLES[role][0]
    deployment = session.deployment()
    if name not in deployment.contracts:
        raise InputError(f"role {role!r} belongs to {name}, which this deployment does not include")
    return session.w3.eth.contract(address=deployment.address(name), abi=load_artifact(name)["abi"])


def grant(session: Session, role: str, account: str, *, sender: str = "admin") -> TxResult:
    role_hash = role_id(role)
    fn = _contract(session, role).functions.grantRole(role_hash, session.accounts.resolve(account))
    return session.transact(fn, sender)[0]


def revoke(session: Session, role: str, account: str, *, sender: str = "admin") -> TxResult:
    role_hash = role_id(role)
    fn = _contract(session, role).functions.revokeRole(role_hash, session.accounts.resolve(account))
    return session.transact(fn, sender)[0]


def has_role(session: Session, role: str, account: str) -> bool:
    fn = _contract(session, role).functions.hasRole(
        role_id(role), session.accounts.resolve(account)
    )
    return bool(session.call(fn))


def holdings(session: Session) -> list[RoleHolding]:
    """For each role, which aliases hold it (AccessControl keeps no list of holders)."""
    deployment = session.deployment()
    aliases = list(session.accounts.all())
    out = []
    for role, (contract_name, _constant) in ROLES.items():
        if contract_name not in deployment.contracts:
            continue
        holders = [a for a in aliases if _safe_has_role(session, role, a)]
        out.append(RoleHolding(role=role, contract=contract_name, holders=holders))
    return out


def _safe_has_role(session: Session, role: str, alias: str) -> bool:
    try:
        return has_role(session, role, alias)
    except ScfError:  # an alias this chain cannot resolve holds nothing here
        return False
