"""SupplierRegistry: onboarding, ratings, status changes and opt-in substitute lists."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain_client.contracts import Registry
from chain_client.errors import ContractRevert, InputError
from chain_client.session import Session
from chain_client.units import to_bytes32
from tests.conftest import all_event_names, assert_revert, events

REGISTRAR = keccak(text="REGISTRAR_ROLE")
RATER = keccak(text="RATER_ROLE")
PART = to_bytes32("ARF_RESIST")
ACTIVE, DISRUPTED, SUSPENDED = 1, 2, 3


def account(session: Session, index: int) -> str:
    return session.accounts.test_accounts[index]


def register(
    session: Session, index: int, parts: list[str] | None = None, capacity: int = 500_000_00
) -> str:
    address = account(session, index)
    Registry(session).register(address, f"Supplier {index}", parts or ["ARF_RESIST"], capacity)
    return address


def test_register_records_the_supplier_and_emits_its_events(session: Session) -> None:
    registry = Registry(session)
    supplier = account(session, 8)
    result = registry.register(supplier, "Resist A", ["ARF_RESIST", "KRF_RESIST"], 8_000_000_00)
    assert events(session, result.tx_hash, registry.contract, "SupplierRegistered") == [
        {
            "supplier": supplier,
            "name": to_bytes32("Resist A"),
            "parts": [PART, to_bytes32("KRF_RESIST")],
            "capacity": 8_000_000_00,
        }
    ]
    assert events(session, result.tx_hash, registry.contract, "SupplierStatusChanged") == [
        {"supplier": supplier, "previous": 0, "current": ACTIVE}
    ]
    assert all_event_names(session, result.tx_hash, [registry.contract]) == [
        "SupplierRegistered",
        "SupplierStatusChanged",
    ]
    record = registry.supplier(supplier)
    assert (
        record.name,
        record.parts,
        record.capacity,
        record.committed,
        record.score,
        record.status,
    ) == ("Resist A", ["ARF_RESIST", "KRF_RESIST"], 8_000_000_00, 0, 0, "Active")
    assert [s.address for s in registry.suppliers()] == [supplier]


def test_register_reverts_when_the_supplier_exists(session: Session) -> None:
    supplier = register(session, 8)
    with pytest.raises(ContractRevert) as excinfo:
        register(session, 8)
    assert_revert(excinfo, "RegistrySupplierExists", supplier=supplier)


def test_register_reverts_for_the_zero_address(session: Session) -> None:
    with pytest.raises(ContractRevert) as excinfo:
        Registry(session).register("0x" + "00" * 20, "Nobody", ["ARF_RESIST"], 1)
    assert_revert(excinfo, "RegistryZeroAddress")


@pytest.mark.parametrize("count", [0, 17])
def test_register_reverts_when_the_part_count_is_out_of_bounds(
    session: Session, count: int
) -> None:
    registry = Registry(session)
    parts = [to_bytes32(f"P{i}") for i in range(count)]
    fn = registry.contract.functions.register(account(session, 8), to_bytes32("A"), parts, 1)
    with pytest.raises(ContractRevert) as excinfo:
        session.transact(fn, "registrar")
    assert_revert(excinfo, "RegistryPartCountInvalid", count=count, max=16)


def test_register_reverts_on_a_duplicate_part_and_an_empty_name(session: Session) -> None:
    registry = Registry(session)
    duplicate = registry.contract.functions.register(
        account(session, 8), to_bytes32("A"), [PART, PART], 1
    )
    with pytest.raises(ContractRevert) as excinfo:
        session.transact(duplicate, "registrar")
    assert_revert(excinfo, "RegistryDuplicatePart", part=PART)
    unnamed = registry.contract.functions.register(account(session, 8), b"\x00" * 32, [PART], 1)
    with pytest.raises(ContractRevert) as excinfo:
        session.transact(unnamed, "registrar")
    assert_revert(excinfo, "RegistryEmptyIdentifier")


def test_register_reverts_for_a_non_registrar(session: Session) -> None:
    with pytest.raises(ContractRevert) as excinfo:
        Registry(session).register(account(session, 8), "A", ["ARF_RESIST"], 1, sender="rater")
    assert_revert(
        excinfo,
        "AccessControlUnauthorizedAccount",
        account=session.accounts.resolve("rater"),
        neededRole=REGISTRAR,
    )
    assert Registry(session).suppliers() == []


def test_rate_sets_the_score_and_emits_supplier_rated(session: Session) -> None:
    registry = Registry(session)
    supplier = register(session, 8)
    first = registry.rate(supplier, 820)
    second = registry.rate(supplier, 1000)
    assert events(session, first.tx_hash, registry.contract, "SupplierRated") == [
        {"supplier": supplier, "previousScore": 0, "score": 820}
    ]
    assert events(session, second.tx_hash, registry.contract, "SupplierRated") == [
        {"supplier": supplier, "previousScore": 820, "score": 1000}
    ]
    assert registry.supplier(supplier).score == 1000


def test_rate_reverts_above_1000_unknown_supplier_and_non_rater(session: Session) -> None:
    registry = Registry(session)
    supplier = register(session, 8)
    with pytest.raises(ContractRevert) as excinfo:
        session.transact(registry.contract.functions.rate(supplier, 1001), "rater")
    assert_revert(excinfo, "RegistryScoreOutOfRange", score=1001)
    with pytest.raises(ContractRevert) as excinfo:
        registry.rate(account(session, 9), 500)
    assert_revert(excinfo, "RegistrySupplierUnknown", supplier=account(session, 9))
    with pytest.raises(ContractRevert) as excinfo:
        registry.rate(supplier, 500, sender="registrar")
    assert_revert(
        excinfo,
        "AccessControlUnauthorizedAccount",
        account=session.accounts.resolve("registrar"),
        neededRole=RATER,
    )
    assert registry.supplier(supplier).score == 0


def test_suspend_and_reinstate_move_status_with_events(session: Session) -> None:
    registry = Registry(session)
    supplier = register(session, 8)
    suspended = registry.suspend(supplier)
    assert events(session, suspended.tx_hash, registry.contract, "SupplierStatusChanged") == [
        {"supplier": supplier, "previous": ACTIVE, "current": SUSPENDED}
    ]
    assert registry.supplier(supplier).status == "Suspended"
    reinstated = registry.reinstate(supplier)
    assert events(session, reinstated.tx_hash, registry.contract, "SupplierStatusChanged") == [
        {"supplier": supplier, "previous": SUSPENDED, "current": ACTIVE}
    ]
    assert registry.supplier(supplier).status == "Active"


def test_status_changes_revert_when_not_allowed(session: Session) -> None:
    registry = Registry(session)
    supplier = register(session, 8)
    with pytest.raises(ContractRevert) as excinfo:
        registry.reinstate(supplier)
    assert_revert(excinfo, "RegistryStatusInvalid", supplier=supplier, current=ACTIVE)
    registry.suspend(supplier)
    with pytest.raises(ContractRevert) as excinfo:
        registry.suspend(supplier)
    assert_revert(excinfo, "RegistryStatusInvalid", supplier=supplier, current=SUSPENDED)
    with pytest.raises(ContractRevert) as excinfo:
        registry.suspend(supplier, sender="rater")
    assert excinfo.value.error_name == "AccessControlUnauthorizedAccount"


def test_qualify_is_sent_by_the_supplier_itself_and_appends_in_order(session: Session) -> None:
    registry = Registry(session)
    first, second = register(session, 8), register(session, 9)
    result = registry.qualify("ARF_RESIST", "30d", supplier=second)
    registry.qualify("ARF_RESIST", "30d", supplier=first)
    assert events(session, result.tx_hash, registry.contract, "SubstituteQualified") == [
        {"part": PART, "supplier": second, "position": 0, "leadDays": 30, "termsVersion": 1}
    ]
    assert registry.substitutes("ARF_RESIST") == [second, first]


def test_qualify_cannot_be_sent_on_a_suppliers_behalf(session: Session) -> None:
    registry = Registry(session)
    register(session, 8)
    with pytest.raises(ContractRevert) as excinfo:
        registry.qualify("ARF_RESIST", "30d", supplier="registrar")
    assert_revert(
        excinfo, "RegistrySupplierUnknown", supplier=session.accounts.resolve("registrar")
    )
    assert registry.substitutes("ARF_RESIST") == []


def test_qualify_reverts_for_an_unsupplied_part_or_when_not_active(session: Session) -> None:
    registry = Registry(session)
    supplier = register(session, 8)
    with pytest.raises(ContractRevert) as excinfo:
        registry.qualify("KRF_RESIST", "30d", supplier=supplier)
    assert_revert(
        excinfo, "RegistryPartNotSupplied", supplier=supplier, part=to_bytes32("KRF_RESIST")
    )
    other = register(session, 9)
    registry.suspend(other)
    with pytest.raises(ContractRevert) as excinfo:
        registry.qualify("ARF_RESIST", "30d", supplier=other)
    assert_revert(excinfo, "RegistryStatusInvalid", supplier=other, current=SUSPENDED)


def test_qualify_reverts_when_the_list_holds_sixteen(session: Session) -> None:
    registry = Registry(session)
    for index in range(10, 26):
        registry.qualify("ARF_RESIST", "30d", supplier=register(session, index))
    seventeenth = register(session, 26)
    with pytest.raises(ContractRevert) as excinfo:
        registry.qualify("ARF_RESIST", "30d", supplier=seventeenth)
    assert_revert(excinfo, "RegistrySubstituteListFull", part=PART, max=16)
    assert len(registry.substitutes("ARF_RESIST")) == 16


def test_withdraw_keeps_the_order_of_the_others(session: Session) -> None:
    registry = Registry(session)
    a, b, c = register(session, 8), register(session, 9), register(session, 10)
    for supplier in (a, b, c):
        registry.qualify("ARF_RESIST", "30d", supplier=supplier)
    result = registry.withdraw_qualification("ARF_RESIST", supplier=a)
    assert events(session, result.tx_hash, registry.contract, "SubstituteWithdrawn") == [
        {"part": PART, "supplier": a}
    ]
    assert registry.substitutes("ARF_RESIST") == [b, c]
    with pytest.raises(ContractRevert) as excinfo:
        registry.withdraw_qualification("ARF_RESIST", supplier=a)
    assert_revert(excinfo, "RegistryNotQualified", supplier=a, part=PART)


def test_qualify_needs_a_lead_time_of_one_day_to_the_policy_maximum(session: Session) -> None:
    registry = Registry(session)
    supplier = register(session, 8)
    raw = registry.contract.functions.qualify(PART, 0, 1)
    with pytest.raises(ContractRevert) as excinfo:
        session.transact(raw, supplier)
    assert_revert(excinfo, "RegistryLeadTimeOutOfRange", leadDays=0, max=365)
    with pytest.raises(ContractRevert) as excinfo:
        registry.qualify("ARF_RESIST", "366d", supplier=supplier)
    assert_revert(excinfo, "RegistryLeadTimeOutOfRange", leadDays=366, max=365)
    registry.qualify("ARF_RESIST", "365d", supplier=supplier)
    assert registry.candidates("ARF_RESIST")[0].lead_days == 365


@pytest.mark.parametrize("bad", ["0d", "12h", "36h", "-3d", "soon"])
def test_a_lead_time_that_is_not_whole_days_is_refused_before_sending(
    session: Session, bad: str
) -> None:
    registry = Registry(session)
    supplier = register(session, 8)
    block = session.w3.eth.block_number
    with pytest.raises(InputError):
        registry.qualify("ARF_RESIST", bad, supplier=supplier)
    assert session.w3.eth.block_number == block


def test_qualifying_again_reconfirms_in_place(session: Session) -> None:
    from chain_client.contracts import Financing

    registry = Registry(session)
    a, b = register(session, 8), register(session, 9)
    registry.qualify("ARF_RESIST", "30d", supplier=a)
    registry.qualify("ARF_RESIST", "40d", supplier=b)
    Financing(session).set_policy({"margin_bps": 200})  # a new terms version
    result = registry.qualify("ARF_RESIST", "20d", supplier=a)
    assert events(session, result.tx_hash, registry.contract, "SubstituteQualified") == [
        {"part": PART, "supplier": a, "position": 0, "leadDays": 20, "termsVersion": 2}
    ]
    assert [
        (c.address, c.lead_days, c.terms_version) for c in registry.candidates("ARF_RESIST")
    ] == [
        (a, 20, 2),
        (b, 40, 1),
    ]


def test_the_registrar_removes_a_substitute_and_the_others_keep_their_order(
    session: Session,
) -> None:
    registry = Registry(session)
    a, b, c = register(session, 8), register(session, 9), register(session, 10)
    for supplier in (a, b, c):
        registry.qualify("ARF_RESIST", "30d", supplier=supplier)
    with pytest.raises(ContractRevert) as excinfo:
        registry.unqualify("ARF_RESIST", b, sender="rater")
    assert excinfo.value.error_name == "AccessControlUnauthorizedAccount"
    result = registry.unqualify("ARF_RESIST", b)
    assert events(session, result.tx_hash, registry.contract, "SubstituteRemoved") == [
        {
            "part": PART,
            "supplier": b,
            "reason": to_bytes32("UNQUALIFIED"),
            "by": session.accounts.resolve("registrar"),
        }
    ]
    assert registry.substitutes("ARF_RESIST") == [a, c]
    with pytest.raises(ContractRevert) as excinfo:
        registry.unqualify("ARF_RESIST", b)
    assert_revert(excinfo, "RegistryNotQualified", supplier=b, part=PART)
    with pytest.raises(ContractRevert) as excinfo:  # barred until the registrar readmits it
        registry.qualify("ARF_RESIST", "30d", supplier=b)
    assert_revert(excinfo, "RegistrySubstituteBarred", supplier=b, part=PART)
    with pytest.raises(ContractRevert) as excinfo:
        registry.readmit("ARF_RESIST", c)
    assert_revert(excinfo, "RegistryNotBarred", supplier=c, part=PART)
    readmitted = registry.readmit("ARF_RESIST", b)
    assert events(session, readmitted.tx_hash, registry.contract, "SubstituteReadmitted") == [
        {"part": PART, "supplier": b, "by": session.accounts.resolve("registrar")}
    ]
    registry.qualify("ARF_RESIST", "30d", supplier=b)  # may opt in again, at the end
    assert registry.substitutes("ARF_RESIST") == [a, c, b]


def test_a_suspended_supplier_loses_every_slot(session: Session) -> None:
    registry = Registry(session)
    both = register(session, 8, ["ARF_RESIST", "KRF_RESIST"])
    other = register(session, 9, ["ARF_RESIST", "KRF_RESIST"])
    for part in ("ARF_RESIST", "KRF_RESIST"):
        registry.qualify(part, "30d", supplier=both)
        registry.qualify(part, "30d", supplier=other)
    result = registry.suspend(both)
    removed = events(session, result.tx_hash, registry.contract, "SubstituteRemoved")
    assert removed == [
        {
            "part": to_bytes32(part),
            "supplier": both,
            "reason": to_bytes32("SUSPENDED"),
            "by": session.accounts.resolve("registrar"),
        }
        for part in ("ARF_RESIST", "KRF_RESIST")
    ]
    assert registry.substitutes("ARF_RESIST") == [other]
    assert registry.substitutes("KRF_RESIST") == [other]
    registry.reinstate(both)
    assert registry.substitutes("ARF_RESIST") == [other]  # reinstated, it opts in again
