import type { Hex } from "../lib/hex.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Where "now" comes from: the machine's clock, or the chain's latest block timestamp (devnets). */
export const CLOCK_SOURCES = ["system", "chain"] as const;
export type ClockSource = (typeof CLOCK_SOURCES)[number];

/**
 * The oracle's configuration, flat: the JSON config file uses these keys, each also has an environment
 * variable (see FIELDS). Values that the chain provides (chain id, contract addresses, epoch length and
 * genesis time) are optional here; `resolveRuntime` fills them in from the deployments file and the chain.
 */
export interface OracleConfig {
  host: string;
  port: number;
  logLevel: LogLevel;
  /** PGlite data directory (embedded database), used when `databaseUrl` is not set. */
  dataDir: string;
  /** PostgreSQL connection string; when set, the oracle uses that server instead of PGlite. */
  databaseUrl?: string;
  dbPoolSize: number;

  rpcUrl?: string;
  /** `deployments/<network>.json` written by the deploy script. */
  deploymentsFile?: string;
  /** Shorthand for `deploymentsFile = deployments/<network>.json`. */
  network?: string;
  chainId?: number;
  minerStaking?: Hex;
  emissionMinter?: Hex;
  deploymentBlock?: number;
  /** Blocks behind the head the node indexer stays (reorg safety). */
  confirmations: number;
  pollIntervalMs: number;
  /** Blocks per `eth_getLogs` call of the node indexer. */
  logChunkBlocks: number;

  /** Override of `EmissionMinter.EPOCH_LENGTH()` (seconds); for running without a chain. */
  epochLength?: number;
  /** Override of `EmissionMinter.GENESIS_TIME()` (unix seconds); for running without a chain. */
  genesisTime?: number;
  /** How long after its end an epoch still accepts receipts (seconds). */
  graceSeconds: number;

  maxBatch: number;
  bodyLimitBytes: number;
  /** Requests per window per client IP. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** A node's physical link cap (bits per second): a receipt above cap x epoch length is impossible. */
  linkCapBitsPerSecond: number;
  /** Quota given to clients added without an explicit one (bytes per epoch). */
  defaultQuotaBytes: number;

  /** RewardsDistributor address (default: deployments file); the epoch job proposes roots there. */
  rewardsDistributor?: Hex;
  /**
   * Private keys of the oracle signer(s) whose EIP-712 signatures the job puts on each root (as many as the
   * distributor's threshold). The first one also sends the transactions (mint, proposeRoot, acceptRoot).
   */
  signerKeys?: Hex[];
  /** "system" (wall clock) or "chain" (latest block timestamp, polled: for devnets that move chain time). */
  clock: ClockSource;
  /** Where the epoch bundles are written (default: `<dataDir>/bundles`). */
  bundleDir?: string;
  /** `oracle serve` runs the epoch job after each epoch end + grace, and accepts roots when due. */
  epochAutoRun: boolean;
  /** Operators whose event-indexed stake is checked against `stakeAt` on chain, per epoch job run. */
  stakeCheckSample: number;
  /** How long the job waits for a sent transaction before it rebroadcasts it (ms). */
  txTimeoutMs: number;
  /** How long the read API reuses what it read from the distributor (roots, claimed amounts), in ms. */
  chainCacheMs: number;

  /** A JSON file `{ "<node>": "<operator>" }` used as the node registry instead of the chain. */
  nodesFile?: string;
  /** Signature verification threads (0 = verify on the main thread). */
  verifyThreads: number;
  /** Serve the Swagger UI at /docs. */
  docsUi: boolean;
  /**
   * The JSON-RPC URL the web app offers a wallet when it must add the chain (public: unlike `rpcUrl`, which
   * may hold an API key, it is sent to browsers). Unset: the wallet must know the chain already.
   */
  webRpcUrl?: string;
  /** The built web app (index.html and its bundle) served at `/`; default: oracle/web/dist. */
  webDir?: string;
  /** Take the client IP (rate limit, logs) from X-Forwarded-For: only behind a trusted proxy. */
  trustProxy: boolean;
}

type Kind = "int" | "string" | "url" | "dburl" | "address" | "path" | "bool" | "level" | "keys" | "clock";

