// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Substitute-financing pool
/// @notice An ERC-4626 vault of the settlement token funded by banks. The financing contract
/// books facilities against it: each one's value is principal plus simple interest by the
/// second from the advance until repaid, never past its stop (due date rounded up to a UTC
/// midnight, plus grace). Every facility is backed by its order's reservation, which covers
/// what it can owe at its stop, so nothing is ever written down. `totalAssets` = idle cash +
/// the facilities' value now, kept as a running total so that no call loops over facilities.
interface IFinancingPool {
    /// @notice Emitted when facility `facility` is booked (its cash leaves in the same call);
    /// interest runs until `stop` at the latest.
    event FacilityBooked(uint256 indexed facility, uint256 principal, uint256 rateBps, uint256 stop);
    /// @notice Emitted when `amount` received for `facility` is booked as interest and principal.
    event FacilityCollected(uint256 indexed facility, uint256 amount, uint256 interest, uint256 principal, bool closed);

    /// @notice Thrown when an advance or withdrawal needs more than the idle cash.
    error PoolInsufficientCash(uint256 available, uint256 requested);
    /// @notice Thrown when booking a facility id twice.
    error PoolFacilityExists(uint256 facility);
    /// @notice Thrown when a facility is not open.
    error PoolFacilityNotOpen(uint256 facility);
    /// @notice Thrown when a facility's stop is not a future UTC midnight.
    error PoolStopInvalid(uint256 stop);

    /// @notice Books facility `facility` and pays `principal` of idle cash to `to`; interest
    /// at `rateBps` a year runs until it is repaid, never past `stop` (a future UTC midnight).
    /// @dev Caller: financier role. Emits `FacilityBooked`.
    function openFacility(uint256 facility, address to, uint256 principal, uint256 rateBps, uint256 stop) external;

    /// @notice Books `amount`, already transferred to the pool, against `facility`: interest
    /// first, then principal; closes it when nothing is owed.
    /// @dev Caller: financier role. Emits `FacilityCollected`.
    function collect(uint256 facility, uint256 amount) external returns (uint256 interest, uint256 principal, bool closed);

    /// @notice Cash held and not lent out.
    function idle() external view returns (uint256);

    /// @notice Principal outstanding over all open facilities.
    function outstandingPrincipal() external view returns (uint256);

    /// @notice Interest accrued to now on all open facilities.
    function accruedInterest() external view returns (uint256);

    /// @notice What `facility` owes now: principal, and interest rounded up to the unit.
    function facilityValue(uint256 facility) external view returns (uint256 principal, uint256 interest, bool open);

    /// @notice What a facility of `principal` at `rateBps`, advanced at `from`, owes at
    /// `stop`: the rule collection uses, rounded up to the unit.
    function owedAtStop(uint256 principal, uint256 rateBps, uint256 from, uint256 stop) external pure returns (uint256);

    /// @notice When interest on `facility` stops (its due date rounded up to a UTC midnight,
    /// plus grace).
    function stopOf(uint256 facility) external view returns (uint256);
}
