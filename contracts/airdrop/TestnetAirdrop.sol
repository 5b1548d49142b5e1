// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {ITestnetAirdrop} from "../interfaces/ITestnetAirdrop.sol";

/// @title TestnetAirdrop
/// @notice Merkle airdrop of the testnet allocation with a claim deadline and a sweep to the ecosystem treasury.
contract TestnetAirdrop is ITestnetAirdrop {
    using SafeERC20 for IERC20;

    /// @inheritdoc ITestnetAirdrop
    address public immutable TOKEN;
    /// @inheritdoc ITestnetAirdrop
    bytes32 public immutable MERKLE_ROOT;
    /// @inheritdoc ITestnetAirdrop
    uint256 public immutable DEADLINE;
    /// @inheritdoc ITestnetAirdrop
    address public immutable TREASURY;

    /// @inheritdoc ITestnetAirdrop
    mapping(address account => bool) public claimed;

    /// @param token The airdropped token (MSN).
    /// @param merkleRoot The root of every `(account, amount)` leaf.
    /// @param deadline Unix time at which claims close; must be in the future.
    /// @param treasury Receives the unclaimed remainder after the deadline.
    constructor(address token, bytes32 merkleRoot, uint256 deadline, address treasury) {
        if (token == address(0) || treasury == address(0)) revert AirdropZeroAddress();
        if (deadline <= block.timestamp) revert AirdropDeadlineNotInFuture(deadline, block.timestamp);
        TOKEN = token;
        MERKLE_ROOT = merkleRoot;
        DEADLINE = deadline;
        TREASURY = treasury;
    }

    /// @inheritdoc ITestnetAirdrop
    function claim(address account, uint256 amount, bytes32[] calldata proof) external {
        if (block.timestamp >= DEADLINE) revert AirdropClaimWindowClosed(DEADLINE);
        if (claimed[account]) revert AirdropAlreadyClaimed(account);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, amount))));
        if (!MerkleProof.verifyCalldata(proof, MERKLE_ROOT, leaf))
            revert AirdropInvalidProof(account, amount);

        claimed[account] = true;
        emit Claimed(account, amount);
        IERC20(TOKEN).safeTransfer(account, amount);
    }

    /// @inheritdoc ITestnetAirdrop
    function sweep() external returns (uint256 amount) {
        if (block.timestamp < DEADLINE) revert AirdropSweepBeforeDeadline(DEADLINE);
        amount = IERC20(TOKEN).balanceOf(address(this));
        if (amount == 0) revert AirdropNothingToSweep();
        emit Swept(TREASURY, amount);
        IERC20(TOKEN).safeTransfer(TREASURY, amount);
    }
}
