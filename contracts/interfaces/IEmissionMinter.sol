// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AutomationCompatibleInterface} from "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";

/// @title IEmissionMinter
/// @notice Mints the MSN mining emission: year y (0-based from GENESIS_TIME, 365-day years) emits
/// `rate(y) x 100,000,000 MSN` with `rate(y) = 5% - 0.5% x y`, linearly per second within the year;
/// 27,500,000 MSN over ten years and nothing after. Emission is minted per ended epoch to RECIPIENT.
/// @dev Epoch e covers [GENESIS_TIME + e*EPOCH_LENGTH, GENESIS_TIME + (e+1)*EPOCH_LENGTH).
/// The epoch emission is `emitted(end) - emitted(start)`, so rounding never drifts.
interface IEmissionMinter is AutomationCompatibleInterface {
    /* ERRORS */

    /// @notice A constructor address argument is zero.
    error EmissionZeroAddress();
    /// @notice The epoch length is zero or does not divide 365 days.
    error EmissionInvalidEpochLength(uint256 epochLength);
    /// @notice `performUpkeep` was called while no ended epoch is left to mint.
    error EmissionNothingToMint(uint256 mintedThroughEpoch, uint256 endedEpochs);
    /// @notice The genesis time is zero or above 2^40 - 1 (year 36812: a timestamp in milliseconds, not seconds).
    error EmissionInvalidGenesisTime(uint256 genesisTime);

    /* EVENTS */

    /// @notice Emitted when the emission of epochs [fromEpoch, toEpoch) is minted to `recipient`.
    event EmissionMinted(
        uint256 indexed fromEpoch,
        uint256 indexed toEpoch,
        address indexed recipient,
        uint256 amount
    );

    /* CONSTANTS AND IMMUTABLES */

    /// @notice The MSN token this contract mints.
    function TOKEN() external view returns (address);
    /// @notice The address that receives every mint (the rewards distributor).
    function RECIPIENT() external view returns (address);
    /// @notice Emission start T0 (unix seconds).
    function GENESIS_TIME() external view returns (uint256);
    /// @notice Epoch length in seconds; divides 365 days.
    function EPOCH_LENGTH() external view returns (uint256);
    /// @notice The number of epochs that carry emission: ten years' worth (epochs [0, EMISSION_EPOCHS)).
    /// Every later epoch emits nothing.
    function EMISSION_EPOCHS() external view returns (uint256);
    /// @notice The length of a schedule year: 365 days.
    function YEAR() external view returns (uint256);
    /// @notice Everything the schedule ever emits: 27,500,000 MSN.
    function TOTAL_EMISSION() external view returns (uint256);

    /* SCHEDULE VIEWS */

    /// @notice The annual rate of year `year` in basis points of the 100M genesis supply (500, 450, ... 50, then 0).
    function rateBps(uint256 year) external pure returns (uint256);
    /// @notice The emission budget of year `year` in wei (5,000,000e18 ... 500,000e18, then 0).
    function yearBudget(uint256 year) external pure returns (uint256);
    /// @notice The exact cumulative emission due at unix time `t` (0 before GENESIS_TIME; 27.5M from year 10 on).
    function emitted(uint256 t) external view returns (uint256);
    /// @notice The emission of epoch `epoch`: `emitted(end) - emitted(start)`.
    function epochEmission(uint256 epoch) external view returns (uint256);
    /// @notice The epoch containing unix time `t`. Reverts-free: returns 0 for times before GENESIS_TIME.
    function epochOf(uint256 t) external view returns (uint256);
    /// @notice The start time of epoch `epoch`.
    function epochStart(uint256 epoch) external view returns (uint256);
    /// @notice The number of epochs that have fully ended at the current block time.
    function endedEpochs() external view returns (uint256);

    /* MINT STATE */

    /// @notice The number of epochs already minted: epochs [0, mintedThroughEpoch) have been minted.
    function mintedThroughEpoch() external view returns (uint256);
    /// @notice Everything minted so far: `emitted(epochStart(mintedThroughEpoch))`.
    function totalMinted() external view returns (uint256);

    /* ACTIONS */

    /// @notice Mints everything due for all ended epochs to RECIPIENT, in O(1) gas however many were missed.
    /// Permissionless; mints nothing (and does not revert) when nothing is due.
    /// @dev Once the schedule has ended it still advances `mintedThroughEpoch` over the ended, empty epochs
    /// (emitting `EmissionMinted` with amount 0) without calling the token.
    /// @return amount The amount minted by this call.
    function mint() external returns (uint256 amount);

    /* CHAINLINK AUTOMATION */

    /// @notice True iff an ended epoch that carries emission is not minted yet; `performData` is empty.
    /// @dev Epochs after the ten-year schedule carry nothing, so they never trigger an upkeep: a keeper stops
    /// paying gas once the schedule is fully minted. `checkData` is ignored.
    function checkUpkeep(
        bytes calldata checkData
    ) external override returns (bool upkeepNeeded, bytes memory performData);

    /// @notice Re-checks `checkUpkeep` and mints like `mint()`. `performData` is ignored (never trusted).
    /// @dev Reverts with `EmissionNothingToMint` when no ended epoch carrying emission is left to mint, so a
    /// racing keeper's transaction fails cheaply instead of paying for an empty mint.
    function performUpkeep(bytes calldata performData) external override;
}
