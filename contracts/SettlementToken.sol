// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ISettlementToken} from "./interfaces/ISettlementToken.sol";

/// @title SettlementToken
/// @notice ERC-20 settlement money for test chains: 2 decimals, minted by the minter role.
/// A real deployment points scf at an existing token instead.
contract SettlementToken is ERC20, AccessControlDefaultAdminRules, ISettlementToken {
    /// @notice Role allowed to mint.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param adminDelay Delay before a proposed new admin may accept the admin role.
    /// @param admin Initial holder of the admin role.
    constructor(string memory name_, string memory symbol_, uint48 adminDelay, address admin)
        ERC20(name_, symbol_)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {}

    /// @inheritdoc ISettlementToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Amounts have 2 decimals (fen).
    function decimals() public pure override(ERC20, IERC20Metadata) returns (uint8) {
        return 2;
    }
}
