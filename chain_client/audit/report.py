"""Run the audit: collect events, rebuild the books, check them against on-chain state."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from ..contracts import Ledger, Pool, Token
from ..credit.verify import published_score_failures
from ..models import Amount
from ..session import Session
from .books import Books, build_books
from .checks import Check, Finding, check_conservation, check_holdings, check_rules, patterns
from .collect import Progress, collect
from .replay import replay


class ProjectSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    project: str
    funded: Amount
    disbursed: Amount
    reserved: Amount
    refunded: Amount
    recovered: Amount
    balance: Amount
    funders: dict[str, Amount]
    by_category: dict[str, Amount]
    by_payee: dict[str, Amount]


class SupplierSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    supplier: str
    name: str
    received: Amount
    advances: Amount
    orders: list[int]
    facilities: list[int]


class PoolSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    deposits: Amount
    withdrawals: Amount
    advances: Amount
    repaid_principal: Amount
    interest: Amount
    outstanding: Amount
    cash: Amount
    share_price: str


class EpisodeDecisions(BaseModel):
    """One trigger call replayed: each order's decision in words."""

    model_config = ConfigDict(frozen=True)

    block: int
    supplier: str
    episode: int
    orders: dict[int, list[str]]


class AuditReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    chain_id: int
    from_block: int
    to_block: int
    events: int
    movements: int
    decisions: int
    episodes: list[EpisodeDecisions] = []
    clean: bool
    checks: list[Check]
    findings: list[Finding]
    patterns: list[Finding]
    projects: list[ProjectSummary]
    suppliers: list[SupplierSummary]
    pool: PoolSummary


def audit_books(
    session: Session, *, progress: Progress | None = None
) -> tuple[list[dict[str, Any]], Books]:
    rows = collect(session, progress=progress)
    addresses = {n: r.address for n, r in session.deployment().contracts.items()}
    return rows, build_books(rows, addresses)


def run_audit(session: Session, *, progress: Progress | None = None) -> AuditReport:
    """The full audit of the session's deployment up to the latest block."""
    return audit_with_books(session, progress=progress)[0]


def audit_with_books(
    session: Session, *, progress: Progress | None = None
) -> tuple[AuditReport, Books]:
    """The audit report and the books it was built from."""
    deployment = session.deployment()
    rows, books = audit_books(session, progress=progress)
    addresses = {n: r.address for n, r in deployment.contracts.items()}
    ledger, token, pool = Ledger(session), Token(session), Pool(session)
    views = {pid: ledger.project(pid).balance for pid in ledger.project_ids()}
    held = {
        name: token.balance_of(addresses[name])
        for name in ("FundLedger", "FinancingPool", "SubstituteFinancing")
    }
    pool_status = pool.status()
    checks = [check_conservation(books, views)]
    holding_checks, findings = check_holdings(books, held, pool_status.idle)
    checks += holding_checks + check_rules(rows, addresses)
    published = sum(1 for r in rows if r["event"] == "ScorePublished")
    score_failures = published_score_failures(
        rows, lambda block: int(session.w3.eth.get_block(block)["timestamp"]), session.name_of
    )
    checks.append(
        Check(
            name="published scores recompute",
            ok=not score_failures,
            detail=(
                f"{published} published score(s) recomputed from their inputs, all match"
                if not score_failures
                else f"{len(score_failures)} of {published} published scores do not recompute: "
                f"{score_failures[0]}"
            ),
            failures=score_failures,
        )
    )
    replayed = replay(rows, session.name_of)
    checks.append(
        Check(
            name="decisions replayed",
            ok=not replayed.disagreements,
            detail=(
                f"{replayed.decisions} decisions replayed from events, all agree"
                if not replayed.disagreements
                else f"{len(replayed.disagreements)} of {replayed.decisions} decisions "
                f"disagree: {replayed.disagreements[0]}"
            ),
            failures=[str(d) for d in replayed.disagreements],
        )
    )
    projects = [
        ProjectSummary(
            project=p.id,
            funded=p.funded,
            disbursed=p.disbursed,
            reserved=p.reserved,
            refunded=p.refunded,
            recovered=p.recovered,
            balance=p.balance,
            funders=dict(p.funded_by),
            by_category=dict(p.by_category),
            by_payee=dict(p.by_payee),
        )
        for p in books.projects.values()
    ]
    b = books.pool
    report = AuditReport(
        chain_id=session.chain_id,
        from_block=deployment.block,
        to_block=max((r["block"] for r in rows), default=deployment.block),
        events=len(rows),
        movements=len(books.movements),
        decisions=replayed.decisions,
        episodes=[
            EpisodeDecisions(
                block=c.block, supplier=c.supplier, episode=c.episode, orders=dict(c.orders)
            )
            for c in replayed.calls
        ],
        clean=all(c.ok for c in checks),
        checks=checks,
        findings=findings,
        patterns=patterns(rows, books, addresses),
        projects=projects,
        suppliers=[
            SupplierSummary(
                supplier=s.address,
                name=s.name,
                received=s.received,
                advances=s.advances,
                orders=s.orders,
                facilities=s.facilities,
            )
            for s in books.suppliers.values()
        ],
        pool=PoolSummary(
            deposits=b.deposits,
            withdrawals=b.withdrawals,
            advances=b.advances,
            repaid_principal=b.repaid_principal,
            interest=b.repaid_interest,
            outstanding=b.outstanding,
            cash=b.cash,
            share_price=pool_status.share_price,
        ),
    )
    return report, books


def explain_order(session: Session, order: int) -> list[str]:
    """The replay of one order's life, in words: registration, approvals, every trigger
    decision on it (candidates, reasons, terms), collections, settlement or closing."""
    rows = collect(session)
    return list(replay(rows, session.name_of).stories.get(order, []))
