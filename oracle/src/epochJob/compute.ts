/**
 * Step 2 of the epoch job: read the epoch's inputs (aggregate, stakes at the snapshot, boost parameters,
 * emission, carry and cumulative amounts of the previous epoch), compute rewards, tree and bundle with the
 * pure epoch core, write the bundle file, then store the tree (leaves and node layers) and record the step,
 * in one transaction.
 */
import {
  EMPTY_RECEIPTS_HASH,
  ZERO_HASH,
  buildBundle,
  buildRewardsTree,
  computeEpochRewardsSorted,
  treeLeaves,
  type EpochMeta,
  type EpochRewardsInput,
  type NodeTraffic,
  type ProgressFn,
} from "../epoch/index.js";
import { emissionMinterAbi, minerStakingAbi } from "../chain/abi.js";
import { OracleError } from "../lib/errors.js";
import { withRetry } from "../lib/retry.js";
import { writeBundleFile } from "./bundleFile.js";
import type { JobEnv } from "./env.js";
import type { PhaseRecorder } from "./phases.js";
import { crossCheckStakes, readStakesAt, sample, syncStakeEvents } from "./stakes.js";
import { readChunked } from "./sql.js";
import type { ComputedOutputs, EpochJobRow } from "./store.js";

export interface ComputeOptions {
  phases: PhaseRecorder;
  onProgress?: (phase: string, done: number, total: number) => void;
  /**
   * The operators the stake cross-check samples from (default: every operator with traffic). The benchmark,
   * whose synthetic operators exist only in the database, restricts it to the ones staked on chain.
   */
  stakeCheckPool?: readonly string[];
}

/** The per-node aggregate of an epoch, as the reward input. */
export async function readEpochNodes(env: JobEnv, epoch: number): Promise<NodeTraffic[]> {
  const nodes: NodeTraffic[] = [];
  await readChunked(
    env.db,
    `SELECT string_agg(encode(node, 'hex') || encode(operator, 'hex') || bytes::text, ',') AS t
     FROM epoch_nodes WHERE epoch = $1 GROUP BY get_byte(node, 0)`,
    [epoch],
    (item) =>
      nodes.push({
        node: `0x${item.slice(0, 40)}`,
        operator: `0x${item.slice(40, 80)}`,
        bytes: BigInt(item.slice(80)),
      }),
  );
  return nodes;
}

