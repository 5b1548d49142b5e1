import type { PublicClient } from "viem";
import type { OracleConfig } from "./config/schema.js";
import { redactConfig } from "./config/load.js";
import { resolveRuntime, type RuntimeParams } from "./config/runtime.js";
import { createChainClient } from "./chain/client.js";
import { checkDeploymentMeta, durabilityWarnings, openAndMigrate } from "./db/open.js";
import type { Db } from "./db/types.js";
import { EpochClock, systemClock, type Clock } from "./lib/epochClock.js";
import { ChainClock } from "./lib/chainClock.js";
import { ConfigError } from "./lib/errors.js";
import { createLogger, type Logger } from "./lib/logger.js";
import { secpIsNative } from "./lib/secp.js";
import { createBatchVerifier, type BatchVerifier } from "./ingest/verifier.js";
import { IngestService } from "./ingest/service.js";
import { ClientsRepository } from "./registry/clients.js";
import { ChainNodeRegistry } from "./registry/chainRegistry.js";
import { loadNodesFile, type NodeRegistry } from "./registry/nodes.js";
import { createMetrics, type Metrics } from "./metrics/metrics.js";

/**
 * Everything the oracle's parts share, built once and passed to factories (no globals). The epoch job
 * and later routes take what they need from here; add new members rather than module-level state.
 */
export interface AppContext {
  config: OracleConfig;
  runtime: RuntimeParams;
  logger: Logger;
  db: Db;
  /** The chain client, when RPC_URL is set. */
  chain: PublicClient | undefined;
  registry: NodeRegistry;
  clients: ClientsRepository;
  epochs: EpochClock;
  /** Unix seconds: the wall clock, or the chain's latest block time with ORACLE_CLOCK=chain. */
  clock: Clock;
  /** The chain clock behind `clock` when ORACLE_CLOCK=chain (tests call its `poll()` after moving time). */
  chainClock: ChainClock | undefined;
  verifier: BatchVerifier;
  ingest: IngestService;
  metrics: Metrics;
}

export interface ContextOverrides {
  logger?: Logger;
  /** Use this database (already migrated) instead of opening one from the config. */
  db?: Db;
  chain?: PublicClient;
  registry?: NodeRegistry;
  clock?: Clock;
  metrics?: Metrics;
}

/**
 * Builds the context: resolves chain parameters, opens and migrates the database, starts the node
 * registry (catching up with the chain) and the verification threads.
 */
export async function createContext(
  config: OracleConfig,
  overrides: ContextOverrides = {},
): Promise<AppContext> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const chain =
    overrides.chain ?? (config.rpcUrl !== undefined ? createChainClient(config.rpcUrl) : undefined);
  const runtime = await resolveRuntime(config, chain, { registryProvided: overrides.registry !== undefined });
  if (!secpIsNative) logger.warn("native secp256k1 binding not loaded: signature checks run ~20x slower");

  if (overrides.clock === undefined && config.clock === "chain" && chain === undefined) {
    throw new ConfigError(["ORACLE_CLOCK=chain needs RPC_URL (the clock is the chain's latest block time)"]);
  }
  const db = overrides.db ?? (await openDb(config, logger));
  const cleanup: (() => Promise<void>)[] = overrides.db ? [] : [() => db.close()];
  try {
    let chainClock: ChainClock | undefined;
    if (overrides.clock === undefined && config.clock === "chain") {
      const started = new ChainClock(chain!, config.pollIntervalMs, logger);
      await started.start();
      cleanup.push(async () => started.stop());
      chainClock = started;
    }
    await checkDeploymentMeta(db, runtime.chainId, runtime.minerStaking);
    for (const warning of await durabilityWarnings(db)) logger.warn(warning);
    const registry = overrides.registry ?? createRegistry(config, runtime, db, chain, logger);
    await registry.start();
    cleanup.push(() => registry.stop());
    const verifier = await createBatchVerifier(runtime.domain, config.verifyThreads);
    const clients = new ClientsRepository(db);
    const epochs = new EpochClock(runtime.genesisTime, runtime.epochLength, config.graceSeconds);
    const clock = overrides.clock ?? chainClock?.now ?? systemClock;
    const metrics = overrides.metrics ?? createMetrics();
    const ingest = new IngestService({
      db,
      registry,
      clients,
      verifier,
      epochs,
      clock,
      limits: { linkCapBitsPerSecond: config.linkCapBitsPerSecond },
    });
    logger.info(
      {
        config: redactConfig(config),
        chainId: runtime.chainId,
        minerStaking: runtime.minerStaking,
        epochLength: runtime.epochLength,
        genesisTime: runtime.genesisTime,
        registry: registry.status(),
        db: db.kind,
        verifyThreads: verifier.threads,
      },
      "oracle context ready",
    );
    return {
      config,
      runtime,
      logger,
      db,
      chain,
      registry,
      clients,
      epochs,
      clock,
      chainClock,
      verifier,
      ingest,
      metrics,
    };
  } catch (err) {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
    throw err;
  }
}

async function openDb(config: OracleConfig, logger: Logger): Promise<Db> {
  const { db, applied } = await openAndMigrate(config);
  if (applied.length > 0) logger.info({ applied }, "database migrated");
  return db;
}

function createRegistry(
  config: OracleConfig,
  runtime: RuntimeParams,
  db: Db,
  chain: PublicClient | undefined,
  logger: Logger,
): NodeRegistry {
  if (runtime.registry.kind === "file") return loadNodesFile(runtime.registry.file);
  return new ChainNodeRegistry({
    db,
    chain: chain!,
    logger,
    minerStaking: runtime.minerStaking,
    deploymentBlock: runtime.deploymentBlock!,
    confirmations: config.confirmations,
    pollIntervalMs: config.pollIntervalMs,
    logChunkBlocks: config.logChunkBlocks,
  });
}

/** Stops what createContext started (the caller closes the HTTP server first). */
export async function closeContext(ctx: AppContext, opts: { keepDb?: boolean } = {}): Promise<void> {
  ctx.chainClock?.stop();
  await ctx.registry.stop();
  await ctx.verifier.close();
  if (!opts.keepDb) await ctx.db.close();
}
