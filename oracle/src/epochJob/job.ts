/**
 * The epoch job (SPEC §6): for every closed epoch not yet published, in order from 0,
 *
 *   aggregated  seal the epoch, snapshot block, bytes per node and their operators, receipts hash
 *   computed    stakes (indexed events, sampled against stakeAt), boost, rewards, carry, cumulative totals,
 *               tree (stored as node layers), bundle file
 *   signed      the oracle signatures over EpochRoot(epoch, root, total, dataHash)
 *   proposed    mint() if the emission is not minted yet, proposeRoot, confirmed
 *
 * Each step writes its output and moves the cursor (`epoch_jobs.step`) in one transaction, so a job killed
 * anywhere resumes at the step that did not commit and, the inputs being fixed once the epoch is sealed,
 * produces the identical root and bundle. Transactions are stored before they are broadcast and the chain is
 * asked before each send, so nothing is proposed twice. One job runs at a time per database (advisory lock).
 */
import type { AppContext } from "../context.js";
import type { Hash } from "../epoch/index.js";
import { findBlockAtTime } from "../chain/findBlockAtTime.js";
import { emissionMinterAbi } from "../chain/abi.js";
import { TxSender, type TxHookPoint, type TxKind } from "../chain/txSender.js";
import { InputError, OracleError } from "../lib/errors.js";
import type { Hex } from "../lib/hex.js";
import { withRetry } from "../lib/retry.js";
import { aggregateEpoch } from "./aggregate.js";
import { hashFile } from "./bundleFile.js";
import { computeEpochOutputs } from "./compute.js";
import { jobEnv, type JobEnv } from "./env.js";
import { withJobLock } from "./lock.js";
import { PhaseRecorder, type PhaseTiming } from "./phases.js";
import { publishRoot, readNextEpochs, signRoot } from "./publish.js";
import type { EpochJobRow } from "./store.js";

/** Points after which a test hook runs (it may throw, or kill the process, to simulate a crash there). */
export type JobHookPoint =
  "aggregated" | "computed" | "signed" | "minted" | `${TxKind}:${TxHookPoint}` | "proposed";

export interface RunEpochJobOptions {
  /** Run every pending epoch through this one (default: the last closed epoch). */
  epoch?: number;
  /** Progress of long phases (tree building, bundle writing). */
  onProgress?: (what: string, done: number, total: number) => void;
  /** Called at the end of each phase. */
  onPhase?: (epoch: number, timing: PhaseTiming) => void;
  /** Test hook, see {@link JobHookPoint}. */
  hook?: (point: JobHookPoint, epoch: number) => void | Promise<void>;
  /** See `ComputeOptions.stakeCheckPool` (benchmark only). */
  stakeCheckPool?: readonly string[];
}

export interface EpochJobResult {
  epoch: number;
  /** True when the epoch was already published before this run (nothing was redone). */
  alreadyDone: boolean;
  root: Hash;
  total: bigint;
  dataHash: Hash;
  carryOut: bigint;
  accountCount: number;
  bundleFile: string;
  txHash: Hex | undefined;
  blockNumber: number | undefined;
  phases: PhaseTiming[];
}

/** The last epoch whose receipts are final at `now` (end + grace passed), or -1. */
export function lastClosedEpoch(ctx: Pick<AppContext, "epochs">, now: number): number {
  return Math.max(-1, ctx.epochs.epochAt(now - ctx.epochs.graceSeconds) - 1);
}

/**
 * Runs the epoch job in-process: every epoch from the first one not yet proposed through `opts.epoch` (default:
 * the last closed one), in order. Returns one result per epoch handled (including `opts.epoch` when it was
 * already done). Throws {@link InputError} for an epoch that is not closed yet, `JobBusyError` while another
 * job runs, and the first step's error otherwise (retryable ones are marked `retryable`).
 */
