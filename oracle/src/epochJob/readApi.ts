/**
 * The read side of the epoch job, for the HTTP API: epoch summaries with their on-chain status, and an
 * account's claimable cumulative amount with its proof, read from the stored tree in O(log n).
 */
import { existsSync } from "node:fs";
import type { AppContext } from "../context.js";
import type { Hash } from "../epoch/index.js";
import { ApiError, OracleError } from "../lib/errors.js";
import type { Hex } from "../lib/hex.js";
import { DistributorView, type DistributorState } from "./chainView.js";
import { EpochStore, type EpochJobRow } from "./store.js";

export type EpochStatus = "aggregated" | "computed" | "signed" | "pending" | "accepted" | "vetoed";

export interface EpochSummary {
  epoch: number;
  status: EpochStatus;
  root: Hash | null;
  total: string | null;
  dataHash: Hash | null;
  accounts: number | null;
  txHash: Hex | null;
  blockNumber: number | null;
  proposedAt: number | null;
  bundle: string | null;
}

export interface EpochDetail extends EpochSummary {
  epochStart: number;
  epochEnd: number;
  snapshotTime: number;
  snapshotBlock: number;
  receipts: { count: number; hash: Hash };
  nodes: number;
  unownedNodes: number;
  operators: number | null;
  emission: string | null;
  carryIn: string | null;
  carryOut: string | null;
  totalWeight: string | null;
  boostParams: { maxBoostBps: string; fullStakePerNode: string } | null;
  bundleBytes: number | null;
  claimableAt: number | null;
  signatures: Hex[] | null;
}

export interface ProofAt {
  epoch: number;
  root: Hash;
  cumulativeAmount: string;
  proof: Hash[];
}

export interface RewardsAnswer {
  account: Hex;
  /** The latest accepted (claimable) epoch listing the account; null when none does yet. */
  epoch: number | null;
  root: Hash | null;
  cumulativeAmount: string;
  claimed: string;
  /** cumulativeAmount − claimed (0 when claimed is ahead, e.g. right after a claim against a newer root). */
  claimable: string;
  proof: Hash[];
  /** The newest proposed root still in its challenge window, when it lists the account. */
  pending: (ProofAt & { claimableAt: number }) | null;
}

export class EpochReadService {
  readonly store: EpochStore;
  private readonly view: DistributorView | undefined;

  constructor(private readonly ctx: AppContext) {
    this.store = new EpochStore(ctx.db);
    const { chain } = ctx;
    const distributor = ctx.runtime.rewardsDistributor;
    this.view =
      chain !== undefined && distributor !== undefined
        ? new DistributorView(chain, distributor, ctx.config.chainCacheMs)
        : undefined;
  }

  private requireView(): DistributorView {
    if (this.view === undefined) {
      throw new ApiError(
        503,
        "unavailable",
        "this oracle has no chain configured (RPC_URL, RewardsDistributor)",
        { expose: true },
      );
    }
    return this.view;
  }

  private async chainState(): Promise<DistributorState | undefined> {
    if (this.view === undefined) return undefined;
    try {
      return await this.view.state();
    } catch (err) {
      throw new OracleError("rpc_unavailable", "reading the distributor failed", {
        cause: err,
        retryable: true,
      });
    }
  }

  private status(row: EpochJobRow, state: DistributorState | undefined): EpochStatus {
    if (row.step !== "proposed") return row.step;
    if (state === undefined) return "pending";
    if (row.epoch < state.nextToAccept) return "accepted";
    if (row.epoch < state.nextToPropose) return "pending";
    return "vetoed";
  }

  private summary(row: EpochJobRow, state: DistributorState | undefined): EpochSummary {
    const hasBundle = row.bundleFile !== undefined;
    return {
      epoch: row.epoch,
      status: this.status(row, state),
      root: row.root ?? null,
      total: row.total?.toString() ?? null,
      dataHash: row.dataHash ?? null,
      accounts: row.accountCount ?? null,
      txHash: row.txHash ?? null,
      blockNumber: row.blockNumber ?? null,
      proposedAt: row.proposedAt ?? null,
      bundle: hasBundle ? `/v1/epochs/${row.epoch}/bundle` : null,
    };
  }

  async list(limit: number, before?: number): Promise<{ epochs: EpochSummary[]; next: number | null }> {
    const rows = await this.store.list(limit, before);
    const state = await this.chainState();
    const last = rows[rows.length - 1];
    return {
      epochs: rows.map((r) => this.summary(r, state)),
      next: rows.length === limit && last !== undefined && last.epoch > 0 ? last.epoch : null,
    };
  }

  private async row(epoch: number): Promise<EpochJobRow> {
    const row = await this.store.get(epoch);
    if (row === undefined)
      throw new ApiError(404, "not_found", `epoch ${epoch} has not been processed by this oracle`);
    return row;
  }