export interface Field {
  key: keyof OracleConfig;
  env: string;
  kind: Kind;
  min?: number;
  max?: number;
  /** Never echo the value (it may hold a password or an API key). */
  secret?: boolean;
  description: string;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Every setting: its environment variable, type, bounds and meaning. docs/oracle-ingest.md lists them. */
export const FIELDS: readonly Field[] = [
  { key: "host", env: "ORACLE_HOST", kind: "string", description: "address the HTTP server binds" },
  {
    key: "port",
    env: "ORACLE_PORT",
    kind: "int",
    min: 0,
    max: 65535,
    description: "HTTP port (0 = any free port)",
  },
  { key: "logLevel", env: "LOG_LEVEL", kind: "level", description: "pino log level" },
  { key: "dataDir", env: "ORACLE_DATA_DIR", kind: "path", description: "PGlite data directory" },
  {
    key: "databaseUrl",
    env: "DATABASE_URL",
    kind: "dburl",
    secret: true,
    description: "PostgreSQL URL; replaces PGlite",
  },
  {
    key: "dbPoolSize",
    env: "ORACLE_DB_POOL_SIZE",
    kind: "int",
    min: 1,
    max: 100,
    description: "PostgreSQL connections per process",
  },
  { key: "rpcUrl", env: "RPC_URL", kind: "url", secret: true, description: "JSON-RPC endpoint of the chain" },
  {
    key: "deploymentsFile",
    env: "ORACLE_DEPLOYMENTS_FILE",
    kind: "path",
    description: "deployments/<network>.json",
  },
  {
    key: "network",
    env: "ORACLE_NETWORK",
    kind: "string",
    description: "network name: reads deployments/<network>.json",
  },
  {
    key: "chainId",
    env: "ORACLE_CHAIN_ID",
    kind: "int",
    min: 1,
    max: MAX_SAFE,
    description: "chain id (default: deployments file)",
  },
  {
    key: "minerStaking",
    env: "ORACLE_MINER_STAKING",
    kind: "address",
    description: "MinerStaking address (default: deployments file)",
  },
  {
    key: "emissionMinter",
    env: "ORACLE_EMISSION_MINTER",
    kind: "address",
    description: "EmissionMinter address (default: deployments file)",
  },
  {
    key: "deploymentBlock",
    env: "ORACLE_DEPLOYMENT_BLOCK",
    kind: "int",
    min: 0,
    max: MAX_SAFE,
    description: "first block the indexer reads (default: deployments file)",
  },
  {
    key: "confirmations",
    env: "ORACLE_CONFIRMATIONS",
    kind: "int",
    min: 0,
    max: 10_000,
    description: "blocks behind head the indexer stays",
  },
  {
    key: "pollIntervalMs",
    env: "ORACLE_POLL_INTERVAL_MS",
    kind: "int",
    min: 10,
    max: 3_600_000,
    description: "indexer polling interval",
  },
  {
    key: "logChunkBlocks",
    env: "ORACLE_LOG_CHUNK_BLOCKS",
    kind: "int",
    min: 1,
    max: 10_000_000,
    description: "blocks per eth_getLogs call",
  },
  {
    key: "epochLength",
    env: "ORACLE_EPOCH_LENGTH",
    kind: "int",
    min: 1,
    max: 365 * 86400,
    description: "override EmissionMinter.EPOCH_LENGTH() (s)",
  },
  {
    key: "genesisTime",
    env: "ORACLE_GENESIS_TIME",
    kind: "int",
    min: 0,
    max: MAX_SAFE,
    description: "override EmissionMinter.GENESIS_TIME() (unix s)",
  },
  {
    key: "graceSeconds",
    env: "ORACLE_GRACE_SECONDS",
    kind: "int",
    min: 0,
    max: MAX_SAFE,
    description: "late receipts accepted this long after epoch end",
  },
  {
    key: "maxBatch",
    env: "ORACLE_MAX_BATCH",
    kind: "int",
    min: 1,
    max: 10_000,
    description: "receipts per POST /v1/receipts",
  },
  {
    key: "bodyLimitBytes",
    env: "ORACLE_BODY_LIMIT_BYTES",
    kind: "int",
    min: 1024,
    max: 64 * 1024 * 1024,
    description: "request body size limit",
  },
  {
    key: "rateLimitMax",
    env: "ORACLE_RATE_LIMIT_MAX",
    kind: "int",
    min: 1,
    max: MAX_SAFE,
    description: "requests per window per IP",
  },
  {
    key: "rateLimitWindowMs",
    env: "ORACLE_RATE_LIMIT_WINDOW_MS",
    kind: "int",
    min: 1,
    max: 86_400_000,
    description: "rate-limit window",
  },
  {
    key: "linkCapBitsPerSecond",
    env: "ORACLE_LINK_CAP_BPS",
    kind: "int",
    min: 1,
    max: MAX_SAFE,
    description: "node link cap, bits/s",
  },
  {
    key: "defaultQuotaBytes",
    env: "ORACLE_DEFAULT_QUOTA_BYTES",
    kind: "int",
    min: 0,
    max: MAX_SAFE,
    description: "default per-client quota, bytes/epoch",
  },
  {
    key: "rewardsDistributor",
    env: "ORACLE_REWARDS_DISTRIBUTOR",
    kind: "address",
    description: "RewardsDistributor address (default: deployments file)",
  },
  {
    key: "signerKeys",
    env: "ORACLE_SIGNER_KEY",
    kind: "keys",
    secret: true,
    description: "oracle signer private key(s), comma-separated; the first sends the transactions",
  },
  {
    key: "clock",
    env: "ORACLE_CLOCK",
    kind: "clock",
    description: "system (wall clock) or chain (latest block timestamp, polled)",
  },
  { key: "bundleDir", env: "ORACLE_BUNDLE_DIR", kind: "path", description: "epoch bundle directory" },
  {
    key: "epochAutoRun",
    env: "ORACLE_EPOCH_AUTORUN",
    kind: "bool",
    description: "serve runs the epoch job and acceptRoot when due",
  },
  {
    key: "stakeCheckSample",
    env: "ORACLE_STAKE_CHECK_SAMPLE",
    kind: "int",
    min: 0,
    max: 100_000,
    description: "operators whose indexed stake is checked against stakeAt per job",
  },
  {
    key: "txTimeoutMs",
    env: "ORACLE_TX_TIMEOUT_MS",
    kind: "int",
    min: 1000,
    max: 3_600_000,
    description: "wait for a sent transaction before rebroadcasting it",
  },
  {
    key: "chainCacheMs",
    env: "ORACLE_CHAIN_CACHE_MS",
    kind: "int",
    min: 0,
    max: 600_000,
    description: "read API cache of distributor state and claimed amounts",
  },
  {
    key: "nodesFile",
    env: "ORACLE_NODES_FILE",
    kind: "path",
    description: "static node registry (JSON) instead of the chain",
  },
  {
    key: "verifyThreads",
    env: "ORACLE_VERIFY_THREADS",
    kind: "int",
    min: 0,
    max: 64,
    description: "signature verification threads",
  },
  { key: "docsUi", env: "ORACLE_DOCS_UI", kind: "bool", description: "serve Swagger UI at /docs" },
  {
    key: "webRpcUrl",
    env: "ORACLE_WEB_RPC_URL",
    kind: "url",
    description: "public JSON-RPC URL the web app gives wallets to add the chain (sent to browsers)",
  },
  {
    key: "webDir",
    env: "ORACLE_WEB_DIR",
    kind: "path",
    description: "built web app served at / (default oracle/web/dist, from npm run build:web)",
  },
  {
    key: "trustProxy",
    env: "ORACLE_TRUST_PROXY",
    kind: "bool",
    description: "client IP from X-Forwarded-For (behind a trusted load balancer)",
  },
];

export const DEFAULTS: OracleConfig = {
  host: "127.0.0.1",
  port: 8787,
  logLevel: "info",
  dataDir: ".data/oracle",
  dbPoolSize: 10,
  confirmations: 2,
  pollIntervalMs: 5_000,
  logChunkBlocks: 10_000,
  graceSeconds: 3_600,
  maxBatch: 1_000,
  bodyLimitBytes: 1024 * 1024,
  rateLimitMax: 600,
  rateLimitWindowMs: 60_000,
  linkCapBitsPerSecond: 10_000_000_000,
  defaultQuotaBytes: 100 * 1024 ** 4, // 100 TiB per epoch
  verifyThreads: -1, // replaced by the number of cores at load time
  docsUi: true,
  trustProxy: false,
  clock: "system",
  epochAutoRun: true,
  stakeCheckSample: 16,
  txTimeoutMs: 120_000,
  chainCacheMs: 3_000,
};
