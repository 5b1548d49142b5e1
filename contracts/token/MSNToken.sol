// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IMSNToken} from "../interfaces/IMSNToken.sol";

/// @title MSNToken
/// @notice "Meson Network" (MSN): 100M genesis supply, emission-only minting under a 127.5M hard cap.
/// @dev Votes use a timestamp clock (ERC-6372 `mode=timestamp`) so that token votes, stake checkpoints
/// and epochs all speak the same unit of time.
contract MSNToken is ERC20, ERC20Permit, ERC20Votes, IMSNToken {
    /// @inheritdoc IMSNToken
    uint256 public constant GENESIS_SUPPLY = 100_000_000 ether;
    /// @inheritdoc IMSNToken
    uint256 public constant MAX_SUPPLY = 127_500_000 ether;

    /// @inheritdoc IMSNToken
    address public minter;
    /// @inheritdoc IMSNToken
    address public minterAdmin;

    /// @param recipients The genesis allocation recipients (vesting vault, airdrop, treasuries, ...).
    /// @param amounts The amount each recipient receives; they must add up to exactly 100,000,000 MSN.
    /// @param minterAdmin_ The address allowed to assign the emission minter once.
    constructor(
        address[] memory recipients,
        uint256[] memory amounts,
        address minterAdmin_
    ) ERC20("Meson Network", "MSN") ERC20Permit("Meson Network") {
        if (recipients.length != amounts.length || recipients.length == 0) {
            revert MSNGenesisLengthMismatch(recipients.length, amounts.length);
        }
        if (minterAdmin_ == address(0)) revert MSNZeroAddress();
        uint256 sum;
        for (uint256 i = 0; i < recipients.length; ++i) {
            if (recipients[i] == address(0)) revert MSNZeroAddress();
            sum += amounts[i];
        }
        if (sum != GENESIS_SUPPLY) revert MSNGenesisSupplyMismatch(GENESIS_SUPPLY, sum);
        for (uint256 i = 0; i < recipients.length; ++i) {
            _mint(recipients[i], amounts[i]);
        }
        minterAdmin = minterAdmin_;
    }

    /* MINTER */

    /// @inheritdoc IMSNToken
    function setMinter(address newMinter) external {
        if (msg.sender != minterAdmin) revert MSNUnauthorizedMinterAdmin(msg.sender);
        if (newMinter == address(0)) revert MSNZeroAddress();
        minter = newMinter;
        delete minterAdmin;
        emit MinterSet(newMinter);
    }

    /// @inheritdoc IMSNToken
    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert MSNUnauthorizedMinter(msg.sender);
        uint256 newSupply = totalSupply() + amount;
        if (newSupply > MAX_SUPPLY) revert MSNCapExceeded(newSupply, MAX_SUPPLY);
        _mint(to, amount);
    }

    /* CLOCK (ERC-6372) */

    /// @notice The votes clock: the current block timestamp.
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice Machine-readable description of the clock (ERC-6372).
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /* OVERRIDES */

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
