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
/// virtual-share guard against inflation attacks). Every advance is backed by the order's
/// reservation in the fund ledger, which covers what the facility can ever owe, so a facility
/// is never written down: its value is principal plus simple interest by the second from the
/// advance until it is repaid, never past its stop (due date rounded up to a UTC midnight,
/// plus the grace period). The facilities' value is one running total and its slope per
/// second; slopes end only at midnights, so bringing the total up to date walks the days
/// elapsed since the last update, never the facilities. Values are scaled by YEAR x BPS so
/// that simple interest is exact. The share price never falls.
contract FinancingPool is ERC4626, AccessControlDefaultAdminRules, IFinancingPool {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role of the financing contract: books and collects facilities.
    bytes32 public constant FINANCIER_ROLE = keccak256("FINANCIER_ROLE");
    uint256 private constant DAY = 1 days;
    uint256 private constant BPS = 10_000;
    uint256 private constant SCALE = 365 days * BPS;

    /// @dev Two slots and a half: `owed0` is what was owed (scaled) at `t0`.
    struct Facility {
        uint256 principal;
        uint256 owed0;
        uint64 t0;
        uint64 stop;
        uint16 rateBps;
        bool open;
    }

    struct Totals {
        uint256 owed;
        uint256 slope;
        uint256 at;
    }

    uint256 private _idle;
    uint256 private _principal;
    Totals private _totals;
    mapping(uint256 facility => Facility) private _facilities;
    /// @dev Slope that ends at a midnight (scaled values fit 128 bits by far).
    mapping(uint256 midnight => uint256) private _slopeEnds;
    /// @dev One bit per day number that has a slope ending, 256 days a word: walking a quiet
    /// month reads one word instead of thirty.
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
    function openFacility(uint256 id, address to, uint256 principal, uint256 rateBps, uint256 stop)
        external
        onlyRole(FINANCIER_ROLE)
    {
        Facility storage f = _facilities[id];
        if (f.t0 != 0) revert PoolFacilityExists(id);
        if (principal > _idle) revert PoolInsufficientCash(_idle, principal);
        if (stop <= block.timestamp || stop % DAY != 0) revert PoolStopInvalid(stop);
        _sync();
        f.principal = principal;
        f.owed0 = principal * SCALE;
        f.stop = stop.toUint64();
        f.rateBps = rateBps.toUint16();
        f.open = true;
        _place(f);
        _idle -= principal;
        _principal += principal;
        IERC20(asset()).safeTransfer(to, principal);
        emit FacilityBooked(id, principal, rateBps, stop);
    }

    /// @inheritdoc IFinancingPool
    function collect(uint256 id, uint256 amount)
        external
        onlyRole(FINANCIER_ROLE)
        returns (uint256 interest, uint256 principal, bool closed)
    {
        Facility storage f = _facilities[id];
        if (!f.open) revert PoolFacilityNotOpen(id);
        _idle += amount;
        _sync();
        uint256 owed = _remove(f);
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
            // cash in replaces owed value one for one
            f.owed0 = owed - amount * SCALE;
            _place(f);
        }
        _principal -= principal;
        emit FacilityCollected(id, amount, interest, principal, closed);
    }

    /// @notice Idle cash plus the open facilities' value now.
    function totalAssets() public view override returns (uint256) {
        return _idle + _totalsAt(block.timestamp).owed / SCALE;
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
        // After a partial repayment the facilities' value can sit a fraction of a unit under
        // their principal (what is owed is rounded up per facility, the total rounded down).
        uint256 value = _totalsAt(block.timestamp).owed / SCALE;
        return value > _principal ? value - _principal : 0;
    }

    /// @inheritdoc IFinancingPool
    function facilityValue(uint256 id) external view returns (uint256 principal, uint256 interest, bool open) {
        Facility storage f = _facilities[id];
        if (!f.open) return (0, 0, false);
        uint256 owedUnits = Math.ceilDiv(_owedOf(f, block.timestamp), SCALE);
        return (f.principal, owedUnits - f.principal, true);
    }

    /// @inheritdoc IFinancingPool
    function owedAtStop(uint256 principal, uint256 rateBps, uint256 from, uint256 stop) public pure returns (uint256) {
        return principal + Math.ceilDiv(principal * rateBps * (stop - from), SCALE);
    }

    /// @inheritdoc IFinancingPool
    function stopOf(uint256 id) external view returns (uint256) {
        return _facilities[id].stop;
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

    /// @dev The running total at time `t`, walking the marked midnights since the last
    /// update (a word of the day bitmap at a time).
    function _totalsAt(uint256 t) private view returns (Totals memory a) {
        a = _totals;
        uint256 last = t / DAY;
        uint256 d = a.at / DAY + 1;
        while (d <= last) {
            uint256 bits = _dayBits[d >> 8] >> (d & 255);
            if (bits & 1 != 0) {
                uint256 day = d * DAY;
                a.owed += a.slope * (day - a.at);
                a.slope -= _slopeEnds[day];
                a.at = day;
            }
            // no later day of this word has a facility ending: on to the next word
            d = bits > 1 ? d + 1 : ((d >> 8) + 1) << 8;
        }
        a.owed += a.slope * (t - a.at);
        a.at = t;
    }

    function _sync() private {
        _totals = _totalsAt(block.timestamp);
    }

    function _owedOf(Facility storage f, uint256 t) private view returns (uint256) {
        uint256 until = Math.min(t, f.stop);
        uint256 from = Math.min(f.t0, f.stop);
        return f.owed0 + f.principal * f.rateBps * (until - from);
    }

    /// @dev Adds facility `f` to the total from now, its slope ending at its stop.
    function _place(Facility storage f) private {
        uint256 t = block.timestamp;
        f.t0 = uint64(t);
        _totals.owed += f.owed0;
        if (t < f.stop) {
            uint256 slope = f.principal * f.rateBps;
            _totals.slope += slope;
            _slopeEnds[f.stop] += slope;
            uint256 d = f.stop / DAY;
            _dayBits[d >> 8] |= 1 << (d & 255);
        }
    }

    /// @dev Takes facility `f` out of the total (synced to now); returns what it owes now, scaled.
    function _remove(Facility storage f) private returns (uint256 owed) {
        uint256 t = block.timestamp;
        owed = _owedOf(f, t);
        _totals.owed -= owed;
        if (t < f.stop) {
            uint256 slope = f.principal * f.rateBps;
            _totals.slope -= slope;
            _slopeEnds[f.stop] -= slope;
        }
    }
}
