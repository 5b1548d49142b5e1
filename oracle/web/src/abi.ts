/**
 * The contract functions the page calls, typed for viem. Their custom errors are not listed here: the build
 * (oracle/web/build.ts) injects every error of the compiled MSN contracts, so no revert goes undecoded.
 */
import { parseAbi } from "viem";

export const tokenAbi = parseAbi([
  "function balanceOf(address account) view returns (uint256)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 amount) returns (bool)",
  "function nonces(address owner) view returns (uint256)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
]);

export const stakingAbi = parseAbi([
  "function nodeCount(address operator) view returns (uint256)",
  "function activeStakeOf(address operator) view returns (uint256)",
  "function unbondingOf(address operator) view returns (uint256 total, uint256 withdrawable)",
  "struct UnbondingRequest { uint256 amount; uint256 releaseTime; }",
  "function unbondingRequestCount(address operator) view returns (uint256)",
  "function unbondingRequest(address operator, uint256 index) view returns (UnbondingRequest)",
  "function unbondingPeriod() view returns (uint256)",
  "function boostBps(address operator, uint256 nodeCount, uint256 timestamp) view returns (uint256)",
  "function boostParams() view returns (uint256 maxBoostBps, uint256 fullStakePerNode)",
  "function stake(uint256 amount)",
  "function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)",
  "function requestUnstake(uint256 amount)",
  "function withdraw() returns (uint256 amount)",
]);

export const distributorAbi = parseAbi([
  "function claimed(address account) view returns (uint256)",
  "function paused() view returns (bool)",
  "function claim(address account, uint256 cumulativeAmount, bytes32[] proof) returns (uint256)",
  "function claimAndStake(uint256 cumulativeAmount, bytes32[] proof) returns (uint256)",
]);
