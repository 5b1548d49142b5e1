/**
 * What the run reads back to check it: the read API for every operator, the chain's view of each epoch
 * (emission, stakes and boosts at the snapshot, roots), and the final balances.
 */
import type { Hash } from "viem";
import { createReceiptSetBuilder, type EpochBundle } from "../src/epoch/index.js";
import type { EpochClock } from "../src/lib/epochClock.js";
import { distributorAbi, minterAbi, ROOT_STATUS, stakingAbi, tokenAbi } from "./abi.js";
import { mapLimit, type DevChain } from "./chain.js";
import type { EpochJobOutcome } from "./epochJob.js";
import type { EpochIngest } from "./ingest.js";
import { fetchRewards, receiptMetrics, type RewardsAnswer } from "./oracleHost.js";
import type { ClaimRecord, EpochRecord, FinalRecord, OnChainRoot, ReadApiEntry } from "./record.js";
import type { IngestModel } from "./traffic.js";
import type { World } from "./world.js";

export type RewardsAnswers = Map<string, RewardsAnswer | undefined>;

/** GET /v1/rewards/:account for every operator of the world. */
export async function readAllRewards(url: string, world: World): Promise<RewardsAnswers> {
  const out: RewardsAnswers = new Map();
  await mapLimit(world.operators, 8, async (op) => {
    out.set(op.address, await fetchRewards(url, op.address));
  });
  return out;
}

export async function epochRecord(
  dc: DevChain,
  world: World,
  epochs: EpochClock,
  e: number,
  ingest: EpochIngest,
  model: IngestModel,
  job: EpochJobOutcome,
  answers: RewardsAnswers,
): Promise<EpochRecord> {
  const snapshot = BigInt(epochs.epochEnd(e) - 1);
  const { minter, staking } = dc.contracts;
  const [emission, emittedThrough] = await Promise.all([
    dc.client.readContract({
      address: minter,
      abi: minterAbi,
      functionName: "epochEmission",
      args: [BigInt(e)],
    }),
    dc.client.readContract({
      address: minter,
      abi: minterAbi,
      functionName: "emitted",
      args: [BigInt(epochs.epochEnd(e))],
    }),
  ]);
  const chainStakes = new Map<string, bigint>();
  await mapLimit(world.operators, 16, async (op) => {
    chainStakes.set(
      op.address,
      await dc.client.readContract({
        address: staking,
        abi: stakingAbi,
        functionName: "stakeAt",
        args: [op.address, snapshot],
      }),
    );
  });
  const chainBoosts = new Map<string, bigint>();
  await mapLimit(
    job.bundle.operators.filter((r) => r.nodes > 0),
    16,
    async (row) => {
      chainBoosts.set(
        row.operator,
        await dc.client.readContract({
          address: staking,
          abi: stakingAbi,
          functionName: "boostBps",
          args: [row.operator, BigInt(row.nodes), snapshot],
        }),
      );
    },
  );
  const builder = await createReceiptSetBuilder({ chainId: dc.chainId, verifyingContract: staking }, e);
  for (const r of model.counted(e)) builder.add({ ...r, bytesServed: BigInt(r.bytesServed) });
  const readApi = new Map<string, ReadApiEntry | undefined>();
  for (const [op, a] of answers) {
    readApi.set(
      op,
      a && {
        epoch: a.epoch,
        cumulativeAmount: a.cumulativeAmount,
        pending: a.pending && { epoch: a.pending.epoch, cumulativeAmount: a.pending.cumulativeAmount },
      },
    );
  }
  return {
    epoch: e,
    emission,
    emittedThrough,
    receiptsPosted: ingest.posted,
    answers: ingest.answers,
    mismatches: ingest.mismatches,
    mismatchCount: ingest.mismatchCount,
    expected: await builder.finish(),
    bundle: job.bundle,
    bundleHash: job.hash,
    // Filled in once every root is accepted (fillRootsFromChain).
    onChain: { root: "0x", total: 0n, dataHash: "0x", status: "None" },
    chainStakes,
    chainBoosts,
    readApi,
  };
}

/** Each epoch's root as the distributor holds it now, with the data hash of its (latest) proposal. */
export async function fillRootsFromChain(
  dc: DevChain,
  fromBlock: number,
  records: EpochRecord[],
): Promise<void> {
  const logs = await dc.client.getContractEvents({
    address: dc.contracts.distributor,
    abi: distributorAbi,
    eventName: "RootProposed",
    fromBlock: BigInt(fromBlock),
  });
  const dataHash = new Map<number, Hash>();
  for (const log of logs) dataHash.set(Number(log.args.epoch), log.args.dataHash!);
  for (const r of records) {
    const info = await dc.client.readContract({
      address: dc.contracts.distributor,
      abi: distributorAbi,
      functionName: "epochRoot",
      args: [BigInt(r.epoch)],
    });
    const onChain: OnChainRoot = {
      root: info.root,
      total: info.total,
      dataHash: dataHash.get(r.epoch) ?? "0x",
      status: ROOT_STATUS[info.status] ?? "None",
    };
    r.onChain = onChain;
  }
}

export async function finalRecord(
  dc: DevChain,
  oracleUrl: string,
  claims: ClaimRecord[],
): Promise<FinalRecord> {
  const { distributor, token } = dc.contracts;
  const [distributorBalance, funded, current, nextEpochToAccept, metrics] = await Promise.all([
    dc.client.readContract({ address: token, abi: tokenAbi, functionName: "balanceOf", args: [distributor] }),
    dc.client.readContract({ address: distributor, abi: distributorAbi, functionName: "funded" }),
    dc.client.readContract({ address: distributor, abi: distributorAbi, functionName: "currentRoot" }),
    dc.client.readContract({ address: distributor, abi: distributorAbi, functionName: "nextEpochToAccept" }),
    receiptMetrics(oracleUrl),
  ]);
  return {
    claims,
    distributorBalance,
    funded,
    currentRoot: { epoch: Number(current[0]), root: current[1] },
    nextEpochToAccept: Number(nextEpochToAccept),
    metrics,
  };
}
