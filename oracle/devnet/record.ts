/**
 * What a devnet run observed: per epoch, the answers the oracle gave, what the simulation expected, the
 * bundle, and what the chain says; at the end, every claim and the balances. The checks and the summary
 * are pure functions of this record.
 */
import type { EpochBundle, Hash, ReceiptSetSummary } from "../src/epoch/index.js";
import type { ReceiptResult } from "../src/ingest/reasons.js";
import type { Hex } from "../src/lib/hex.js";
import type { Intent } from "./traffic.js";
import type { ClaimMode, Profile, StakePlan } from "./world.js";

export type ResultCounts = Partial<Record<ReceiptResult, number>>;

/** An answer of the oracle that differs from the simulation's expectation. */
export interface AnswerMismatch {
  intent: Intent;
  node: Hex;
  client: Hex;
  bytesServed: number;
  expected: ReceiptResult;
  got: ReceiptResult;
}

/** A root as the distributor holds it. */
export interface OnChainRoot {
  root: Hash;
  total: bigint;
  /** From the RootProposed event of the proposal. */
  dataHash: Hash;
  status: "None" | "Pending" | "Accepted" | "Vetoed";
}

/** What the read API said for an account after an epoch's job ran. */
export interface ReadApiEntry {
  /** The latest accepted epoch listing the account (null: none yet) and its amount there. */
  epoch: number | null;
  cumulativeAmount: bigint;
  /** Its amount in a newer root still in its challenge window. */
  pending: { epoch: number; cumulativeAmount: bigint } | undefined;
}

export interface EpochRecord {
  epoch: number;
  /** `EmissionMinter.epochEmission(epoch)`. */
  emission: bigint;
  /** `EmissionMinter.emitted(epochEnd)`: everything emitted since genesis through this epoch. */
  emittedThrough: bigint;
  receiptsPosted: number;
  /** The oracle's answers to this epoch's posts, by result. */
  answers: ResultCounts;
  /** The first answers that differ from the simulation's (all are counted in `mismatchCount`). */
  mismatches: AnswerMismatch[];
  mismatchCount: number;
  /** The counted receipt set the simulation expects (latest accepted receipt per session). */
  expected: ReceiptSetSummary;
  bundle: EpochBundle;
  bundleHash: Hash;
  onChain: OnChainRoot;
  /** `stakeAt(operator, snapshotTime)` for every operator of the world. */
  chainStakes: Map<string, bigint>;
  /** `boostBps(operator, nodes with traffic, snapshotTime)` for every operator row with traffic. */
  chainBoosts: Map<string, bigint>;
  /**
   * The read API's answer for every operator, read right after the job and the acceptance of the roots
   * that were due: the previous epoch accepted, this one pending (undefined: 404, no root lists it).
   */
  readApi: Map<string, ReadApiEntry | undefined>;
}

export interface ClaimRecord {
  operator: Hex;
  mode: ClaimMode;
  /** Σ of its `Claimed` events. */
  paid: bigint;
  /** `RewardsDistributor.claimed(operator)` after the claims. */
  claimedOnChain: bigint;
  /** The cumulative amount the read API gave for the claim. */
  readApiCumulative: bigint;
  /** Its cumulative amount in the last bundle (0 when not a leaf). */
  bundleCumulative: bigint;
  stakeBefore: bigint;
  stakeAfter: bigint;
  balanceBefore: bigint;
  balanceAfter: bigint;
}

export interface OperatorInfo {
  index: number;
  address: Hex;
  profile: Profile;
  nodes: number;
  stakePlan: StakePlan;
  claimMode: ClaimMode;
}

export interface FinalRecord {
  claims: ClaimRecord[];
  /** MSN held by the distributor after the claims. */
  distributorBalance: bigint;
  /** `RewardsDistributor.funded()`. */
  funded: bigint;
  currentRoot: { epoch: number; root: Hash };
  nextEpochToAccept: number;
  /** The oracle's `oracle_receipts_total` counters from GET /metrics. */
  metrics: ResultCounts;
}

export interface RunInfo {
  seed: string;
  nodes: number;
  operators: number;
  epochs: number;
  rpcUrl: string;
  chainId: number;
  oracleUrl: string;
  dataDir: string;
  deploymentsFile: string;
  fault: string | undefined;
}

export interface DevnetRecord {
  info: RunInfo;
  operators: OperatorInfo[];
  epochs: EpochRecord[];
  final: FinalRecord;
}
