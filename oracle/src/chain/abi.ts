import { parseAbi } from "viem";

/** The parts of IMinerStaking the oracle's ingest reads (contracts/interfaces/IMinerStaking.sol). */
export const minerStakingAbi = parseAbi([
  "event NodeRegistered(address indexed node, address indexed operator)",
  "event NodeDeregistered(address indexed node, address indexed operator)",
  "function operatorOf(address node) view returns (address)",
]);

/** The parts of IEmissionMinter the oracle reads (contracts/interfaces/IEmissionMinter.sol). */
export const emissionMinterAbi = parseAbi([
  "function GENESIS_TIME() view returns (uint256)",
  "function EPOCH_LENGTH() view returns (uint256)",
]);
