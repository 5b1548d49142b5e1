/**
 * One call from an epoch's inputs to everything the epoch job stores and publishes: the reward rows, the
 * Merkle tree (root, node buffer, tree index per account) and the canonical bundle. Pure: the job reads the
 * inputs (database, chain) before and writes the outputs after.
 */
import { BUNDLE_FORMAT, type EpochBundle, validateBundleHeader } from "./bundle.js";
import { type Address, EpochInputError, type Hash, normalizeAddress } from "./encoding.js";
import { type ProgressFn, type RewardsTree, buildRewardsTree } from "./merkle.js";
import {
  type EpochRewardsInput,
  type EpochRewardsResult,
  type OperatorRow,
  computeEpochRewards,
} from "./rewards.js";

/** The epoch's identity and the facts the bundle records besides the reward inputs. */
export interface EpochMeta {
  chainId: number;
  distributor: string;
  staking: string;
  minter: string;
  epoch: number;
  /** `T0 + e·len` and `T0 + (e+1)·len` (unix seconds); the snapshot is `epochEnd − 1`. */
  epochStart: number;
  epochEnd: number;
  /** Hash of the previous epoch's bundle, ZERO_HASH for the first one. */
  previousBundleHash: Hash;
  /** Count and hash of the counted receipt set (see receiptsHash.ts). */
  receipts: { count: number; hash: Hash };
}

/**
 * The account of the placeholder leaf `(address(0), 0)`: the only leaf of an epoch in which no account has a
 * cumulative amount yet. The distributor refuses a zero root, and this leaf gives a non-zero root with total
 * 0; nothing can ever be claimed with it (a claim of 0 pays nothing, and nobody holds the zero address).
 */
export const PLACEHOLDER_ACCOUNT: Address = `0x${"00".repeat(20)}`;

/**
 * The tree's leaves: the accounts with a cumulative amount > 0, ascending; or, when there is none, the single
 * placeholder leaf `(PLACEHOLDER_ACCOUNT, 0)` (then `placeholder` is true).
 */
export interface TreeLeaves {
  accounts: Address[];
  amounts: bigint[];
  placeholder: boolean;
}

export interface EpochComputation {
  rewards: EpochRewardsResult;
  leaves: TreeLeaves;
  /** `tree.treeIndices[i]` is the tree index of `leaves.accounts[i]` (for `getProof`). */
  tree: RewardsTree;
  bundle: EpochBundle;
}

/**
 * The leaves of the epoch's tree: every row with cumulative > 0 (rows are already sorted by address), or the
 * placeholder leaf `(address(0), 0)` when there is none, so that the root is never zero.
 */
export function treeLeaves(operators: readonly OperatorRow[]): TreeLeaves {
  const accounts: Address[] = [];
  const amounts: bigint[] = [];
  for (const row of operators) {
    if (row.cumulative > 0n) {
      accounts.push(row.operator);
      amounts.push(row.cumulative);
    }
  }
  if (accounts.length === 0) return { accounts: [PLACEHOLDER_ACCOUNT], amounts: [0n], placeholder: true };
  return { accounts, amounts, placeholder: false };
}

/** Assembles the bundle from the inputs and outputs (throws {@link BundleFormatError} on bad metadata). */
export function buildBundle(
  meta: EpochMeta,
  input: EpochRewardsInput,
  rewards: EpochRewardsResult,
  root: Hash,
): EpochBundle {
  if (
    !Number.isSafeInteger(meta.epochEnd) ||
    !Number.isSafeInteger(meta.epochStart) ||
    meta.epochEnd <= meta.epochStart
  ) {
    throw new EpochInputError(
      `epoch ${meta.epoch}: epochEnd (${meta.epochEnd}) must be after epochStart (${meta.epochStart})`,
    );
  }
  const bundle: EpochBundle = {
    format: BUNDLE_FORMAT,
    chainId: meta.chainId,
    distributor: normalizeAddress(meta.distributor, "distributor"),
    staking: normalizeAddress(meta.staking, "staking"),
    minter: normalizeAddress(meta.minter, "minter"),
    epoch: meta.epoch,
    epochStart: meta.epochStart,
    epochEnd: meta.epochEnd,
    snapshotTime: meta.epochEnd - 1,
    previousBundleHash: meta.previousBundleHash.toLowerCase() as Hash,
    receipts: { count: meta.receipts.count, hash: meta.receipts.hash.toLowerCase() as Hash },
    boostParams: {
      maxBoostBps: input.boostParams.maxBoostBps,
      fullStakePerNode: input.boostParams.fullStakePerNode,
    },
    nodeCapBytes: input.nodeCapBytes,
    emission: input.emission,
    carryIn: input.carryIn,
    totalWeight: rewards.totalWeight,
    carryOut: rewards.carryOut,
    root,
    total: rewards.total,
    nodes: rewards.nodes,
    operators: rewards.operators,
  };
  // The rows come from computeEpochRewards; bundleChunks checks each one again as it writes it.
  validateBundleHeader(bundle);
  return bundle;
}

/** Rewards → tree → bundle for one epoch. `onProgress` reports the tree phases. */
export async function computeEpoch(
  meta: EpochMeta,
  input: EpochRewardsInput,
  onProgress?: ProgressFn,
): Promise<EpochComputation> {
  const rewards = computeEpochRewards(input);
  const leaves = treeLeaves(rewards.operators);
  const tree = await buildRewardsTree(leaves.accounts, leaves.amounts, onProgress);
  const bundle = buildBundle(meta, input, rewards, tree.root);
  return { rewards, leaves, tree, bundle };
}
