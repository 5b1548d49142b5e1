/**
 * `oracle verify-epoch <bundle>`: what an auditor runs. Recomputes the epoch from the bundle alone (caps, sums,
 * boosts, rewards, carry, cumulative amounts, root, total) and, given an RPC URL, compares it with the chain:
 * the `RootProposed` event of the epoch (root, total, dataHash), `total + carryOut = emitted(epochEnd)`, and the
 * inputs the bundle claims to have read from the chain — `epochEmission(e)`, `boostParamsAt(snapshot)`, every
 * operator's `stakeAt(operator, snapshot)` and every node's `operatorOf(node)` at the snapshot block (sampled
 * when there are many). Needs nothing from the oracle that wrote the bundle.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { randomInt } from "node:crypto";
import { parseAbi, type PublicClient } from "viem";
import {
  compareWithChain,
  createBundleParser,
  verifyBundle,
  verifyBundleChain,
  verifyFirstBundle,
  type Discrepancy,
  type EpochBundle,
  type Hash,
} from "../epoch/index.js";
import { emissionMinterAbi, minerStakingAbi, rewardsDistributorAbi } from "../chain/abi.js";
import { createChainClient } from "../chain/client.js";
import { findBlockAtTime } from "../chain/findBlockAtTime.js";
import { InputError, errorMessage } from "../lib/errors.js";
import type { Hex } from "../lib/hex.js";
import { withRetry } from "../lib/retry.js";
import { readEpochRoot } from "./publish.js";

/** Reads and parses a bundle file in 1 MiB pieces (it may be hundreds of MB). */
export async function readBundleFile(file: string): Promise<{ bundle: EpochBundle; hash: Hash }> {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${errorMessage(err)}`);
  }
  try {
    const parser = await createBundleParser();
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      parser.write(buf.subarray(0, n));
    }
    return parser.end();
  } catch (err) {
    throw new InputError(`${file} is not a valid epoch bundle: ${errorMessage(err)}`);
  } finally {
    closeSync(fd);
  }
}

export interface VerifyEpochOptions {
  /** The previous epoch's bundle: checks the chain of bundles (carry, cumulative amounts, hash link). */
  previousFile?: string;
  /** Compare with the chain through this JSON-RPC endpoint. */
  rpcUrl?: string;
  /** Stakes and node operators checked on chain: all when at most this many, else a random sample of it. */
  sample?: number | "all";
  /** A chain client to use instead of `rpcUrl` (tests). */
  chain?: PublicClient;
  /** Called with each check as it completes (the CLI prints them). */
  onCheck?: (line: string) => void;
}

export interface VerifyEpochReport {
  ok: boolean;
  epoch: number;
  bundleHash: Hash;
  root: Hash;
  total: bigint;
  /** What was checked, one line each. */
  checks: string[];
  discrepancies: Discrepancy[];
  /** Discrepancies found beyond those listed. */
  omitted: number;
}

const auditAbi = parseAbi([
  "function STAKING() view returns (address)",
  "function emissionMinter() view returns (address)",
]);

export async function verifyEpoch(file: string, opts: VerifyEpochOptions = {}): Promise<VerifyEpochReport> {
  const checks: string[] = [];
  const note = (line: string) => {
    checks.push(line);
    opts.onCheck?.(line);
  };
  const { bundle, hash } = await readBundleFile(file);
  note(
    `parsed ${file}: epoch ${bundle.epoch}, ${bundle.nodes.length} nodes, ${bundle.operators.length} operators, hash ${hash}`,
  );
  const report = await verifyBundle(bundle);
  const discrepancies = [...report.discrepancies];
  note(
    report.ok
      ? `recomputed from the bundle: root ${report.recomputed!.root}, total ${report.recomputed!.total}, carryOut ${report.recomputed!.carryOut}: all match`
      : `recomputed from the bundle: ${report.discrepancies.length + report.omitted} discrepancies`,
  );

  if (opts.previousFile !== undefined) {
    const previous = await readBundleFile(opts.previousFile);
    const found = verifyBundleChain(previous.bundle, previous.hash, bundle);
    discrepancies.push(...found);
    note(
      `continues the previous bundle (epoch ${previous.bundle.epoch}): ${found.length === 0 ? "yes" : `${found.length} discrepancies`}`,
    );
  } else if (bundle.epoch === 0) {
    const found = verifyFirstBundle(bundle);
    discrepancies.push(...found);
    note(
      `first epoch: no carry-in, no earlier cumulative amounts: ${found.length === 0 ? "yes" : `${found.length} discrepancies`}`,
    );
  }

  const chain = opts.chain ?? (opts.rpcUrl !== undefined ? createChainClient(opts.rpcUrl) : undefined);
  if (chain !== undefined)
    discrepancies.push(...(await compareChain(chain, bundle, hash, opts.sample ?? 200, note)));

  return {
    ok: discrepancies.length === 0 && report.omitted === 0,
    epoch: bundle.epoch,
    bundleHash: hash,
    root: bundle.root,
    total: bundle.total,
    checks,
    discrepancies,
    omitted: report.omitted,
  };
}

function pick<T>(items: readonly T[], sample: number | "all"): T[] {
  if (sample === "all" || items.length <= sample) return [...items];
  const chosen = new Set<number>();
  while (chosen.size < sample) chosen.add(randomInt(items.length));
  return [...chosen].sort((a, b) => a - b).map((i) => items[i]!);
}

async function parallel<T>(items: readonly T[], fn: (item: T) => Promise<void>, width = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function compareChain(
  chain: PublicClient,
  b: EpochBundle,
  hash: Hash,
  sample: number | "all",
  note: (line: string) => void,
): Promise<Discrepancy[]> {
  const out: Discrepancy[] = [];
  const add = (subject: string, message: string) => out.push({ kind: "chain", subject, message });
  const read = <T>(what: string, fn: () => Promise<T>) => withRetry(what, fn, { attempts: 4 });

  const chainId = await read("eth_chainId", () => chain.getChainId());
  if (chainId !== b.chainId) {
    add("chainId", `the bundle is for chain ${b.chainId}, the RPC serves chain ${chainId}`);
    return out;
  }
  const distributor = b.distributor as Hex;
  const [staking, minter] = await Promise.all([
    read("STAKING", () =>
      chain.readContract({ address: distributor, abi: auditAbi, functionName: "STAKING" }),
    ),
    read("emissionMinter", () =>
      chain.readContract({ address: distributor, abi: auditAbi, functionName: "emissionMinter" }),
    ),
  ]).catch((err: unknown) => {
    add(
      "distributor",
      `${distributor} does not answer as a RewardsDistributor: ${errorMessage(err).split("\n")[0]}`,
    );
    return [undefined, undefined];
  });
  if (staking === undefined) return out;
  if (staking.toLowerCase() !== b.staking)
    add("staking", `staking ${b.staking} in bundle, the distributor's is ${staking}`);
  if (minter !== undefined && minter.toLowerCase() !== b.minter)
    add("minter", `minter ${b.minter} in bundle, the distributor's is ${minter}`);

  // The proposal: the latest RootProposed event of the epoch (a vetoed epoch is proposed again).
  const logs = await read("RootProposed logs", () =>
    chain.getLogs({
      address: distributor,
      event: rewardsDistributorAbi.find((x) => x.type === "event" && x.name === "RootProposed") as Extract<
        (typeof rewardsDistributorAbi)[number],
        { name: "RootProposed" }
      >,
      args: { epoch: BigInt(b.epoch) },
      fromBlock: "earliest",
      toBlock: "latest",
      strict: true,
    }),
  );
  const proposal = logs[logs.length - 1];
  const emitted = await read("emitted", () =>
    chain.readContract({
      address: b.minter as Hex,
      abi: emissionMinterAbi,
      functionName: "emitted",
      args: [BigInt(b.epochEnd)],
    }),
  );
  if (proposal === undefined) {
    add("RootProposed", `no RootProposed event for epoch ${b.epoch} on chain`);
  } else {
    const found = compareWithChain(b, hash, {
      root: proposal.args.root,
      total: proposal.args.total,
      dataHash: proposal.args.dataHash,
      emittedThroughEpoch: emitted,
    });
    out.push(...found);
    const status = (await read("epochRoot", () => readEpochRoot(chain, distributor, b.epoch))).status;
    note(
      `on chain: RootProposed in block ${proposal.blockNumber} (tx ${proposal.transactionHash}), status ${status}: root, total, dataHash and total + carryOut = emitted(epochEnd) ${found.length === 0 ? "match" : "DIFFER"}`,
    );
  }

  const emission = await read("epochEmission", () =>
    chain.readContract({
      address: b.minter as Hex,
      abi: emissionMinterAbi,
      functionName: "epochEmission",
      args: [BigInt(b.epoch)],
    }),
  );
  if (emission !== b.emission)
    add("emission", `emission ${b.emission} in bundle, epochEmission(${b.epoch}) = ${emission} on chain`);
  const [maxBoostBps, fullStakePerNode] = await read("boostParamsAt", () =>
    chain.readContract({
      address: b.staking as Hex,
      abi: minerStakingAbi,
      functionName: "boostParamsAt",
      args: [BigInt(b.snapshotTime)],
    }),
  );
  if (maxBoostBps !== b.boostParams.maxBoostBps || fullStakePerNode !== b.boostParams.fullStakePerNode) {
    add(
      "boostParams",
      `boostParams ${b.boostParams.maxBoostBps}/${b.boostParams.fullStakePerNode} in bundle, boostParamsAt(${b.snapshotTime}) = ${maxBoostBps}/${fullStakePerNode} on chain`,
    );
  }
  note(
    `emission and boost parameters: ${emission === b.emission && maxBoostBps === b.boostParams.maxBoostBps && fullStakePerNode === b.boostParams.fullStakePerNode ? "match" : "DIFFER"}`,
  );

  const staked = b.operators.filter((r) => r.stake !== null);
  const stakes = pick(staked, sample);
  let stakeErrors = 0;
  await parallel(stakes, async (row) => {
    const onChain = await read("stakeAt", () =>
      chain.readContract({
        address: b.staking as Hex,
        abi: minerStakingAbi,
        functionName: "stakeAt",
        args: [row.operator as Hex, BigInt(b.snapshotTime)],
      }),
    );
    if (onChain !== row.stake) {
      stakeErrors++;
      add(
        row.operator,
        `operator ${row.operator}: stake ${row.stake} in bundle, stakeAt(${b.snapshotTime}) = ${onChain} on chain`,
      );
    }
  });
  note(
    `stakes: ${stakes.length} of ${staked.length} operators checked against stakeAt: ${stakeErrors === 0 ? "match" : `${stakeErrors} differ`}`,
  );

  // Node ownership at the snapshot: operatorOf at the last block of the epoch (needs an archive node).
  if (b.nodes.length > 0) {
    const head = await read("eth_blockNumber", () => chain.getBlockNumber());
    const block = await read("snapshot block", () => findBlockAtTime(chain, b.snapshotTime, 0, Number(head)));
    const nodes = pick(b.nodes, sample);
    let nodeErrors = 0;
    await parallel(nodes, async (row) => {
      const onChain = await read("operatorOf", () =>
        chain.readContract({
          address: b.staking as Hex,
          abi: minerStakingAbi,
          functionName: "operatorOf",
          args: [row.node as Hex],
          blockNumber: BigInt(block),
        }),
      );
      if (onChain.toLowerCase() !== row.operator) {
        nodeErrors++;
        add(
          row.node,
          `node ${row.node}: operator ${row.operator} in bundle, operatorOf = ${onChain} at block ${block}`,
        );
      }
    });
    note(
      `node operators: ${nodes.length} of ${b.nodes.length} nodes checked against operatorOf at block ${block}: ${nodeErrors === 0 ? "match" : `${nodeErrors} differ`}`,
    );
  }
  return out;
}
