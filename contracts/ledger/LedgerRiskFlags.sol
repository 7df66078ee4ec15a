// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFundLedger} from "../interfaces/IFundLedger.sol";

/// @title LedgerRiskFlags
/// @notice The ledger's soft rules: they never revert, they emit `RiskFlagged` in the
/// payment's own transaction. Codes are readable bytes32 strings.
abstract contract LedgerRiskFlags is IFundLedger {
    /// @notice One payee holds more than the project's payee-share threshold of its spending.
    bytes32 public constant FLAG_PAYEE_SHARE = "PAYEE_SHARE";
    /// @notice A budget line's spent plus reserved crossed 90 % of its cap.
    bytes32 public constant FLAG_BUDGET_LINE_90 = "BUDGET_LINE_90";
    /// @notice A payment fell within the margin just under the dual-control threshold.
    bytes32 public constant FLAG_NEAR_THRESHOLD = "NEAR_THRESHOLD";
    /// @notice An invoice hash was paid before (by any project).
    bytes32 public constant FLAG_REPEATED_INVOICE = "REPEATED_INVOICE";

    uint256 internal constant BPS = 10_000;
    uint256 internal constant LINE_ALERT_BPS = 9_000;
    uint16 internal constant DEFAULT_PAYEE_SHARE_BPS = 5_000;

    mapping(bytes32 project => mapping(address payee => uint256)) private _payeeSpent;
    mapping(bytes32 invoice => bool) private _invoiceSeen;

    /// @notice What `payee` has received from `project` in direct payments.
    function paidTo(bytes32 project, address payee) external view returns (uint256) {
        return _payeeSpent[project][payee];
    }

    function _recordPayee(bytes32 project, address payee, uint256 amount) internal returns (uint256 total) {
        total = _payeeSpent[project][payee] + amount;
        _payeeSpent[project][payee] = total;
    }

    /// @dev Flags when this use moved the line from under 90 % of its cap to 90 % or more.
    function _flagLine(bytes32 project, bytes32 category, uint256 cap, uint256 used, uint256 amount) internal {
        if (used * BPS >= cap * LINE_ALERT_BPS && (used - amount) * BPS < cap * LINE_ALERT_BPS) {
            emit RiskFlagged(project, FLAG_BUDGET_LINE_90, category, (used * BPS) / cap);
        }
    }

    function _flagPayment(
        bytes32 project,
        Thresholds storage t,
        uint256 budget,
        uint256 spent,
        uint256 payeeTotal,
        address payee,
        uint256 amount,
        bytes32 invoice
    ) internal {
        uint256 shareBps = t.payeeShareBps == 0 ? DEFAULT_PAYEE_SHARE_BPS : t.payeeShareBps;
        uint256 floor = t.shareFloor == 0 ? budget / 10 : t.shareFloor;
        uint256 share = (payeeTotal * BPS) / spent;
        if (spent >= floor && share > shareBps) {
            emit RiskFlagged(project, FLAG_PAYEE_SHARE, bytes32(uint256(uint160(payee))), share);
        }
        uint256 threshold = t.dualControl;
        if (threshold != 0 && amount < threshold) {
            uint256 margin = t.nearMargin == 0 ? threshold / 10 : t.nearMargin;
            if (amount + margin >= threshold) {
                emit RiskFlagged(project, FLAG_NEAR_THRESHOLD, bytes32(uint256(uint160(payee))), amount);
            }
        }
        if (invoice != bytes32(0)) {
            if (_invoiceSeen[invoice]) {
                emit RiskFlagged(project, FLAG_REPEATED_INVOICE, invoice, amount);
            } else {
                _invoiceSeen[invoice] = true;
            }
        }
    }
}
