"""Revert data decodes into named errors with arguments and readable messages."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, keccak

from chain_client.errors import ContractRevert, UnknownRevert
from chain_client.revert import decode_revert, error_table, revert_data


def _data(signature: str, types: list[str], values: list) -> bytes:  # type: ignore[type-arg]
    return function_signature_to_4byte_selector(signature) + encode(types, values)


def test_every_custom_error_of_the_contracts_is_known() -> None:
    names = {entry["name"] for entry in error_table().values()}
    assert {
        "RegistrySupplierExists",
        "RegistryScoreOutOfRange",
        "RegistrySubstituteListFull",
        "AccessControlUnauthorizedAccount",
        "ERC20InsufficientBalance",
    } <= names


def test_a_custom_error_decodes_with_its_arguments_and_aliases() -> None:
    supplier = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
    data = _data("RegistrySupplierUnknown(address)", ["address"], [supplier])
    error = decode_revert(data, namer=lambda a: "resist_a" if a == supplier else a)
    assert isinstance(error, ContractRevert)
    assert error.error_name == "RegistrySupplierUnknown"
    assert error.arguments == {"supplier": supplier}
    assert str(error).startswith("resist_a is not a registered supplier")


def test_role_hashes_and_amounts_read_as_words() -> None:
    data = _data(
        "AccessControlUnauthorizedAccount(address,bytes32)",
        ["address", "bytes32"],
        ["0x" + "11" * 20, keccak(text="RATER_ROLE")],
    )
    assert "does not hold the rater role" in str(decode_revert(data))
    data = _data(
        "ERC20InsufficientBalance(address,uint256,uint256)",
        ["address", "uint256", "uint256"],
        ["0x" + "11" * 20, 120_000_000, 300_000_000],
    )
    assert "holds 1,200,000.00; 3,000,000.00 needed" in str(decode_revert(data))


def test_error_string_panic_and_unknown_data() -> None:
    assert decode_revert(_data("Error(string)", ["string"], ["nope"])).arguments == {
        "reason": "nope"
    }  # type: ignore[union-attr]
    assert "arithmetic overflow" in str(decode_revert(_data("Panic(uint256)", ["uint256"], [0x11])))
    assert isinstance(decode_revert(b"\xde\xad\xbe\xef"), UnknownRevert)


def test_revert_data_is_found_in_eth_tester_and_node_exceptions() -> None:
    raw = b"\xe2Q}?" + b"\x00" * 32

    class TransactionFailed(Exception):
        pass

    class ContractCustomError(Exception):
        def __init__(self, message: str, data: str) -> None:
            super().__init__(message)
            self.data = data

    assert revert_data(TransactionFailed(f"execution reverted: {raw!r}")) == raw
    assert revert_data(ContractCustomError("0xe2", "0x" + raw.hex())) == raw
    assert revert_data(ValueError("something else")) is None


def test_payment_run_and_books_errors_read_as_sentences() -> None:
    types = ["bytes32", "bytes32", "uint256", "uint256"]
    run = [b"LITHO-14".ljust(32, b"\0"), b"2026-12".ljust(32, b"\0")]
    gap = _data("LedgerBatchOutOfOrder(bytes32,bytes32,uint256,uint256)", types, [*run, 5, 3])
    assert str(decode_revert(gap)) == (
        "run 2026-12 of LITHO-14 has 3 payments paid: its next batch starts at payment 4, not 6"
    )
    again = _data("LedgerBatchAlreadyPaid(bytes32,bytes32,uint256,uint256)", types, [*run, 0, 3])
    assert str(decode_revert(again)) == (
        "payment 1 of run 2026-12 of LITHO-14 is paid already: the run's first 3 payments are "
        "(pay the file again: it skips what is paid)"
    )
    books = _data("FinancingBooksDisagree(uint256)", ["uint256"], [7])
    assert str(decode_revert(books)).startswith(
        "the pool's or the ledger's books for order 7 differ from the financing contract's; "
        "nothing moved"
    )