export async function runEpochJob(ctx: AppContext, opts: RunEpochJobOptions = {}): Promise<EpochJobResult[]> {
  const env = jobEnv(ctx);
  const now = ctx.clock();
  const closed = lastClosedEpoch(ctx, now);
  const target = opts.epoch ?? closed;
  if (!Number.isSafeInteger(target) || target < -1) throw new InputError(`bad epoch ${String(opts.epoch)}`);
  if (target > closed) {
    const closesAt = ctx.epochs.epochEnd(target) + ctx.epochs.graceSeconds;
    throw new InputError(
      `epoch ${target} is not closed yet: it ends at ${ctx.epochs.epochEnd(target)} and takes late receipts until ${closesAt} (now ${now})`,
    );
  }
  if (target < 0) return [];
  return withJobLock(env.db, async () => {
    let currentEpoch = 0;
    const sender = new TxSender({
      db: env.db,
      chain: env.chain,
      chainId: env.chainId,
      account: env.signers[0]!,
      logger: env.logger,
      timeoutMs: env.txTimeoutMs,
      hook: async (point, kind) => {
        await opts.hook?.(`${kind}:${point}`, currentEpoch);
      },
    });
    const results: EpochJobResult[] = [];
    const proposed = await env.store.proposedCount();
    const { nextToPropose } = await withRetry("read the distributor", () =>
      readNextEpochs(env.chain, env.distributor),
    );
    if (nextToPropose < proposed) {
      throw new OracleError(
        "vetoed",
        `the root of epoch ${nextToPropose} was vetoed on chain (the distributor expects epoch ${nextToPropose} next; this oracle proposed through ${proposed - 1}): remove the cause, then \`oracle epoch reset --from ${nextToPropose}\` (docs/oracle-epoch-job.md, "After a veto")`,
      );
    }
    const first = Math.min(proposed, target);
    for (let epoch = first; epoch <= target; epoch++) {
      currentEpoch = epoch;
      results.push(await runOne(env, epoch, sender, opts));
    }
    await prune(env, target);
    return results;
  });
}

async function runOne(
  env: JobEnv,
  epoch: number,
  sender: TxSender,
  opts: RunEpochJobOptions,
): Promise<EpochJobResult> {
  const { store, logger } = env;
  const phases = new PhaseRecorder((t) => {
    logger.info({ epoch, phase: t.phase, seconds: Number(t.seconds.toFixed(3)) }, "epoch job phase done");
    opts.onPhase?.(epoch, t);
  });
  let row = await store.get(epoch);
  const alreadyDone = row?.step === "proposed";
  if (!alreadyDone) logger.info({ epoch, from: row?.step ?? "start" }, "epoch job running");

  if (row === undefined) {
    row = await phases.run("aggregate", async () => {
      const snapshotBlock = await snapshotBlockOf(env, epoch, sender);
      return aggregateEpoch(env, epoch, snapshotBlock);
    });
    await opts.hook?.("aggregated", epoch);
  }
  if (row.step === "computed" || row.step === "signed") row = await checkBundleFile(env, row, phases, opts);
  if (row.step === "aggregated") {
    await computeEpochOutputs(env, row, {
      phases,
      ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
      ...(opts.stakeCheckPool !== undefined ? { stakeCheckPool: opts.stakeCheckPool } : {}),
    });
    row = (await store.get(epoch))!;
    await opts.hook?.("computed", epoch);
  }
  if (row.step === "computed") {
    await phases.run("publish", () => signRoot(env, row!));
    row = (await store.get(epoch))!;
    await opts.hook?.("signed", epoch);
  }
  if (row.step === "signed") {
    const signed = row;
    await phases.run("publish", () => publishRoot(env, signed, sender, (point) => opts.hook?.(point, epoch)));
    row = (await store.get(epoch))!;
  }
  return {
    epoch,
    alreadyDone,
    root: row.root!,
    total: row.total!,
    dataHash: row.dataHash!,
    carryOut: row.carryOut!,
    accountCount: row.accountCount!,
    bundleFile: row.bundleFile!,
    txHash: row.txHash,
    blockNumber: row.blockNumber,
    phases: phases.timings,
  };
}

