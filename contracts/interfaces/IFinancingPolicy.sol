// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Substitute-financing policy
/// @notice The terms the trigger applies, set by the admin with working defaults. Every field
/// is range-checked with a named error; nothing is truncated. A facility records the terms it
/// was opened under, so later changes never touch it.
interface IFinancingPolicy {
    /// @notice Rates and shares in basis points, periods in days unless named otherwise.
    /// `bandFloors` are credit scores in descending order and `bandSpreads` the spread over
    /// `baseRateBps` for each; a score below `minScore` (at least the lowest floor) is not
    /// eligible. Interest stops `graceDays` after a facility's due date.
    struct Policy {
        uint16 advanceBps;
        uint16 baseRateBps;
        uint16[3] bandFloors;
        uint16[3] bandSpreads;
        uint16 minScore;
        uint16 graceDays;
        uint16 exposureCapBps;
        uint16 reportCapBps;
        uint8 quorum;
        uint32 quorumWindow;
        uint16 maxPerCall;
        uint16 acceptanceDays;
        uint16 maxOrderHorizonDays;
    }

    /// @notice Emitted when the admin changes the policy, with every field.
    event PolicyUpdated(Policy policy);

    /// @notice Thrown when policy field `field` is out of range.
    error FinancingPolicyInvalid(bytes32 field);

    /// @notice Replaces the policy.
    /// @dev Caller: admin. Emits `PolicyUpdated`.
    function setPolicy(Policy calldata policy) external;

    /// @notice The current policy.
    function current() external view returns (Policy memory);

    /// @notice The annual rate, in basis points, for a credit score (0 if not eligible).
    function rateFor(uint16 score) external view returns (uint256);
}
