// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IEmissionMinter} from "../interfaces/IEmissionMinter.sol";
import {IMSNToken} from "../interfaces/IMSNToken.sol";

/// @title EmissionMinter
/// @notice Mints Meson's mining emission (5% of the 100M genesis supply in year 0, 0.5 point less each year,
/// 27.5M MSN over ten 365-day years) per ended epoch to the rewards distributor.
/// @dev The whole schedule is a closed form of the time since GENESIS_TIME, so a mint costs the same however
/// many epochs it covers, and the only storage is the epoch cursor.
contract EmissionMinter is IEmissionMinter {
    /* CONSTANTS */

    /// @inheritdoc IEmissionMinter
    uint256 public constant YEAR = 365 days;
    /// @inheritdoc IEmissionMinter
    uint256 public constant TOTAL_EMISSION = 27_500_000 ether;
    /// @dev Years with emission: rate(y) = 5% - 0.5% * y is positive for y < 10.
    uint256 private constant _SCHEDULE_YEARS = 10;
    /// @dev The supply the rates apply to (not compounding): the 100M genesis supply.
    uint256 private constant _GENESIS_SUPPLY = 100_000_000 ether;
    uint256 private constant _BPS = 10_000;
    uint256 private constant _INITIAL_RATE_BPS = 500;
    uint256 private constant _RATE_STEP_BPS = 50;
    /// @dev 1 bp of the genesis supply in wei (10,000 MSN); divides exactly, so every budget is exact.
    uint256 private constant _WEI_PER_BPS = _GENESIS_SUPPLY / _BPS;

    /* IMMUTABLES */

    /// @inheritdoc IEmissionMinter
    address public immutable TOKEN;
    /// @inheritdoc IEmissionMinter
    address public immutable RECIPIENT;
    /// @inheritdoc IEmissionMinter
    uint256 public immutable GENESIS_TIME;
    /// @inheritdoc IEmissionMinter
    uint256 public immutable EPOCH_LENGTH;
    /// @inheritdoc IEmissionMinter
    uint256 public immutable EMISSION_EPOCHS;

    /* STORAGE */

    /// @inheritdoc IEmissionMinter
    uint256 public mintedThroughEpoch;

    /// @param token The MSN token (this contract must then be made its minter).
    /// @param recipient The rewards distributor, which receives every mint.
    /// @param genesisTime T0, unix seconds; may lie in the past (the first mint then catches up).
    /// @param epochLength Epoch length in seconds; must divide 365 days.
    constructor(address token, address recipient, uint256 genesisTime, uint256 epochLength) {
        if (token == address(0) || recipient == address(0)) revert EmissionZeroAddress();
        if (genesisTime == 0 || genesisTime > type(uint40).max)
            revert EmissionInvalidGenesisTime(genesisTime);
        if (epochLength == 0 || YEAR % epochLength != 0) revert EmissionInvalidEpochLength(epochLength);
        TOKEN = token;
        RECIPIENT = recipient;
        GENESIS_TIME = genesisTime;
        EPOCH_LENGTH = epochLength;
        EMISSION_EPOCHS = (_SCHEDULE_YEARS * YEAR) / epochLength;
    }

    /* SCHEDULE VIEWS */

    /// @inheritdoc IEmissionMinter
    function rateBps(uint256 year) public pure returns (uint256) {
        if (year >= _SCHEDULE_YEARS) return 0;
        // year < 10, so 50 * year <= 450 < 500.
        unchecked {
            return _INITIAL_RATE_BPS - _RATE_STEP_BPS * year;
        }
    }

    /// @inheritdoc IEmissionMinter
    function yearBudget(uint256 year) public pure returns (uint256) {
        // rateBps(year) <= 500, so the product is at most 5e24.
        unchecked {
            return rateBps(year) * _WEI_PER_BPS;
        }
    }

    /// @inheritdoc IEmissionMinter
    function emitted(uint256 t) external view returns (uint256) {
        if (t <= GENESIS_TIME) return 0;
        // t > GENESIS_TIME was just checked.
        unchecked {
            return _emittedAfter(t - GENESIS_TIME);
        }
    }

    /// @inheritdoc IEmissionMinter
    function epochEmission(uint256 epoch) external view returns (uint256) {
        if (epoch >= EMISSION_EPOCHS) return 0;
        // epoch + 1 <= EMISSION_EPOCHS, so (epoch + 1) * EPOCH_LENGTH <= 10 years: nothing can overflow, and
        // the cumulative emission never decreases, so the subtraction cannot underflow.
        unchecked {
            return _emittedAfter((epoch + 1) * EPOCH_LENGTH) - _emittedAfter(epoch * EPOCH_LENGTH);
        }
    }

    /// @inheritdoc IEmissionMinter
    function epochOf(uint256 t) external view returns (uint256) {
        if (t <= GENESIS_TIME) return 0;
        // t > GENESIS_TIME was just checked.
        unchecked {
            return (t - GENESIS_TIME) / EPOCH_LENGTH;
        }
    }

    /// @inheritdoc IEmissionMinter
    function epochStart(uint256 epoch) external view returns (uint256) {
        return GENESIS_TIME + epoch * EPOCH_LENGTH;
    }

    /// @inheritdoc IEmissionMinter
    function endedEpochs() public view returns (uint256) {
        if (block.timestamp <= GENESIS_TIME) return 0;
        // block.timestamp > GENESIS_TIME was just checked.
        unchecked {
            return (block.timestamp - GENESIS_TIME) / EPOCH_LENGTH;
        }
    }

    /* MINT STATE */

    /// @inheritdoc IEmissionMinter
    function totalMinted() external view returns (uint256) {
        return _emittedThroughEpochs(mintedThroughEpoch);
    }

    /* ACTIONS */

    /// @inheritdoc IEmissionMinter
    function mint() external returns (uint256 amount) {
        return _mintEndedEpochs(mintedThroughEpoch, endedEpochs());
    }

    /* CHAINLINK AUTOMATION */

    /// @inheritdoc IEmissionMinter
    function checkUpkeep(bytes calldata) external view override returns (bool, bytes memory) {
        return (_hasEmissionDue(mintedThroughEpoch, endedEpochs()), "");
    }

    /// @inheritdoc IEmissionMinter
    function performUpkeep(bytes calldata) external override {
        uint256 from = mintedThroughEpoch;
        uint256 to = endedEpochs();
        if (!_hasEmissionDue(from, to)) revert EmissionNothingToMint(from, to);
        _mintEndedEpochs(from, to);
    }

    /* INTERNAL */

    /// @dev Mints the emission of epochs [from, to) (from <= to: the cursor never passes the ended epochs).
    function _mintEndedEpochs(uint256 from, uint256 to) private returns (uint256 amount) {
        if (to == from) return 0;
        // Cumulative emission never decreases and from < to, so the subtraction cannot underflow.
        unchecked {
            amount = _emittedThroughEpochs(to) - _emittedThroughEpochs(from);
        }
        mintedThroughEpoch = to;
        emit EmissionMinted(from, to, RECIPIENT, amount);
        if (amount != 0) IMSNToken(TOKEN).mint(RECIPIENT, amount);
    }

    /// @dev Whether some ended epoch in [from, to) carries emission, i.e. one before EMISSION_EPOCHS.
    function _hasEmissionDue(uint256 from, uint256 to) private view returns (bool) {
        return from < to && from < EMISSION_EPOCHS;
    }

    /// @dev The cumulative emission of epochs [0, epochs).
    function _emittedThroughEpochs(uint256 epochs) private view returns (uint256) {
        if (epochs >= EMISSION_EPOCHS) return TOTAL_EMISSION;
        // epochs < EMISSION_EPOCHS, so epochs * EPOCH_LENGTH < 10 years.
        unchecked {
            return _emittedAfter(epochs * EPOCH_LENGTH);
        }
    }

    /// @dev The cumulative emission `elapsed` seconds after GENESIS_TIME: the budgets of the full years plus
    /// the linear, floored share of the current year's budget.
    function _emittedAfter(uint256 elapsed) private pure returns (uint256) {
        uint256 year = elapsed / YEAR;
        if (year >= _SCHEDULE_YEARS) return TOTAL_EMISSION;
        // year < 10 and elapsed - year * YEAR < YEAR: the largest product is 5e24 * 3.2e7 < 2^108.
        unchecked {
            return _cumulativeBudget(year) + (yearBudget(year) * (elapsed - year * YEAR)) / YEAR;
        }
    }

    /// @dev The sum of the budgets of years [0, fullYears), fullYears <= 10, in closed form:
    /// sum of (500 - 50 y) bps over y < n = n * (2 * 500 + 50) / 2 - 50 * n^2 / 2 = n * (525 - 25 n) bps.
    function _cumulativeBudget(uint256 fullYears) private pure returns (uint256) {
        // fullYears <= 10: 50 * n^2 <= 1,050 * n (n <= 21), so no underflow; the products stay below 11,000;
        // n * (1050 - 50 n) = 50 * n * (21 - n) is even, so the halving is exact.
        unchecked {
            return
                ((fullYears * (2 * _INITIAL_RATE_BPS + _RATE_STEP_BPS) -
                    _RATE_STEP_BPS * fullYears * fullYears) / 2) * _WEI_PER_BPS;
        }
    }
}
