// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IFinancingPolicy} from "./interfaces/IFinancingPolicy.sol";

/// @title FinancingPolicy
/// @notice The substitute-financing terms, apart from the contract that applies them so that
/// each stays under the contract size limit.
contract FinancingPolicy is IFinancingPolicy, AccessControlDefaultAdminRules {
    uint256 private constant BPS = 10_000;
    /// @notice Highest annual rate a band may charge (base + spread), in basis points.
    uint256 public constant MAX_RATE_BPS = 5_000;

    Policy private _policy;

    /// @param adminDelay Delay before a proposed new admin may accept the admin role.
    /// @param admin Initial holder of the admin role.
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {
        _setPolicy(
            Policy({
                advanceBps: 8000,
                baseRateBps: 400,
                bandFloors: [uint16(800), 700, 600],
                bandSpreads: [uint16(100), 250, 500],
                minScore: 600,
                graceDays: 30,
                exposureCapBps: 5000,
                reportCapBps: 5000,
                quorum: 1,
                quorumWindow: 1 days,
                maxPerCall: 10,
                acceptanceDays: 14,
                maxOrderHorizonDays: 3 * 365
            })
        );
    }

    /// @inheritdoc IFinancingPolicy
    function setPolicy(Policy calldata p) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPolicy(p);
    }

    /// @inheritdoc IFinancingPolicy
    function current() external view returns (Policy memory) {
        return _policy;
    }

    /// @inheritdoc IFinancingPolicy
    function rateFor(uint16 score) external view returns (uint256) {
        Policy storage p = _policy;
        if (score < p.minScore) return 0;
        for (uint256 i = 0; i < 3; ++i) {
            if (score >= p.bandFloors[i]) return p.baseRateBps + p.bandSpreads[i];
        }
        return 0;
    }

    function _setPolicy(Policy memory p) private {
        _check(p.advanceBps != 0 && p.advanceBps <= BPS, "advanceBps");
        _check(
            p.bandFloors[0] <= 1000 && p.bandFloors[0] > p.bandFloors[1] && p.bandFloors[1] > p.bandFloors[2]
                && p.bandFloors[2] != 0,
            "bandFloors"
        );
        // every band charges something, and no more than the ceiling
        for (uint256 i = 0; i < 3; ++i) {
            uint256 rate = uint256(p.baseRateBps) + p.bandSpreads[i];
            _check(rate != 0 && rate <= MAX_RATE_BPS, "bandSpreads");
        }
        // a score between minScore and the lowest floor would have no rate
        _check(p.minScore >= p.bandFloors[2] && p.minScore <= 1000, "minScore");
        _check(p.graceDays != 0 && p.graceDays <= 365, "graceDays");
        _check(p.exposureCapBps != 0 && p.exposureCapBps <= BPS, "exposureCapBps");
        _check(p.reportCapBps != 0 && p.reportCapBps <= BPS, "reportCapBps");
        _check(p.quorum != 0 && p.quorum <= 16, "quorum");
        _check(p.quorumWindow >= 1 hours && p.quorumWindow <= 30 days, "quorumWindow");
        _check(p.maxPerCall != 0 && p.maxPerCall <= 50, "maxPerCall");
        _check(p.acceptanceDays != 0 && p.acceptanceDays <= 365, "acceptanceDays");
        _check(p.maxOrderHorizonDays != 0 && p.maxOrderHorizonDays <= 10 * 365, "maxOrderHorizonDays");
        _policy = p;
        emit PolicyUpdated(p);
    }

    function _check(bool ok, bytes32 field) private pure {
        if (!ok) revert FinancingPolicyInvalid(field);
    }
}
