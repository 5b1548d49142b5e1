// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMSNToken} from "../interfaces/IMSNToken.sol";

/// @title EmissionMinterMock
/// @notice Test-only stand-in for EmissionMinter's funding surface (`TOKEN`, `RECIPIENT`, `totalMinted`),
/// used until the real contract is merged. `mintAmount` mints an arbitrary amount to RECIPIENT.
contract EmissionMinterMock {
    address public immutable TOKEN;
    address public immutable RECIPIENT;
    uint256 public totalMinted;

    constructor(address token, address recipient) {
        TOKEN = token;
        RECIPIENT = recipient;
    }

    function mintAmount(uint256 amount) external {
        totalMinted += amount;
        IMSNToken(TOKEN).mint(RECIPIENT, amount);
    }
}
