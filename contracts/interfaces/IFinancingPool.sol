// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Substitute-financing pool
/// @notice An ERC-4626 vault of the settlement token funded by banks. The financing contract
/// books facilities against it: each one's value rises with simple interest until its due
/// date (rounded up to the next UTC midnight), is then written down linearly over the grace
/// period, and is zero after it. `totalAssets` = idle cash + the facilities' value now, kept
/// as running totals so that no call loops over facilities.
interface IFinancingPool {
    /// @notice Emitted when facility `facility` is booked (its cash leaves in the same call).
    event FacilityBooked(uint256 indexed facility, uint256 principal, uint256 rateBps, uint256 due, uint256 writtenOffBy);
    /// @notice Emitted when `amount` received for `facility` is booked as interest and principal.
    event FacilityCollected(uint256 indexed facility, uint256 amount, uint256 interest, uint256 principal, bool closed);
    /// @notice Emitted when a facility past its grace period is closed with `loss` unpaid.
    event FacilityWrittenOff(uint256 indexed facility, uint256 loss);

    /// @notice Thrown when an advance or withdrawal needs more than the idle cash.
    error PoolInsufficientCash(uint256 available, uint256 requested);
    /// @notice Thrown when booking a facility id twice.
    error PoolFacilityExists(uint256 facility);
    /// @notice Thrown when a facility is not open.
    error PoolFacilityNotOpen(uint256 facility);
    /// @notice Thrown when writing off a facility before `until` (due date + grace).
    error PoolGraceNotOver(uint256 facility, uint256 until);
    /// @notice Thrown when a due date is not in the future.
    error PoolDueInPast(uint256 due);

    /// @notice Books facility `facility` and pays `principal` of idle cash to `to`.
    /// @dev Caller: financier role. Emits `FacilityBooked`.
    function openFacility(uint256 facility, address to, uint256 principal, uint256 rateBps, uint256 due, uint256 graceDays)
        external;

    /// @notice Books `amount`, already transferred to the pool, against `facility`: interest
    /// first, then principal; closes it when nothing is owed.
    /// @dev Caller: financier role. Emits `FacilityCollected`.
    function collect(uint256 facility, uint256 amount) external returns (uint256 interest, uint256 principal, bool closed);

    /// @notice Closes a facility whose grace period is over; what it owed is lost.
    /// @dev Caller: financier role. Emits `FacilityWrittenOff`.
    function writeOff(uint256 facility) external returns (uint256 loss);

    /// @notice Cash held and not lent out.
    function idle() external view returns (uint256);

    /// @notice Principal outstanding over all open facilities.
    function outstandingPrincipal() external view returns (uint256);

    /// @notice Interest accrued to now on all open facilities (stops at each due date).
    function accruedInterest() external view returns (uint256);

    /// @notice Write-downs to now on all open facilities past due.
    function writtenDown() external view returns (uint256);

    /// @notice What `facility` owes now (principal, interest), and its value to the pool.
    function facilityValue(uint256 facility)
        external
        view
        returns (uint256 principal, uint256 interest, uint256 bookValue, bool open);

    /// @notice When `facility` may be written off (due date + grace).
    function graceEnd(uint256 facility) external view returns (uint256);
}
