// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

/// @title MinerStakingMock
/// @notice Test-only stand-in for MinerStaking's `stakeFor`/`stakeAt`, used until the real contract is merged.
/// @dev Pulls the tokens like the real `stakeFor` and checkpoints the stake by block timestamp.
contract MinerStakingMock {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace208;

    IERC20 public immutable TOKEN;
    mapping(address operator => Checkpoints.Trace208) private _stake;

    event ActiveStakeUpdated(address indexed operator, uint256 activeStake, uint256 timestamp);

    constructor(IERC20 token) {
        TOKEN = token;
    }

    function stakeFor(address operator, uint256 amount) external {
        uint256 stake = _stake[operator].latest() + amount;
        _stake[operator].push(uint48(block.timestamp), uint208(stake));
        emit ActiveStakeUpdated(operator, stake, block.timestamp);
        TOKEN.safeTransferFrom(msg.sender, address(this), amount);
    }

    function stakeAt(address operator, uint256 timestamp) external view returns (uint256) {
        return _stake[operator].upperLookupRecent(uint48(timestamp));
    }
}