  async detail(epoch: number): Promise<EpochDetail> {
    const row = await this.row(epoch);
    const state = await this.chainState();
    let claimableAt: number | null = null;
    let status = this.status(row, state);
    if (row.step === "proposed" && this.view !== undefined) {
      const onChain = await this.view.epochRoot(epoch);
      claimableAt = onChain.claimableAt || null;
      if (onChain.root !== row.root || onChain.status === "vetoed") status = "vetoed";
    }
    const { epochs } = this.ctx;
    return {
      ...this.summary(row, state),
      status,
      epochStart: epochs.epochStart(epoch),
      epochEnd: epochs.epochEnd(epoch),
      snapshotTime: epochs.epochEnd(epoch) - 1,
      snapshotBlock: row.snapshotBlock,
      receipts: { count: row.receiptsCount, hash: row.receiptsHash },
      nodes: row.nodeCount,
      unownedNodes: row.unownedNodeCount,
      operators: row.operatorCount ?? null,
      emission: row.emission?.toString() ?? null,
      carryIn: row.carryIn?.toString() ?? null,
      carryOut: row.carryOut?.toString() ?? null,
      totalWeight: row.totalWeight?.toString() ?? null,
      boostParams:
        row.maxBoostBps === undefined
          ? null
          : { maxBoostBps: row.maxBoostBps.toString(), fullStakePerNode: row.fullStakePerNode!.toString() },
      bundleBytes: row.bundleBytes ?? null,
      claimableAt,
      signatures: row.signatures ?? null,
    };
  }

  /** The bundle file of an epoch, its hash and size. */
  async bundle(epoch: number): Promise<{ file: string; hash: Hash; bytes: number }> {
    const row = await this.row(epoch);
    if (row.bundleFile === undefined || row.dataHash === undefined) {
      throw new ApiError(404, "not_found", `epoch ${epoch} has no bundle yet (step ${row.step})`);
    }
    if (!existsSync(row.bundleFile)) {
      throw new ApiError(404, "not_found", `the bundle of epoch ${epoch} is not on this server's disk`);
    }
    return { file: row.bundleFile, hash: row.dataHash, bytes: row.bundleBytes! };
  }

  /**
   * The account's leaf and proof in `epoch` (undefined: not a leaf). Throws a retryable error when this oracle
   * does not hold that epoch's tree with the on-chain `root` (another oracle proposed it, or it was pruned).
   */
  private async proofAt(epoch: number, root: Hash, account: Hex): Promise<ProofAt | undefined> {
    const row = await this.store.get(epoch);
    if (row?.root !== root || row.leafCount === undefined) {
      throw new OracleError(
        "tree_missing",
        `this oracle does not hold the tree of epoch ${epoch} (root ${root})`,
        {
          retryable: true,
        },
      );
    }
    const leaf = await this.store.findLeaf(epoch, account);
    if (leaf === undefined) return undefined;
    const proof = await this.store.readProof(epoch, row.leafCount, leaf.treeIndex);
    return { epoch, root, cumulativeAmount: leaf.cumulative.toString(), proof };
  }

  async rewards(account: Hex): Promise<RewardsAnswer> {
    const view = this.requireView();
    const who = account.toLowerCase() as Hex;
    const state = (await this.chainState())!;
    const current =
      state.current === undefined
        ? undefined
        : await this.proofAt(state.current.epoch, state.current.root, who);
    let pending: RewardsAnswer["pending"] = null;
    const newest = state.nextToPropose - 1;
    if (newest >= state.nextToAccept) {
      const onChain = await view.epochRoot(newest);
      if (onChain.status === "pending") {
        const at = await this.proofAt(newest, onChain.root, who).catch(() => undefined);
        if (at !== undefined) pending = { ...at, claimableAt: onChain.claimableAt };
      }
    }
    if (current === undefined && pending === null) {
      const where =
        state.current === undefined
          ? "no root has been accepted on chain yet"
          : `the accepted root of epoch ${state.current.epoch} has no leaf for it`;
      throw new ApiError(
        404,
        "not_found",
        `no rewards for ${who}: ${where}${newest >= state.nextToAccept ? ", nor the pending one" : ""}`,
      );
    }
    const claimed = await view.claimed(who);
    const cumulative = current === undefined ? 0n : BigInt(current.cumulativeAmount);
    return {
      account: who,
      epoch: current?.epoch ?? null,
      root: current?.root ?? null,
      cumulativeAmount: cumulative.toString(),
      claimed: claimed.toString(),
      claimable: (cumulative > claimed ? cumulative - claimed : 0n).toString(),
      proof: current?.proof ?? [],
      pending,
    };
  }
}
