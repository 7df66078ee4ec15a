"""Amounts, identifiers, addresses and durations, converted once at the edge.

Amounts are integers of the settlement token's smallest unit (fen, 2 decimals); people write
and read them as decimal strings such as "1250000.00", never floats. Identifiers are short
UTF-8 strings stored as right-padded `bytes32`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

from eth_typing import ChecksumAddress
from eth_utils import is_address, is_checksum_address, keccak, to_checksum_address

from .errors import InputError

DECIMALS = 2
_SCALE = 10**DECIMALS
# ASCII digits only (`\d` would also read Arabic-Indic and other digits), one optional point;
# no grouping separators, which read differently by locale ("1,5" and "1.000,00").
_AMOUNT = re.compile(r"^[0-9]{1,30}(\.[0-9]+)?$")
_DURATION = re.compile(r"^([0-9]{1,12})([smhdw]?)$")
#: The longest duration scf takes (a time advance, a due date): 100 years.
MAX_DURATION = 100 * 365 * 86_400
_DURATION_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_amount(text: str | int | Decimal, *, field: str = "amount") -> int:
    """Parse a non-negative decimal string with at most 2 decimals into smallest units.

    One grammar everywhere (CLI, scenario files, CSV): ASCII digits, one optional `.` and at
    most 2 decimals. Anything else is refused with a hint, never guessed at.
    """
    if isinstance(text, bool | float):
        raise InputError(f'{field} must be a decimal string such as "1250.00", not {text!r}')
    raw = text.strip() if isinstance(text, str) else str(text)
    if not _AMOUNT.match(raw):
        raise InputError(
            f"{field} {text!r} is not an amount",
            hint='write ASCII digits with one "." and at most 2 decimals, no grouping '
            'separators, e.g. "1250000.00"',
        )
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes these
        raise InputError(f"{field} {text!r} is not an amount") from exc
    scaled = value * _SCALE
    if scaled != scaled.to_integral_value():
        raise InputError(f"{field} {text!r} has more than {DECIMALS} decimals")
    return int(scaled)


def format_amount(units: int, *, grouping: bool = False) -> str:
    """Smallest units as a decimal string: 125000000 -> "1250000.00" ("1,250,000.00")."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), _SCALE)
    whole_text = f"{whole:,}" if grouping else str(whole)
    return f"{sign}{whole_text}.{frac:0{DECIMALS}d}"


def to_bytes32(text: str, *, field: str = "identifier") -> bytes:
    """A short UTF-8 identifier as right-padded bytes32 (at most 31 bytes, not empty)."""
    if not isinstance(text, str) or not text:
        raise InputError(f"{field} must be a non-empty text")
    if text != text.strip():
        raise InputError(f"{field} {text!r} has blanks around it; write it without")
    # one spelling per name: an accented letter typed composed or decomposed (as macOS file
    # names are) gives the same bytes, so a name that looks the same is the same on chain
    text = unicodedata.normalize("NFC", text)
    raw = text.encode("utf-8")
    if len(raw) > 31:
        raise InputError(f"{field} {text!r} is {len(raw)} bytes long; at most 31 are allowed")
    if b"\x00" in raw:
        raise InputError(f"{field} {text!r} contains a NUL character")
    return raw.ljust(32, b"\x00")


def from_bytes32(value: bytes) -> str:
    """The identifier stored in a bytes32 (right padding removed)."""
    return bytes(value).rstrip(b"\x00").decode("utf-8", errors="replace")


def parse_address(text: str, *, field: str = "address") -> ChecksumAddress:
    """A 0x-prefixed 20-byte hex address, checksummed; a wrong checksum is refused."""
    if not isinstance(text, str) or not is_address(text):
        raise InputError(f"{field} {text!r} is not an address (0x followed by 40 hex digits)")
    digits = text[2:]
    mixed_case = digits not in (digits.lower(), digits.upper())
    if mixed_case and not is_checksum_address(text):
        raise InputError(f"{field} {text!r} has a wrong checksum")
    return to_checksum_address(text)


def parse_duration(text: str | int, *, field: str = "duration") -> int:
    """A duration such as "30d", "12h", "90m", "45s", "2w" or a number of seconds."""
    match = None if isinstance(text, bool) else _DURATION.match(str(text).strip())
    if not match:
        raise InputError(f"{field} {text!r} is not a duration: use e.g. 30d, 12h, 90m or 45s")
    seconds = int(match.group(1)) * _DURATION_SECONDS[match.group(2)]
    if seconds > MAX_DURATION:
        raise InputError(f"{field} {text!r} is more than 100 years")
    return seconds


def parse_days(text: str | int, *, field: str = "lead time") -> int:
    """A duration in whole days ("45d", "2w"; a bare number is days), at least one day."""
    bare = isinstance(text, int) and not isinstance(text, bool)
    if bare or (isinstance(text, str) and text.strip().isdigit()):
        seconds = int(text) * 86_400
        if seconds > MAX_DURATION:
            raise InputError(f"{field} {text!r} is more than 100 years")
    else:
        seconds = parse_duration(text, field=field)
    if seconds == 0 or seconds % 86_400:
        raise InputError(f"{field} {text!r} must be a whole number of days, at least 1 (e.g. 45d)")
    return seconds // 86_400


#: The largest reference document read to hash (an invoice scan, a delivery note).
MAX_REFERENCE_BYTES = 64 * 2**20


def reference_hash(text: str | None) -> bytes:
    """keccak256 of a reference: of the text given, or of a file's bytes when given as @path.

    No reference (None or "") is the zero hash.
    """
    if not text:
        return b"\x00" * 32
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            # a document, not a device or a pipe (reading /dev/zero would never end)
            if not path.exists():
                raise InputError(f"cannot read reference file {path}: no such file")
            if not path.is_file():
                raise InputError(f"reference file {path} is not a regular file")
            if path.stat().st_size > MAX_REFERENCE_BYTES:
                raise InputError(
                    f"reference file {path} is over {MAX_REFERENCE_BYTES // 2**20} MiB; hash it "
                    "yourself and give the hash as text"
                )
            return keccak(path.read_bytes())
        except OSError as exc:
            raise InputError(f"cannot read reference file {path}: {exc.strerror}") from exc
    return keccak(text.encode("utf-8"))