/**
 * The last block at or before the snapshot instant (epochEnd − 1). Needs a chain head at or after the epoch
 * end (then no later block can have an earlier timestamp). A chain that has not moved since (a devnet with no
 * traffic) is moved by the epoch's `mint()`, which the job sends anyway.
 */
async function snapshotBlockOf(env: JobEnv, epoch: number, sender: TxSender): Promise<number> {
  const { chain, logger } = env;
  const end = env.epochs.epochEnd(epoch);
  const head = async () =>
    withRetry("eth_getBlockByNumber", () => chain.getBlock({ blockTag: "latest" }), { logger });
  let latest = await head();
  if (Number(latest.timestamp) < end) {
    const minted = await withRetry(
      "mintedThroughEpoch",
      () =>
        chain.readContract({
          address: env.minter,
          abi: emissionMinterAbi,
          functionName: "mintedThroughEpoch",
        }),
      { logger },
    );
    if (minted <= BigInt(epoch)) {
      await sender.send({
        kind: "mint",
        epoch,
        address: env.minter,
        abi: emissionMinterAbi,
        functionName: "mint",
        args: [],
        isDone: async () => Number((await chain.getBlock({ blockTag: "latest" })).timestamp) >= end,
      });
      latest = await head();
    }
    if (Number(latest.timestamp) < end) {
      throw new OracleError(
        "chain_behind",
        `the chain's latest block (time ${latest.timestamp}) is before the end of epoch ${epoch} (${end}); waiting for the chain`,
        { retryable: true },
      );
    }
  }
  const previous = epoch > 0 ? await env.store.get(epoch - 1) : undefined;
  const low = Math.max(0, previous?.snapshotBlock ?? env.deploymentBlock);
  const block = await withRetry(
    "find the snapshot block",
    () => findBlockAtTime(chain, end - 1, low, Number(latest.number)),
    { logger },
  );
  const confirmed = Number(latest.number) - env.confirmations;
  if (block > confirmed) {
    throw new OracleError(
      "not_confirmed",
      `the snapshot block ${block} of epoch ${epoch} has fewer than ORACLE_CONFIRMATIONS=${env.confirmations} blocks after it`,
      { retryable: true },
    );
  }
  return block;
}

/**
 * Before signing or publishing, the bundle file must hold the recorded bytes. If it is missing or differs
 * (the bundle directory was lost), the epoch is recomputed from its recorded inputs, which must give the same
 * root and bundle hash again.
 */
async function checkBundleFile(
  env: JobEnv,
  row: EpochJobRow,
  phases: PhaseRecorder,
  opts: RunEpochJobOptions,
): Promise<EpochJobRow> {
  if ((await hashFile(row.bundleFile!)) === row.dataHash) return row;
  env.logger.warn(
    { epoch: row.epoch, file: row.bundleFile },
    "bundle file missing or changed; recomputing the epoch",
  );
  await env.store.resetToAggregated(row.epoch);
  const again = await computeEpochOutputs(env, (await env.store.get(row.epoch))!, {
    phases,
    ...(opts.stakeCheckPool !== undefined ? { stakeCheckPool: opts.stakeCheckPool } : {}),
  });
  if (again.root !== row.root || again.dataHash !== row.dataHash) {
    throw new OracleError(
      "not_reproducible",
      `epoch ${row.epoch}: recomputed root ${again.root} / bundle ${again.dataHash} differ from the recorded ${row.root} / ${row.dataHash}`,
    );
  }
  return (await env.store.get(row.epoch))!;
}

/**
 * Keeps the stored trees that can still be served: the pending roots, the current and the previous accepted
 * root (claims may prove against either), and the latest epoch (the next one starts from its amounts).
 */
async function prune(env: JobEnv, latest: number): Promise<void> {
  try {
    const { nextToAccept } = await readNextEpochs(env.chain, env.distributor);
    await env.store.pruneTrees(Math.max(0, Math.min(latest, nextToAccept - 2)));
  } catch (err) {
    env.logger.warn({ err: (err as Error).message }, "pruning old epoch trees failed; will retry next run");
  }
}
