// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IFinancingPolicy} from "./interfaces/IFinancingPolicy.sol";

/// @title FinancingPolicy
/// @notice The substitute-financing terms and their versions, apart from the contract that
/// applies them so that each stays under the contract size limit.
contract FinancingPolicy is IFinancingPolicy, AccessControlDefaultAdminRules {
    uint256 private constant BPS = 10_000;
    /// @notice Highest annual rate a facility may charge (base + margin), in basis points.
    uint256 public constant MAX_RATE_BPS = 5_000;
    /// @notice Highest credit score.
    uint256 public constant MAX_SCORE = 1000;
    /// @notice Most orders (and shock members) one trigger call may look at.
    uint256 public constant MAX_PER_CALL = 12;

    /// @notice Life-cycle stages of a milestone (research, pilot, industrialisation, market).
    uint256 public constant STAGES = 4;

    Policy private _policy;
    uint256 private _version;
    mapping(uint256 version => Terms) private _terms;
    /// @dev Each version's terms by stage, 64 bits a stage (three 16-bit shares, then the
    /// longest tenor), so that the trigger reads one slot per candidate, not eight: packed by
    /// hand as Solidity starts every static array of a struct in a slot of its own.
    mapping(uint256 version => uint256) private _stages;

    /// @param adminDelay Delay before a proposed new admin may accept the admin role.
    /// @param admin Initial holder of the admin role.
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {
        _setPolicy(
            Policy({
                bandFloors: [uint16(800), 700, 600],
                bandAdvanceBps: [uint16(8000), 7000, 5000],
                baseRateBps: 400,
                marginBps: 100,
                paymentLagDays: 30,
                graceDays: 30,
                noticeDays: 30,
                maxLeadDays: 365,
                minAdvance: 100_000,
                exposureCapBps: 5000,
                projectCapBps: 5000,
                windowCapBps: 5000,
                windowDays: 30,
                quorum: 1,
                quorumWindow: 1 days,
                maxPerCall: 10,
                acceptanceDays: 14,
                maxOrderHorizonDays: 3 * 365,
                shockCapBps: 5000
            })
        );
    }

    /// @inheritdoc IFinancingPolicy
    function setPolicy(Policy calldata p) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPolicy(p);
    }

    /// @inheritdoc IFinancingPolicy
    function setStageTerms(StageTerms[4] calldata stages) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 packed = 0;
        for (uint256 i = 0; i < STAGES; ++i) {
            uint16[3] calldata shares = stages[i].advanceBps;
            _check((shares[0] | shares[1] | shares[2]) == 0 || _validShares(shares), "stageAdvanceBps");
            _check(stages[i].maxTenorDays <= 3650, "stageMaxTenorDays");
            uint256 word = uint256(shares[0]) | (uint256(shares[1]) << 16) | (uint256(shares[2]) << 32)
                | (uint256(stages[i].maxTenorDays) << 48);
            packed |= word << (64 * i);
        }
        if (packed != _stages[_version]) {
            Terms memory next = _terms[_version];
            _terms[_version].until = uint64(block.timestamp);
            next.since = uint64(block.timestamp);
            _terms[++_version] = next;
            _stages[_version] = packed;
        }
        emit StageTermsUpdated(stages, _version);
    }

    /// @inheritdoc IFinancingPolicy
    function stageTerms(uint256 version) external view returns (StageTerms[4] memory out) {
        terms(version);
        uint256 packed = _stages[version];
        for (uint256 i = 0; i < STAGES; ++i) {
            uint256 word = packed >> (64 * i);
            out[i] = StageTerms({
                advanceBps: [uint16(word), uint16(word >> 16), uint16(word >> 32)],
                maxTenorDays: uint16(word >> 48)
            });
        }
    }

    /// @inheritdoc IFinancingPolicy
    function termsAt(uint256 version, uint256 stage)
        external
        view
        returns (Terms memory t, bool valid, uint16[3] memory shares, uint256 maxTenorDays)
    {
        (t, valid) = _termsFor(version);
        uint256 word = _stages[version] >> (64 * stage);
        shares = [uint16(word), uint16(word >> 16), uint16(word >> 32)];
        if ((shares[0] | shares[1] | shares[2]) == 0) shares = t.bandAdvanceBps;
        maxTenorDays = uint16(word >> 48);
    }

    /// @inheritdoc IFinancingPolicy
    function current() external view returns (Policy memory) {
        return _policy;
    }

    /// @inheritdoc IFinancingPolicy
    function termsVersion() external view returns (uint256) {
        return _version;
    }

    /// @inheritdoc IFinancingPolicy
    function terms(uint256 version) public view returns (Terms memory) {
        if (version == 0 || version > _version) revert FinancingTermsUnknown(version);
        return _terms[version];
    }

    /// @inheritdoc IFinancingPolicy
    function termsFor(uint256 version) external view returns (Terms memory t, bool valid) {
        return _termsFor(version);
    }

    function _termsFor(uint256 version) private view returns (Terms memory t, bool valid) {
        t = terms(version);
        valid = t.until == 0 || block.timestamp < uint256(t.until) + uint256(_policy.noticeDays) * 1 days;
    }

    function _setPolicy(Policy memory p) private {
        _check(
            p.bandFloors[0] <= MAX_SCORE && p.bandFloors[0] > p.bandFloors[1] && p.bandFloors[1] > p.bandFloors[2]
                && p.bandFloors[2] != 0,
            "bandFloors"
        );
        // a better score never gets a smaller share
        _check(
            p.bandAdvanceBps[0] <= BPS && p.bandAdvanceBps[0] >= p.bandAdvanceBps[1]
                && p.bandAdvanceBps[1] >= p.bandAdvanceBps[2] && p.bandAdvanceBps[2] != 0,
            "bandAdvanceBps"
        );

        uint256 rate = uint256(p.baseRateBps) + p.marginBps;
        _check(rate <= MAX_RATE_BPS, "baseRateBps");
        _check(rate != 0, "marginBps");
        _check(p.paymentLagDays <= 365, "paymentLagDays");
        _check(p.graceDays != 0 && p.graceDays <= 365, "graceDays");
        _check(p.noticeDays <= 365, "noticeDays");
        _check(p.maxLeadDays != 0 && p.maxLeadDays <= 3650, "maxLeadDays");
        _check(p.minAdvance != 0, "minAdvance");
        _check(p.exposureCapBps != 0 && p.exposureCapBps <= BPS, "exposureCapBps");
        _check(p.projectCapBps != 0 && p.projectCapBps <= BPS, "projectCapBps");
        _check(p.windowCapBps != 0 && p.windowCapBps <= BPS, "windowCapBps");
        _check(p.windowDays != 0 && p.windowDays <= 365, "windowDays");
        _check(p.shockCapBps != 0 && p.shockCapBps <= BPS, "shockCapBps");
        _check(p.quorum != 0 && p.quorum <= 16, "quorum");
        _check(p.quorumWindow >= 1 hours && p.quorumWindow <= 30 days, "quorumWindow");
        // one order can cost about 1.2M gas at worst (16 candidates, each with 16 declared
        // inputs): 12 keep a call well inside a block
        _check(p.maxPerCall != 0 && p.maxPerCall <= MAX_PER_CALL, "maxPerCall");
        _check(p.acceptanceDays != 0 && p.acceptanceDays <= 365, "acceptanceDays");
        _check(p.maxOrderHorizonDays != 0 && p.maxOrderHorizonDays <= 3650, "maxOrderHorizonDays");
        _policy = p;
        Terms memory next = Terms({
            bandFloors: p.bandFloors,
            bandAdvanceBps: p.bandAdvanceBps,
            rateBps: uint16(rate),
            paymentLagDays: p.paymentLagDays,
            graceDays: p.graceDays,
            since: uint64(block.timestamp),
            until: 0
        });
        if (_version == 0 || _changed(_terms[_version], next)) {
            if (_version != 0) _terms[_version].until = uint64(block.timestamp);
            uint256 stages = _stages[_version]; // the terms by stage carry over
            _terms[++_version] = next;
            _stages[_version] = stages;
        }
        emit PolicyUpdated(p, _version);
    }

    function _changed(Terms storage a, Terms memory b) private view returns (bool) {
        for (uint256 i = 0; i < 3; ++i) {
            if (a.bandFloors[i] != b.bandFloors[i] || a.bandAdvanceBps[i] != b.bandAdvanceBps[i]) return true;
        }

        return a.rateBps != b.rateBps || a.paymentLagDays != b.paymentLagDays || a.graceDays != b.graceDays;
    }

    /// @dev Shares of the three bands: at most 100 %, a better score never a smaller share,
    /// none zero.
    function _validShares(uint16[3] calldata shares) private pure returns (bool) {
        return shares[0] <= BPS && shares[0] >= shares[1] && shares[1] >= shares[2] && shares[2] != 0;
    }

    function _check(bool ok, bytes32 field) private pure {
        if (!ok) revert FinancingPolicyInvalid(field);
    }
}