export async function computeEpochOutputs(
  env: JobEnv,
  row: EpochJobRow,
  opts: ComputeOptions,
): Promise<ComputedOutputs> {
  const { chain, logger, epochs, store } = env;
  const epoch = row.epoch;
  const { phases } = opts;
  const epochStart = epochs.epochStart(epoch);
  const epochEnd = epochs.epochEnd(epoch);
  const snapshotTime = epochEnd - 1;

  // The previous epoch: carry, bundle hash and cumulative amounts (the job runs epochs in order).
  let previous: EpochJobRow | undefined;
  if (epoch > 0) {
    previous = await store.get(epoch - 1);
    if (previous?.dataHash === undefined || previous.carryOut === undefined) {
      throw new OracleError("out_of_order", `epoch ${epoch}: epoch ${epoch - 1} has not been computed`);
    }
  }

  const nodes = await phases.run("aggregate", async () => {
    const list = await readEpochNodes(env, epoch);
    if (list.length !== row.nodeCount) {
      throw new Error(`epoch ${epoch}: ${list.length} aggregated nodes read, ${row.nodeCount} recorded`);
    }
    return list;
  });

  const { stakes, boostParams, emission } = await phases.run("stakes", async () => {
    const head = Number(await withRetry("eth_blockNumber", () => chain.getBlockNumber(), { logger }));
    const indexed = await syncStakeEvents(env, head - env.confirmations);
    if (indexed < row.snapshotBlock) {
      throw new OracleError(
        "not_indexed",
        `stake events are indexed through block ${indexed}, the snapshot needs block ${row.snapshotBlock}`,
        { retryable: true },
      );
    }
    const staked = await readStakesAt(env.db, epoch, snapshotTime);
    // Every operator with traffic needs an entry: 0 when it has no stake event up to the snapshot.
    const all = new Map<string, bigint>();
    for (const n of nodes) if (!all.has(n.operator)) all.set(n.operator, staked.get(n.operator) ?? 0n);
    const [params, emission] = await Promise.all([
      withRetry(
        "boostParamsAt",
        () =>
          chain.readContract({
            address: env.staking,
            abi: minerStakingAbi,
            functionName: "boostParamsAt",
            args: [BigInt(snapshotTime)],
          }),
        { logger },
      ),
      withRetry(
        "epochEmission",
        () =>
          chain.readContract({
            address: env.minter,
            abi: emissionMinterAbi,
            functionName: "epochEmission",
            args: [BigInt(epoch)],
          }),
        { logger },
      ),
    ]);
    const pool = opts.stakeCheckPool ?? [...all.keys()];
    const picked = sample(pool, env.stakeCheckSample);
    await crossCheckStakes(env, picked, (op) => all.get(op) ?? 0n, snapshotTime);
    logger.info(
      { epoch, operators: all.size, staked: staked.size, checked: picked.length },
      "stakes at the snapshot read from indexed events and cross-checked against stakeAt",
    );
    return {
      stakes: all,
      boostParams: { maxBoostBps: params[0], fullStakePerNode: params[1] },
      emission,
    };
  });

  // What the bundle records besides the rows (the node list and the stakes are not kept past the rewards).
  const input: EpochRewardsInput = {
    nodes: [],
    nodeCapBytes: env.nodeCapBytes,
    stakes: new Map(),
    boostParams,
    emission,
    carryIn: previous?.carryOut ?? 0n,
    previousCumulative: new Map(),
  };
  const rewards = await phases.run("rewards", async () => {
    // The previous epoch's accounts come sorted from its stored leaves: no Map, no second sort.
    const prior = epoch > 0 ? await store.readLeaves(epoch - 1) : { accounts: [], amounts: [] };
    return computeEpochRewardsSorted(
      { ...input, nodes, stakes },
      { addresses: prior.accounts, amounts: prior.amounts },
    );
  });
  nodes.length = 0;
  stakes.clear();
  if (previous?.total !== undefined && rewards.total < previous.total) {
    throw new Error(`epoch ${epoch}: total ${rewards.total} below the previous total ${previous.total}`);
  }

  const progress: ProgressFn | undefined =
    opts.onProgress === undefined
      ? undefined
      : (phase, done, total) => opts.onProgress!(`tree ${phase}`, done, total);
  const { leaves, tree } = await phases.run("tree", async () => {
    const leaves = treeLeaves(rewards.operators);
    return { leaves, tree: await buildRewardsTree(leaves.accounts, leaves.amounts, progress) };
  });

  const meta: EpochMeta = {
    chainId: env.chainId,
    distributor: env.distributor,
    staking: env.staking,
    minter: env.minter,
    epoch,
    epochStart,
    epochEnd,
    previousBundleHash: previous?.dataHash ?? ZERO_HASH,
    receipts:
      row.receiptsCount === 0
        ? { count: 0, hash: EMPTY_RECEIPTS_HASH }
        : { count: row.receiptsCount, hash: row.receiptsHash },
  };
  const written = await phases.run("bundle", async () => {
    const bundle = buildBundle(meta, input, rewards, tree.root);
    return writeBundleFile(env.bundleDir, bundle, (bytes) => opts.onProgress?.("bundle bytes", bytes, 0));
  });

  // Every emitted wei is in some cumulative amount or carried: total + carryOut = emitted(epochEnd).
  const emitted = await withRetry(
    "emitted",
    () =>
      chain.readContract({
        address: env.minter,
        abi: emissionMinterAbi,
        functionName: "emitted",
        args: [BigInt(epochEnd)],
      }),
    { logger },
  );
  if (rewards.total + rewards.carryOut !== emitted) {
    throw new OracleError(
      "accounting",
      `epoch ${epoch}: total ${rewards.total} + carryOut ${rewards.carryOut} differs from emitted(epochEnd) ${emitted} on chain; stopping before anything is published`,
    );
  }

  const outputs: ComputedOutputs = {
    emission,
    carryIn: input.carryIn,
    maxBoostBps: boostParams.maxBoostBps,
    fullStakePerNode: boostParams.fullStakePerNode,
    totalWeight: rewards.totalWeight,
    carryOut: rewards.carryOut,
    root: tree.root,
    total: rewards.total,
    dataHash: written.hash,
    operatorCount: rewards.operators.length,
    leafCount: tree.leafCount,
    accountCount: leaves.placeholder ? 0 : leaves.accounts.length,
    bundleFile: written.file,
    bundleBytes: written.bytes,
  };
  await phases.run("proofs", () =>
    env.db.transaction(async (tx) => {
      if (!leaves.placeholder) {
        await store.writeLeaves(tx, epoch, leaves.accounts, leaves.amounts, tree.treeIndices);
      }
      await store.writeTree(tx, epoch, tree.nodes);
      await store.setComputed(tx, epoch, outputs);
    }),
  );
  return outputs;
}
