// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IVestingEscrow} from "../interfaces/IVestingEscrow.sol";
import {IVestingVault} from "../interfaces/IVestingVault.sol";
import {VestingEscrow} from "./VestingEscrow.sol";

/// @title VestingVault
/// @notice Every MSN vesting grant in one contract; per-beneficiary escrow clones only hold the tokens so
/// that their votes can be delegated.
contract VestingVault is IVestingVault, AccessControl {
    using SafeERC20 for IERC20;

    /* CONSTANTS AND IMMUTABLES */

    /// @inheritdoc IVestingVault
    bytes32 public constant GRANTOR_ROLE = keccak256("GRANTOR_ROLE");
    /// @inheritdoc IVestingVault
    bytes32 public constant REVOKER_ROLE = keccak256("REVOKER_ROLE");

    /// @inheritdoc IVestingVault
    address public immutable TOKEN;
    /// @inheritdoc IVestingVault
    address public immutable ESCROW_IMPLEMENTATION;

    /* STORAGE */

    /// @inheritdoc IVestingVault
    address public treasury;

    mapping(bytes32 grantId => Grant) private _grants;

    /// @param token The vested token (MSN).
    /// @param treasury_ Receives the unvested part of revoked grants (the foundation treasury).
    /// @param governance Gets `DEFAULT_ADMIN_ROLE`, `GRANTOR_ROLE` and `REVOKER_ROLE`.
    /// @param initialGrantor Also gets `GRANTOR_ROLE` (the deployer, to create the genesis grants, after which it
    /// renounces the role); the zero address to skip.
    constructor(address token, address treasury_, address governance, address initialGrantor) {
        if (token == address(0) || governance == address(0)) revert VestingZeroAddress();
        TOKEN = token;
        ESCROW_IMPLEMENTATION = address(new VestingEscrow(token));
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _grantRole(GRANTOR_ROLE, governance);
        _grantRole(REVOKER_ROLE, governance);
        if (initialGrantor != address(0)) _grantRole(GRANTOR_ROLE, initialGrantor);
        _setTreasury(treasury_);
    }

    /* GOVERNANCE */

    /// @inheritdoc IVestingVault
    function createGrant(
        address beneficiary,
        uint256 amount,
        uint40 start,
        uint32 cliff,
        uint32 duration,
        bool revocable
    ) external onlyRole(GRANTOR_ROLE) returns (bytes32 grantId) {
        if (beneficiary == address(0)) revert VestingZeroAddress();
        if (amount == 0) revert VestingZeroAmount();
        if (duration == 0) revert VestingZeroDuration();
        if (cliff > duration) revert VestingCliffExceedsDuration(cliff, duration);
        grantId = grantIdOf(beneficiary, amount, start, cliff, duration);
        if (_grants[grantId].beneficiary != address(0)) revert VestingDuplicateGrant(grantId);
        uint256 available = IERC20(TOKEN).balanceOf(address(this));
        if (amount > available) revert VestingInsufficientUnallocated(amount, available);

        _grants[grantId] = Grant({
            beneficiary: beneficiary,
            start: start,
            revokedAt: 0,
            revocable: revocable,
            amount: SafeCast.toUint96(amount),
            released: 0,
            cliff: cliff,
            duration: duration
        });
        emit GrantCreated(grantId, beneficiary, amount, start, cliff, duration, revocable);

        address escrow = escrowOf(beneficiary);
        if (escrow.code.length == 0) {
            Clones.cloneDeterministic(ESCROW_IMPLEMENTATION, _salt(beneficiary));
            emit EscrowCreated(beneficiary, escrow);
        }
        IERC20(TOKEN).safeTransfer(escrow, amount);
    }

    /// @inheritdoc IVestingVault
    function revoke(bytes32 grantId) external onlyRole(REVOKER_ROLE) returns (uint256 unvested) {
        Grant memory grant = _grants[grantId];
        if (grant.beneficiary == address(0)) revert VestingUnknownGrant(grantId);
        if (!grant.revocable) revert VestingNotRevocable(grantId);
        if (grant.revokedAt != 0) revert VestingAlreadyRevoked(grantId);

        uint256 vested = _vestedAt(grant, block.timestamp);
        // Cannot underflow: the vested amount never exceeds the granted amount.
        unchecked {
            unvested = grant.amount - vested;
        }
        _grants[grantId].revokedAt = SafeCast.toUint40(block.timestamp);
        address to = treasury;
        emit GrantRevoked(grantId, to, vested, unvested);

        if (unvested != 0) IVestingEscrow(escrowOf(grant.beneficiary)).transfer(to, unvested);
    }

    /// @inheritdoc IVestingVault
    function setTreasury(address newTreasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(newTreasury);
    }

    /* BENEFICIARIES AND ANYONE */

    /// @inheritdoc IVestingVault
    function release(bytes32 grantId) external returns (uint256 amount) {
        Grant memory grant = _grants[grantId];
        if (grant.beneficiary == address(0)) revert VestingUnknownGrant(grantId);
        uint256 vested = _vestedAt(grant, block.timestamp);
        // Cannot underflow: `released` only ever grows to a past vested amount, and vesting never decreases.
        unchecked {
            amount = vested - grant.released;
        }
        if (amount == 0) revert VestingNothingToRelease(grantId);
        // The cast is exact: `vested` is at most `grant.amount`, a uint96.
        _grants[grantId].released = uint96(vested);
        emit Released(grantId, grant.beneficiary, msg.sender, amount);

        IVestingEscrow(escrowOf(grant.beneficiary)).transfer(grant.beneficiary, amount);
    }

    /// @inheritdoc IVestingVault
    function delegate(address delegatee) external {
        address escrow = escrowOf(msg.sender);
        if (escrow.code.length == 0) revert VestingNoEscrow(msg.sender);
        emit EscrowVotesDelegated(msg.sender, escrow, delegatee);
        IVestingEscrow(escrow).delegate(delegatee);
    }

    /* VIEWS */

    /// @inheritdoc IVestingVault
    function grants(bytes32 grantId) external view returns (Grant memory) {
        return _grants[grantId];
    }

    /// @inheritdoc IVestingVault
    function grantIdOf(
        address beneficiary,
        uint256 amount,
        uint40 start,
        uint32 cliff,
        uint32 duration
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(beneficiary, amount, start, cliff, duration));
    }

    /// @inheritdoc IVestingVault
    function vestedAmount(bytes32 grantId, uint256 timestamp) external view returns (uint256) {
        return _vestedAt(_existingGrant(grantId), timestamp);
    }

    /// @inheritdoc IVestingVault
    function releasable(bytes32 grantId) external view returns (uint256) {
        Grant memory grant = _existingGrant(grantId);
        return _vestedAt(grant, block.timestamp) - grant.released;
    }

    /// @inheritdoc IVestingVault
    function unallocated() external view returns (uint256) {
        return IERC20(TOKEN).balanceOf(address(this));
    }

    /// @inheritdoc IVestingVault
    function escrowOf(address beneficiary) public view returns (address) {
        return Clones.predictDeterministicAddress(ESCROW_IMPLEMENTATION, _salt(beneficiary));
    }

    /* INTERNAL */

    function _existingGrant(bytes32 grantId) private view returns (Grant memory grant) {
        grant = _grants[grantId];
        if (grant.beneficiary == address(0)) revert VestingUnknownGrant(grantId);
    }

    /// @dev The vesting formula of `IVestingVault`, with vesting frozen at the revocation time.
    function _vestedAt(Grant memory grant, uint256 timestamp) private pure returns (uint256) {
        if (grant.revokedAt != 0 && timestamp > grant.revokedAt) timestamp = grant.revokedAt;
        uint256 start = grant.start;
        if (timestamp < start + grant.cliff) return 0;
        if (timestamp >= start + grant.duration) return grant.amount;
        // Here start <= timestamp < start + duration, and amount * elapsed < 2^96 * 2^32 fits easily.
        return (uint256(grant.amount) * (timestamp - start)) / grant.duration;
    }

    function _salt(address beneficiary) private pure returns (bytes32) {
        return bytes32(uint256(uint160(beneficiary)));
    }

    function _setTreasury(address newTreasury) private {
        if (newTreasury == address(0)) revert VestingZeroAddress();
        address previous = treasury;
        if (newTreasury == previous) revert VestingTreasuryUnchanged(newTreasury);
        treasury = newTreasury;
        emit TreasurySet(previous, newTreasury);
    }
}
