// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IFinancingPool} from "./interfaces/IFinancingPool.sol";

/// @title FinancingPool
/// @notice Bank-funded ERC-4626 pool for substitute advances (OpenZeppelin's vault, with its
/// virtual-share guard against inflation attacks). Facility values are kept as two running
/// totals, "owed" (principal + interest) and "written down", each a value and a slope per
/// second. Slope changes happen only at UTC midnights (due dates are rounded up to one), so
/// bringing the totals up to date walks the days elapsed since the last update, never the
/// facilities. Values are scaled by YEAR x BPS so that simple interest is exact.
contract FinancingPool is ERC4626, AccessControlDefaultAdminRules, IFinancingPool {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role of the financing contract: books, collects and writes off facilities.
    bytes32 public constant FINANCIER_ROLE = keccak256("FINANCIER_ROLE");
    uint256 private constant DAY = 1 days;
    uint256 private constant BPS = 10_000;
    uint256 private constant SCALE = 365 days * BPS;

    /// @dev Five slots; the residual is below the grace period in seconds.
    struct Facility {
        uint256 principal;
        uint256 owed0;
        uint256 writtenDown0;
        uint256 wdSlope;
        uint64 t0;
        uint64 due;
        uint64 end;
        uint32 wdResidual;
        uint16 rateBps;
        bool open;
    }

    struct Totals {
        uint256 owed;
        uint256 owedSlope;
        uint256 writtenDown;
        uint256 wdSlope;
        uint256 at;
    }

    uint256 private _idle;
    uint256 private _principal;
    Totals private _totals;
    mapping(uint256 facility => Facility) private _facilities;
    /// @dev Slope changes due at a midnight (scaled values fit 128 bits by far).
    struct Bucket {
        uint128 owedSlopeEnds;
        uint128 wdSlopeStarts;
        uint128 wdSlopeEnds;
        uint128 wdResidual;
    }

    mapping(uint256 midnight => Bucket) private _buckets;
    /// @dev One bit per day number that has a bucket, 256 days a word: walking a quiet month
    /// reads one word instead of thirty buckets.
    mapping(uint256 word => uint256) private _dayBits;

    /// @param asset_ The settlement token.
    /// @param adminDelay Delay before a proposed new admin may accept the admin role.
    /// @param admin Initial holder of the admin role.
    constructor(IERC20Metadata asset_, uint48 adminDelay, address admin)
        ERC20("scf Substitute Financing Pool", "scfPOOL")
        ERC4626(asset_)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        _totals.at = block.timestamp;
    }

    /// @inheritdoc IFinancingPool
    function openFacility(uint256 id, address to, uint256 principal, uint256 rateBps, uint256 due, uint256 graceDays)
        external
        onlyRole(FINANCIER_ROLE)
    {
        Facility storage f = _facilities[id];
        if (f.t0 != 0) revert PoolFacilityExists(id);
        if (principal > _idle) revert PoolInsufficientCash(_idle, principal);
        uint256 dueDay = Math.ceilDiv(due, DAY) * DAY;
        if (dueDay <= block.timestamp) revert PoolDueInPast(due);
        _sync();
        f.principal = principal;
        f.owed0 = principal * SCALE;
        f.due = dueDay.toUint64();
        f.end = (dueDay + graceDays * DAY).toUint64();
        f.rateBps = uint16(rateBps);
        f.open = true;
        _place(f);
        _idle -= principal;
        _principal += principal;
        IERC20(asset()).safeTransfer(to, principal);
        emit FacilityBooked(id, principal, rateBps, dueDay, f.end);
    }

    /// @inheritdoc IFinancingPool
    function collect(uint256 id, uint256 amount)
        external
        onlyRole(FINANCIER_ROLE)
        returns (uint256 interest, uint256 principal, bool closed)
    {
        _idle += amount;
        Facility storage f = _facilities[id];
        if (!f.open) revert PoolFacilityNotOpen(id);
        _sync();
        (uint256 owed, uint256 written) = _remove(f);
        uint256 owedUnits = Math.ceilDiv(owed, SCALE);
        interest = owedUnits - f.principal;
        if (amount >= owedUnits) {
            principal = f.principal;
            closed = true;
            f.open = false;
            f.principal = 0;
        } else {
            principal = amount > interest ? amount - interest : 0;
            interest = amount - principal;
            f.principal -= principal;
            f.owed0 = owed - amount * SCALE;
            // Cash in replaces book value one for one; a payment larger than the book value
            // (a late payer after write-downs) is a recovery.
            f.writtenDown0 = Math.min(written, f.owed0);
            _place(f);
        }
        _principal -= principal;
        emit FacilityCollected(id, amount, interest, principal, closed);
    }

    /// @inheritdoc IFinancingPool
    function writeOff(uint256 id) external onlyRole(FINANCIER_ROLE) returns (uint256 loss) {
        Facility storage f = _facilities[id];
        if (!f.open) revert PoolFacilityNotOpen(id);
        if (block.timestamp < f.end) revert PoolGraceNotOver(id, f.end);
        _sync();
        (uint256 owed,) = _remove(f);
        loss = Math.ceilDiv(owed, SCALE);
        _principal -= f.principal;
        f.principal = 0;
        f.open = false;
        emit FacilityWrittenOff(id, loss);
    }

    /// @notice Idle cash plus the open facilities' value now.
    function totalAssets() public view override returns (uint256) {
        Totals memory t = _totalsAt(block.timestamp);
        return _idle + (t.owed - t.writtenDown) / SCALE;
    }

    /// @notice Withdrawals are limited to idle cash.
    function maxWithdraw(address owner) public view override returns (uint256) {
        return Math.min(super.maxWithdraw(owner), _idle);
    }

    /// @notice Redemptions are limited to the shares idle cash can pay.
    function maxRedeem(address owner) public view override returns (uint256) {
        return Math.min(super.maxRedeem(owner), _convertToShares(_idle, Math.Rounding.Floor));
    }

    /// @inheritdoc IFinancingPool
    function idle() external view returns (uint256) {
        return _idle;
    }

    /// @inheritdoc IFinancingPool
    function outstandingPrincipal() external view returns (uint256) {
        return _principal;
    }

    /// @inheritdoc IFinancingPool
    function accruedInterest() external view returns (uint256) {
        return _totalsAt(block.timestamp).owed / SCALE - _principal;
    }

    /// @inheritdoc IFinancingPool
    function writtenDown() external view returns (uint256) {
        return _totalsAt(block.timestamp).writtenDown / SCALE;
    }

    /// @inheritdoc IFinancingPool
    function facilityValue(uint256 id)
        external
        view
        returns (uint256 principal, uint256 interest, uint256 bookValue, bool open)
    {
        Facility storage f = _facilities[id];
        if (!f.open) return (0, 0, 0, false);
        uint256 owed = _owedOf(f, block.timestamp);
        uint256 owedUnits = Math.ceilDiv(owed, SCALE);
        return (f.principal, owedUnits - f.principal, (owed - _writtenOf(f, block.timestamp)) / SCALE, true);
    }

    /// @inheritdoc IFinancingPool
    function graceEnd(uint256 id) external view returns (uint256) {
        return _facilities[id].end;
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        super._deposit(caller, receiver, assets, shares);
        _idle += assets;
    }

    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        if (assets > _idle) revert PoolInsufficientCash(_idle, assets);
        _idle -= assets;
        super._withdraw(caller, receiver, owner, assets, shares);
    }

    function _decimalsOffset() internal pure override returns (uint8) {
        return 3;
    }

    /// @dev The running totals at time `t`, walking the marked midnights since the last
    /// update (a word of the day bitmap at a time).
    function _totalsAt(uint256 t) private view returns (Totals memory a) {
        a = _totals;
        uint256 last = t / DAY;
        uint256 d = a.at / DAY + 1;
        while (d <= last) {
            uint256 bits = _dayBits[d >> 8] >> (d & 255);
            if (bits == 0) {
                d = ((d >> 8) + 1) << 8;
                continue;
            }
            if (bits & 1 == 1) {
                uint256 day = d * DAY;
                Bucket storage b = _buckets[day];
                a.owed += a.owedSlope * (day - a.at);
                a.writtenDown += a.wdSlope * (day - a.at) + b.wdResidual;
                a.owedSlope -= b.owedSlopeEnds;
                a.wdSlope = a.wdSlope + b.wdSlopeStarts - b.wdSlopeEnds;
                a.at = day;
            }
            ++d;
        }
        a.owed += a.owedSlope * (t - a.at);
        a.writtenDown += a.wdSlope * (t - a.at);
        a.at = t;
    }

    function _mark(uint256 day) private {
        uint256 d = day / DAY;
        _dayBits[d >> 8] |= 1 << (d & 255);
    }

    function _sync() private {
        _totals = _totalsAt(block.timestamp);
    }

    function _owedOf(Facility storage f, uint256 t) private view returns (uint256) {
        uint256 until = Math.min(t, f.due);
        uint256 from = Math.min(f.t0, f.due);
        return f.owed0 + f.principal * f.rateBps * (until - from);
    }

    function _writtenOf(Facility storage f, uint256 t) private view returns (uint256 written) {
        written = f.writtenDown0;
        uint256 start = Math.max(f.t0, f.due);
        uint256 stop = Math.min(t, f.end);
        if (stop > start) written += f.wdSlope * (stop - start);
        if (t >= f.end && f.t0 < f.end) written += f.wdResidual;
    }

    /// @dev Adds facility `f` to the totals from now, with its schedule of slope changes.
    function _place(Facility storage f) private {
        uint256 t = block.timestamp;
        f.t0 = uint64(t);
        uint256 owedAtDue = f.owed0;
        if (t < f.due) {
            uint256 slope = f.principal * f.rateBps;
            _totals.owedSlope += slope;
            _buckets[f.due].owedSlopeEnds += slope.toUint128();
            owedAtDue += slope * (f.due - t);
        }
        if (t >= f.end) {
            f.writtenDown0 = f.owed0;
            f.wdSlope = 0;
            f.wdResidual = 0;
        } else {
            uint256 start = Math.max(t, f.due);
            uint256 remaining = owedAtDue - f.writtenDown0;
            f.wdSlope = remaining / (f.end - start);
            f.wdResidual = (remaining - f.wdSlope * (f.end - start)).toUint32();
            if (t < f.due) {
                _buckets[f.due].wdSlopeStarts += f.wdSlope.toUint128();
                _mark(f.due);
            } else {
                _totals.wdSlope += f.wdSlope;
            }
            _buckets[f.end].wdSlopeEnds += f.wdSlope.toUint128();
            _buckets[f.end].wdResidual += uint128(f.wdResidual);
            _mark(f.end);
        }
        _totals.owed += f.owed0;
        _totals.writtenDown += f.writtenDown0;
    }

    /// @dev Takes facility `f` out of the totals (synced to now); returns its owed and
    /// written-down values now, scaled.
    function _remove(Facility storage f) private returns (uint256 owed, uint256 written) {
        uint256 t = block.timestamp;
        owed = _owedOf(f, t);
        written = _writtenOf(f, t);
        _totals.owed -= owed;
        _totals.writtenDown -= written;
        if (t < f.due) {
            uint256 slope = f.principal * f.rateBps;
            _totals.owedSlope -= slope;
            _buckets[f.due].owedSlopeEnds -= slope.toUint128();
            _buckets[f.due].wdSlopeStarts -= f.wdSlope.toUint128();
        } else if (t < f.end) {
            _totals.wdSlope -= f.wdSlope;
        }
        if (t < f.end) {
            _buckets[f.end].wdSlopeEnds -= f.wdSlope.toUint128();
            _buckets[f.end].wdResidual -= uint128(f.wdResidual);
        }
    }
}
