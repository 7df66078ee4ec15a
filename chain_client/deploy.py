"""Deploy scf's contracts with their roles wired, and record the deployment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils import keccak

from .artifacts import libraries_of, linked_bytecode, load_artifact
from .errors import DeploymentError
from .models import ContractRecord, Deployment
from .roles import DEPLOY_GRANTS, ROLES, WIRING, role_id
from .session import Session
from .units import parse_address

TOKEN_NAME = "scf Settlement Token"
TOKEN_SYMBOL = "SCF"
#: Delay before a proposed new admin may take the admin role (two-step transfer).
DEFAULT_ADMIN_DELAY = 2 * 86400
ERC20_MIN_ABI = [
    {
        "type": "function",
        "name": "decimals",
        "inputs": [],
        "outputs": [{"type": "uint8", "name": ""}],
        "stateMutability": "view",
    },
    {
        "type": "function",
        "name": "totalSupply",
        "inputs": [],
        "outputs": [{"type": "uint256", "name": ""}],
        "stateMutability": "view",
    },
]

Progress = Callable[[str], None]


def _artifact_hash(name: str) -> str:
    """keccak256 of the artifact's creation bytecode as shipped (library slots unlinked)."""
    return "0x" + keccak(text=load_artifact(name)["bytecode"]).hex()


def _check_external_token(session: Session, address: str) -> ChecksumAddress:
    token = parse_address(address, field="--token")
    if not session.w3.eth.get_code(token):
        raise DeploymentError(f"--token {token} has no contract code on chain {session.chain_id}")
    contract = session.w3.eth.contract(address=token, abi=ERC20_MIN_ABI)
    try:
        decimals = contract.functions.decimals().call()
        contract.functions.totalSupply().call()
    except Exception:  # noqa: BLE001 - any failure means it is not a usable ERC-20
        raise DeploymentError(f"--token {token} does not answer as an ERC-20") from None
    if decimals != 2:
        raise DeploymentError(
            f"--token {token} has {decimals} decimals; scf's amounts need a 2-decimal token"
        )
    return token


def deploy(
    session: Session,
    *,
    token: str | None = None,
    force: bool = False,
    admin: str = "admin",
    admin_delay: int = DEFAULT_ADMIN_DELAY,
    progress: Progress | None = None,
) -> Deployment:
    """Deploy every contract, grant each role to its alias, record it for this chain id.

    Refuses when a live deployment is recorded, unless `force`. With `token`, an existing
    2-decimal ERC-20 is used instead of deploying SettlementToken.
    """
    note = progress or (lambda _text: None)
    existing = session.find_deployment()
    if existing is not None and session.is_live(existing) and not force:
        raise DeploymentError(
            f"chain {session.chain_id} already has a live deployment (block {existing.block})",
            hint="use --force to deploy a new one over it",
        )
    external_token = _check_external_token(session, token) if token else None
    admin_address = session.accounts.resolve(admin)
    contracts: dict[str, ContractRecord] = {}

    def deploy_one(name: str, *args: Any) -> None:
        note(f"deploying {name}")
        artifact = load_artifact(name)
        libraries = {lib: contracts[lib].address for lib in libraries_of(name) if lib in contracts}
        factory = session.w3.eth.contract(
            abi=artifact["abi"], bytecode=linked_bytecode(name, libraries)
        )
        result, receipt = session.transact(factory.constructor(*args), admin)
        address = receipt["contractAddress"]
        assert address is not None, "a contract creation receipt names the contract"
        contracts[name] = ContractRecord(
            address=address,
            block=result.block,
            tx_hash=result.tx_hash,
            artifact_hash=_artifact_hash(name),
        )

    if external_token is None:
        deploy_one("SettlementToken", TOKEN_NAME, TOKEN_SYMBOL, admin_delay, admin_address)
    else:
        contracts["SettlementToken"] = ContractRecord(
            address=external_token, block=session.w3.eth.block_number
        )
    deploy_one("FinancingPolicy", admin_delay, admin_address)
    deploy_one("SupplierRegistry", contracts["FinancingPolicy"].address, admin_delay, admin_address)
    deploy_one(
        "FundLedger",
        contracts["SettlementToken"].address,
        contracts["SupplierRegistry"].address,
        admin_delay,
        admin_address,
    )
    deploy_one("FinancingPool", contracts["SettlementToken"].address, admin_delay, admin_address)
    deploy_one("DisruptionLogic")
    deploy_one(
        "SubstituteFinancing",
        contracts["SettlementToken"].address,
        contracts["SupplierRegistry"].address,
        contracts["FundLedger"].address,
        contracts["FinancingPool"].address,
        contracts["FinancingPolicy"].address,
        admin_delay,
        admin_address,
    )

    def bind(name: str) -> Any:
        return session.w3.eth.contract(
            address=contracts[name].address, abi=load_artifact(name)["abi"]
        )

    for holder, constant, grantee in WIRING:
        note(f"wiring {grantee} into {holder}")
        grant = bind(holder).functions.grantRole(keccak(text=constant), contracts[grantee].address)
        session.transact(grant, admin)

    if session.is_test_chain:
        for role, alias in DEPLOY_GRANTS.items():
            contract_name = ROLES[role][0]
            if contract_name == "SettlementToken" and external_token is not None:
                continue
            note(f"granting {role} to {alias}")
            grant = bind(contract_name).functions.grantRole(
                role_id(role), session.accounts.resolve(alias)
            )
            session.transact(grant, admin)

    first = load_artifact("SupplierRegistry")
    deployment = Deployment(
        chain_id=session.chain_id,
        contracts=contracts,
        block=min(c.block for c in contracts.values()),
        deployer=admin_address,
        token_external=external_token is not None,
        source_hash=first["sourceHash"],
        compiler=first["compiler"],
        admin_delay=admin_delay,
        deployed_at=datetime.now(tz=UTC),
    )
    session.record_deployment(deployment)
    return deployment
