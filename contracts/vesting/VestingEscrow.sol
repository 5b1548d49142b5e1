// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

import {IVestingEscrow} from "../interfaces/IVestingEscrow.sol";

/// @title VestingEscrow
/// @notice Implementation behind every beneficiary escrow of the vesting vault (EIP-1167 clones).
/// @dev The vault deploys this implementation in its own constructor, so `VAULT` and `TOKEN` are immutables
/// in the implementation's code, which every clone runs through DELEGATECALL: clones need no initializer and
/// no storage at all.
contract VestingEscrow is IVestingEscrow {
    using SafeERC20 for IERC20;

    /// @inheritdoc IVestingEscrow
    address public immutable VAULT;
    /// @inheritdoc IVestingEscrow
    address public immutable TOKEN;

    /// @param token The token the escrows hold; the deployer (the vault) becomes `VAULT`.
    constructor(address token) {
        VAULT = msg.sender;
        TOKEN = token;
    }

    modifier onlyVault() {
        if (msg.sender != VAULT) revert EscrowUnauthorized(msg.sender);
        _;
    }

    /// @inheritdoc IVestingEscrow
    function transfer(address to, uint256 amount) external onlyVault {
        IERC20(TOKEN).safeTransfer(to, amount);
    }

    /// @inheritdoc IVestingEscrow
    function delegate(address delegatee) external onlyVault {
        IVotes(TOKEN).delegate(delegatee);
    }
}
