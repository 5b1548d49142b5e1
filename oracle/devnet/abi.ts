/**
 * The parts of the contracts the devnet calls, typed for viem (from contracts/interfaces/*.sol), with
 * their custom errors so that a revert is reported by name and arguments.
 */
import { parseAbi } from "viem";

const erc20Errors = [
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC2612ExpiredSignature(uint256 deadline)",
  "error ERC2612InvalidSigner(address signer, address owner)",
] as const;

export const tokenAbi = parseAbi([
  "function balanceOf(address account) view returns (uint256)",
  "function transfer(address to, uint256 amount) returns (bool)",
  "function approve(address spender, uint256 amount) returns (bool)",
  "function nonces(address owner) view returns (uint256)",
  "function name() view returns (string)",
  ...erc20Errors,
]);

export const stakingAbi = parseAbi([
  "function registerNode(address node, uint256 deadline, bytes signature)",
  "function nodeNonce(address node) view returns (uint256)",
  "function nodeCount(address operator) view returns (uint256)",
  "function operatorOf(address node) view returns (address)",
  "function stake(uint256 amount)",
  "function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)",
  "function requestUnstake(uint256 amount)",
  "function stakeAt(address operator, uint256 timestamp) view returns (uint256)",
  "function activeStakeOf(address operator) view returns (uint256)",
  "function boostBps(address operator, uint256 nodeCount, uint256 timestamp) view returns (uint256)",
  "function boostParams() view returns (uint256 maxBoostBps, uint256 fullStakePerNode)",
  "function unbondingOf(address operator) view returns (uint256 total, uint256 withdrawable)",
  "function unbondingPeriod() view returns (uint256)",
  "event NodeRegistered(address indexed node, address indexed operator)",
  "error StakingZeroAddress()",
  "error StakingZeroAmount()",
  "error StakingSignatureExpired(uint256 deadline, uint256 nowTime)",
  "error StakingNodeAlreadyRegistered(address node, address operator)",
  "error StakingInvalidNodeSignature(address node, address signer)",
  "error StakingSignatureReplayed(address node, uint256 nonce)",
  "error StakingInsufficientActiveStake(address operator, uint256 active, uint256 requested)",
  "error StakingFutureLookup(uint256 timestamp, uint256 nowTime)",
  ...erc20Errors,
]);

export const distributorAbi = parseAbi([
  "struct ClaimParams { address account; uint256 cumulativeAmount; bytes32[] proof; }",
  "struct EpochRootInfo { bytes32 root; uint256 total; uint256 proposedAt; uint256 claimableAt; uint8 status; }",
  "function claim(address account, uint256 cumulativeAmount, bytes32[] proof) returns (uint256)",
  "function claimMany(ClaimParams[] claims) returns (uint256)",
  "function claimAndStake(uint256 cumulativeAmount, bytes32[] proof) returns (uint256)",
  "function acceptRoot() returns (uint64)",
  "function claimed(address account) view returns (uint256)",
  "function funded() view returns (uint256)",
  "function currentRoot() view returns (uint64 epoch, bytes32 root)",
  "function previousRoot() view returns (uint64 epoch, bytes32 root)",
  "function epochRoot(uint64 epoch) view returns (EpochRootInfo)",
  "function nextEpochToPropose() view returns (uint64)",
  "function nextEpochToAccept() view returns (uint64)",
  "function challengeWindow() view returns (uint256)",
  "event Claimed(address indexed account, uint256 amount)",
  "event RootProposed(uint64 indexed epoch, bytes32 root, uint256 total, bytes32 dataHash)",
  "event RootAccepted(uint64 indexed epoch, bytes32 root)",
  "error RewardsPaused()",
  "error RewardsNoRoot()",
  "error RewardsNothingToClaim(address account, uint256 cumulativeAmount, uint256 alreadyClaimed)",
  "error RewardsInvalidProof(address account, uint256 cumulativeAmount)",
  "error RewardsNoPendingRoot()",
  "error RewardsChallengeWindowActive(uint64 epoch, uint256 claimableAt)",
  ...erc20Errors,
]);

/** `IRewardsDistributor.RootStatus`. */
export const ROOT_STATUS = ["None", "Pending", "Accepted", "Vetoed"] as const;

export const minterAbi = parseAbi([
  "function GENESIS_TIME() view returns (uint256)",
  "function EPOCH_LENGTH() view returns (uint256)",
  "function epochEmission(uint256 epoch) view returns (uint256)",
  "function emitted(uint256 t) view returns (uint256)",
  "function totalMinted() view returns (uint256)",
  "function mintedThroughEpoch() view returns (uint256)",
  "error EmissionNothingToMint(uint256 mintedThroughEpoch, uint256 endedEpochs)",
]);
