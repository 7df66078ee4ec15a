// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Substitute-financing policy
/// @notice The terms the trigger applies, set by the admin with working defaults. Every field
/// is range-checked with a named error; nothing is truncated. The part of the policy a
/// substitute accepts when it opts in (advance, rate, payment lag, grace, and their values
/// by stage) is versioned: the
/// version moves only when one of those changes, and every version's terms stay readable, so
/// a substitute is only ever financed on terms it confirmed.
interface IFinancingPolicy {
    /// @notice Rates and shares in basis points, periods in days unless named otherwise.
    /// `bandFloors` are credit scores in descending order and `bandAdvanceBps` the share of
    /// an order's value advanced to a substitute scoring at least that floor; a score below
    /// the lowest floor is not eligible. Every facility costs `baseRateBps + marginBps` a
    /// year: the pool is repaid out of the project's reserved cash, not by the substitute,
    /// so its credit score sets how much is advanced, not the price. A facility falls due
    /// `paymentLagDays` after the later of the order's due date and the substitute's quoted
    /// lead time; interest stops `graceDays` after that (rounded up to a midnight). Opt-ins
    /// under earlier terms stay valid `noticeDays` after the terms change. Caps are shares of
    /// the pool's assets: `exposureCapBps` per substitute, `projectCapBps` per project and
    /// `windowCapBps` for what one supplier's disruptions may draw within `windowDays`.
    /// `minAdvance` is in token units.
    /// `shockCapBps` caps, as a share of the pool's assets when the shock is reported, what
    /// the advances against one regional shock's disruptions may draw in all.
    struct Policy {
        uint16[3] bandFloors;
        uint16[3] bandAdvanceBps;
        uint16 baseRateBps;
        uint16 marginBps;
        uint16 paymentLagDays;
        uint16 graceDays;
        uint16 noticeDays;
        uint16 maxLeadDays;
        uint128 minAdvance;
        uint16 exposureCapBps;
        uint16 projectCapBps;
        uint16 windowCapBps;
        uint16 windowDays;
        uint8 quorum;
        uint32 quorumWindow;
        uint16 maxPerCall;
        uint16 acceptanceDays;
        uint16 maxOrderHorizonDays;
        uint16 shockCapBps;
    }

    /// @notice The terms of one life-cycle stage of the order's milestone (research, pilot,
    /// industrialisation, market, in that order): `advanceBps` replaces the bands' shares for
    /// orders of that stage (all three zero: the bands' own; the score floors are shared), and
    /// a facility due more than `maxTenorDays` days after it opens is not made (0: no limit).
    /// The defaults (zero) keep the same terms at every stage. Part of the versioned terms.
    struct StageTerms {
        uint16[3] advanceBps;
        uint16 maxTenorDays;
    }

    /// @notice One version of the terms a substitute accepts by opting in. `since` is when
    /// the version took effect and `until` when the next one did (0 while current).
    struct Terms {
        uint16[3] bandFloors;
        uint16[3] bandAdvanceBps;
        uint16 rateBps;
        uint16 paymentLagDays;
        uint16 graceDays;
        uint64 since;
        uint64 until;
    }

    /// @notice Emitted when the admin changes the policy, with every field and the terms
    /// version in force after the change.
    event PolicyUpdated(Policy policy, uint256 termsVersion);

    /// @notice Emitted when the admin changes the terms by stage, with the terms version in
    /// force after the change.
    event StageTermsUpdated(StageTerms[4] stages, uint256 termsVersion);

    /// @notice Thrown when policy field `field` is out of range.
    error FinancingPolicyInvalid(bytes32 field);

    /// @notice Thrown when terms version `version` does not exist.
    error FinancingTermsUnknown(uint256 version);

    /// @notice Replaces the policy; a new terms version when advance, rate, lag, grace or the
    /// terms by stage change.
    /// @dev Caller: admin. Emits `PolicyUpdated`.
    function setPolicy(Policy calldata policy) external;

    /// @notice Replaces the terms by stage; a new terms version when they change.
    /// @dev Caller: admin. Emits `StageTermsUpdated`.
    function setStageTerms(StageTerms[4] calldata stages) external;

    /// @notice The terms by stage of terms version `version`.
    function stageTerms(uint256 version) external view returns (StageTerms[4] memory);

    /// @notice What the trigger needs of an opt-in under `version` for an order of `stage`:
    /// the version's terms, whether they still hold (as `termsFor`), the three bands' shares
    /// at that stage and the stage's longest tenor in days (0: none).
    function termsAt(uint256 version, uint256 stage)
        external
        view
        returns (Terms memory terms, bool valid, uint16[3] memory shares, uint256 maxTenorDays);

    /// @notice The current policy.
    function current() external view returns (Policy memory);

    /// @notice The current terms version (the first is 1).
    function termsVersion() external view returns (uint256);

    /// @notice The terms of `version`.
    function terms(uint256 version) external view returns (Terms memory);

    /// @notice The terms an opt-in under `version` is financed on now, and whether it still
    /// holds: the current version always does, an earlier one until `noticeDays` after the
    /// version that replaced it took effect.
    function termsFor(uint256 version) external view returns (Terms memory, bool valid);
}
