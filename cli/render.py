"""Rich renderings of client records, shared by several commands."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table

from chain_client.models import Deployment, SupplierRecord
from chain_client.session import Session
from chain_client.units import format_amount

from .common import table


def deployment_table(deployment: Deployment) -> Table:
    rows = [(name, record.address, record.block) for name, record in deployment.contracts.items()]
    title = f"deployment on chain {deployment.chain_id}" + (
        " (existing token)" if deployment.token_external else ""
    )
    return table(title, ["contract", "address", "block"], rows)


def suppliers_table(session: Session, suppliers: list[SupplierRecord]) -> Table:
    rows = [
        (
            session.name_of(s.address),
            s.name,
            ", ".join(s.parts),
            format_amount(s.capacity, grouping=True),
            format_amount(s.committed, grouping=True),
            s.score,
            s.status,
        )
        for s in suppliers
    ]
    return table(
        None, ["supplier", "name", "parts", "capacity", "committed", "score", "status"], rows
    )


def supplier_detail(session: Session, s: SupplierRecord, substitute_for: list[str]) -> Group:
    rows = [
        ("address", s.address),
        ("alias", session.accounts.name_of(s.address) or "-"),
        ("name", s.name),
        ("parts", ", ".join(s.parts)),
        ("capacity", format_amount(s.capacity, grouping=True)),
        ("committed", format_amount(s.committed, grouping=True)),
        ("credit score", s.score),
        ("status", s.status),
        ("registered", s.registered_at.isoformat()),
        ("substitute for", ", ".join(substitute_for) or "-"),
    ]
    return Group(table(None, ["field", "value"], rows))
