import path from "node:path";
import type { LocalAccount, PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { AppContext } from "../context.js";
import type { Db } from "../db/types.js";
import { ConfigError } from "../lib/errors.js";
import type { EpochClock, Clock } from "../lib/epochClock.js";
import type { Hex } from "../lib/hex.js";
import type { Logger } from "../lib/logger.js";
import type { NodeRegistry } from "../registry/nodes.js";
import { EpochStore } from "./store.js";

/** What the epoch job needs from the context, checked once: chain, contracts, signer keys, directories. */
export interface JobEnv {
  db: Db;
  store: EpochStore;
  chain: PublicClient;
  logger: Logger;
  clock: Clock;
  epochs: EpochClock;
  registry: NodeRegistry;
  chainId: number;
  distributor: Hex;
  minter: Hex;
  staking: Hex;
  deploymentBlock: number;
  confirmations: number;
  logChunkBlocks: number;
  /** Per-node byte cap of an epoch: link cap × epoch length / 8. */
  nodeCapBytes: bigint;
  /** The oracle signer(s); the first sends the transactions. */
  signers: LocalAccount[];
  bundleDir: string;
  stakeCheckSample: number;
  txTimeoutMs: number;
}

/** The bundle directory: ORACLE_BUNDLE_DIR, else `<dataDir>/bundles`. */
export function bundleDirOf(config: AppContext["config"]): string {
  return path.resolve(config.bundleDir ?? path.join(config.dataDir, "bundles"));
}

/** Builds the job's environment from the context; lists everything missing at once. */
export function jobEnv(ctx: AppContext, opts: { needSigner?: boolean } = {}): JobEnv {
  const { config, runtime } = ctx;
  const problems: string[] = [];
  if (ctx.chain === undefined) problems.push("the epoch job needs a chain: set RPC_URL");
  if (runtime.rewardsDistributor === undefined) {
    problems.push(
      "RewardsDistributor address unknown: set ORACLE_DEPLOYMENTS_FILE (contracts.RewardsDistributor) or ORACLE_REWARDS_DISTRIBUTOR",
    );
  }
  if (runtime.emissionMinter === undefined) {
    problems.push("EmissionMinter address unknown: set ORACLE_DEPLOYMENTS_FILE or ORACLE_EMISSION_MINTER");
  }
  if (runtime.deploymentBlock === undefined) {
    problems.push("deployment block unknown: set ORACLE_DEPLOYMENTS_FILE or ORACLE_DEPLOYMENT_BLOCK");
  }
  if (runtime.registry.kind === "file") {
    problems.push(
      "the epoch job needs node ownership history from the chain: unset ORACLE_NODES_FILE (MinerStaking events are indexed instead)",
    );
  }
  const keys = config.signerKeys ?? [];
  if ((opts.needSigner ?? true) && keys.length === 0) {
    problems.push("no oracle signer: set ORACLE_SIGNER_KEY (private key of a member of the oracle set)");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    db: ctx.db,
    store: new EpochStore(ctx.db),
    chain: ctx.chain!,
    logger: ctx.logger,
    clock: ctx.clock,
    epochs: ctx.epochs,
    registry: ctx.registry,
    chainId: runtime.chainId,
    distributor: runtime.rewardsDistributor!,
    minter: runtime.emissionMinter!,
    staking: runtime.minerStaking,
    deploymentBlock: runtime.deploymentBlock!,
    confirmations: config.confirmations,
    logChunkBlocks: config.logChunkBlocks,
    nodeCapBytes: (BigInt(config.linkCapBitsPerSecond) * BigInt(runtime.epochLength)) / 8n,
    signers: keys.map((k) => privateKeyToAccount(k as Hex)),
    bundleDir: bundleDirOf(config),
    stakeCheckSample: config.stakeCheckSample,
    txTimeoutMs: config.txTimeoutMs,
  };
}
