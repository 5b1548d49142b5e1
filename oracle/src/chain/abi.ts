import { parseAbi } from "viem";

/** The parts of IMinerStaking the oracle reads (contracts/interfaces/IMinerStaking.sol). */
export const minerStakingAbi = parseAbi([
  "event NodeRegistered(address indexed node, address indexed operator)",
  "event NodeDeregistered(address indexed node, address indexed operator)",
  "event ActiveStakeUpdated(address indexed operator, uint256 activeStake, uint256 timestamp)",
  "function operatorOf(address node) view returns (address)",
  "function stakeAt(address operator, uint256 timestamp) view returns (uint256)",
  "function boostParamsAt(uint256 timestamp) view returns (uint256 maxBoostBps, uint256 fullStakePerNode)",
  "function boostBps(address operator, uint256 nodeCount, uint256 timestamp) view returns (uint256)",
  "function totalActiveStake() view returns (uint256)",
  "function totalUnbonding() view returns (uint256)",
  "error StakingFutureLookup(uint256 timestamp, uint256 nowTime)",
]);

/** The parts of IEmissionMinter the oracle reads and calls (contracts/interfaces/IEmissionMinter.sol). */
export const emissionMinterAbi = parseAbi([
  "function GENESIS_TIME() view returns (uint256)",
  "function EPOCH_LENGTH() view returns (uint256)",
  "function epochEmission(uint256 epoch) view returns (uint256)",
  "function emitted(uint256 t) view returns (uint256)",
  "function mintedThroughEpoch() view returns (uint256)",
  "function endedEpochs() view returns (uint256)",
  "function totalMinted() view returns (uint256)",
  "function rateBps(uint256 year) pure returns (uint256)",
  "function yearBudget(uint256 year) pure returns (uint256)",
  "function mint() returns (uint256 amount)",
  "error EmissionNothingToMint(uint256 mintedThroughEpoch, uint256 endedEpochs)",
]);

/** The parts of IRewardsDistributor the oracle uses (contracts/interfaces/IRewardsDistributor.sol). */
export const rewardsDistributorAbi = parseAbi([
  "struct EpochRootInfo { bytes32 root; uint256 total; uint256 proposedAt; uint256 claimableAt; uint8 status; }",
  "event RootProposed(uint64 indexed epoch, bytes32 root, uint256 total, bytes32 dataHash)",
  "event RootAccepted(uint64 indexed epoch, bytes32 root)",
  "event RootVetoed(uint64 indexed epoch, bytes32 root, uint64 discardedUntil)",
  "function proposeRoot(uint64 epoch, bytes32 root, uint256 total, bytes32 dataHash, bytes[] signatures)",
  "function acceptRoot() returns (uint64 epoch)",
  "function claim(address account, uint256 cumulativeAmount, bytes32[] proof) returns (uint256 amount)",
  "function currentRoot() view returns (uint64 epoch, bytes32 root)",
  "function previousRoot() view returns (uint64 epoch, bytes32 root)",
  "function epochRoot(uint64 epoch) view returns (EpochRootInfo)",
  "function nextEpochToPropose() view returns (uint64)",
  "function nextEpochToAccept() view returns (uint64)",
  "function claimed(address account) view returns (uint256)",
  "function funded() view returns (uint256)",
  "function threshold() view returns (uint256)",
  "function isOracle(address account) view returns (bool)",
  "function challengeWindow() view returns (uint256)",
  "function TOKEN() view returns (address)",
  "function hashEpochRoot(uint64 epoch, bytes32 root, uint256 total, bytes32 dataHash) view returns (bytes32)",
  "error RewardsPaused()",
  "error RewardsNoRoot()",
  "error RewardsNothingToClaim(address account, uint256 cumulativeAmount, uint256 alreadyClaimed)",
  "error RewardsInvalidProof(address account, uint256 cumulativeAmount)",
  "error RewardsEpochOutOfOrder(uint64 epoch, uint64 expected)",
  "error RewardsZeroRoot()",
  "error RewardsTotalDecreased(uint256 total, uint256 previousTotal)",
  "error RewardsTotalExceedsFunding(uint256 total, uint256 funded)",
  "error RewardsTooFewSignatures(uint256 count, uint256 threshold)",
  "error RewardsSignerNotOracle(address signer)",
  "error RewardsSignersNotAscending(address signer, address previous)",
  "error RewardsNoPendingRoot()",
  "error RewardsChallengeWindowActive(uint64 epoch, uint256 claimableAt)",
  "error RewardsNotPending(uint64 epoch)",
]);

/** `RootStatus` of IRewardsDistributor. */
export const ROOT_STATUS = ["none", "pending", "accepted", "vetoed"] as const;
export type RootStatus = (typeof ROOT_STATUS)[number];
