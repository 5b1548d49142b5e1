/** The command line of `npm start` (oracle/devnet/main.ts). */
import { Command, InvalidArgumentError } from "commander";
import { LOG_LEVELS, type LogLevel } from "../src/config/schema.js";

/** Deliberate faults, for the test that proves the checks fail when the accounting is wrong. */
export const FAULTS = {
  "wrong-claim":
    "one operator claims with its previous epoch's proof (valid on chain, but short of its leaf)",
  "skip-claim": "one operator never claims",
} as const;
export type Fault = keyof typeof FAULTS;

export interface DevnetOptions {
  nodes: number;
  operators: number;
  epochs: number;
  receiptsPerNode: number;
  seed: string;
  /** Hardhat node port; another free port when it is taken. */
  port: number;
  /** Oracle port; another free port when it is taken. */
  oraclePort: number;
  batchSize: number;
  serve: boolean;
  fault: Fault | undefined;
  /** Default: .data/devnet-<timestamp>. */
  dataDir: string | undefined;
  /** Default: deployments/ (MSN_DEPLOYMENTS_DIR for the deploy script and the tasks). */
  deploymentsDir: string | undefined;
  logLevel: LogLevel;
  /** Keep the Hardhat node's per-request log (slower). */
  chainLog: boolean;
}

function int(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
    }
    return n;
  };
}

export function buildCommand(): Command {
  return new Command("npm start --")
    .description(
      "MSN devnet: a local chain with the whole system deployed, the oracle on its embedded database, and a " +
        "simulated network of operators, nodes and clients that runs epochs and claims its rewards; prints a " +
        "summary and checks that every amount adds up (exit 1 if not).",
    )
    .option("--nodes <n>", "simulated nodes", int("--nodes", 2, 100_000), 200)
    .option("--operators <n>", "operators owning them (at most --nodes)", int("--operators", 2, 100_000), 50)
    .option("--epochs <n>", "epochs to simulate", int("--epochs", 1, 30), 3)
    .option(
      "--receipts-per-node <n>",
      "receipts per active node per epoch, on average",
      int("--receipts-per-node", 1, 1_000),
      20,
    )
    .option("--seed <text>", "seed of every key, stake and byte count", "msn-devnet")
    .option("--port <port>", "Hardhat node port (another free one if taken)", int("--port", 1, 65_535), 8545)
    .option(
      "--oracle-port <port>",
      "oracle port (another free one if taken)",
      int("--oracle-port", 1, 65_535),
      8787,
    )
    .option("--batch-size <n>", "receipts per POST /v1/receipts", int("--batch-size", 1, 1_000), 500)
    .option("--serve", "keep the chain and the oracle running afterwards (Ctrl-C stops them)", false)
    .option(
      "--fault <name>",
      `inject a fault the checks must catch: ${Object.entries(FAULTS)
        .map(([k, v]) => `${k} (${v})`)
        .join(", ")}`,
      (value: string) => {
        if (!(value in FAULTS)) {
          throw new InvalidArgumentError(
            `--fault must be one of ${Object.keys(FAULTS).join(", ")} (got "${value}")`,
          );
        }
        return value as Fault;
      },
    )
    .option(
      "--data-dir <dir>",
      "where the run keeps its database, logs and bundles (default .data/devnet-<time>)",
    )
    .option("--deployments-dir <dir>", "where the deployment record goes (default deployments/)")
    .option(
      "--log-level <level>",
      `oracle log level, into <data-dir>/oracle.log (${LOG_LEVELS.join(", ")})`,
      (value: string) => {
        if (!(LOG_LEVELS as readonly string[]).includes(value)) {
          throw new InvalidArgumentError(
            `--log-level must be one of ${LOG_LEVELS.join(", ")} (got "${value}")`,
          );
        }
        return value as LogLevel;
      },
      "info",
    )
    .option("--chain-log", "keep the Hardhat node's log of every request (slower)", false)
    .allowExcessArguments(false);
}

/** Parses and cross-checks the options; throws with a one-line message. */
export function parseOptions(argv: readonly string[]): DevnetOptions {
  const cmd = buildCommand()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: (s) => process.stdout.write(s) });
  cmd.parse(argv as string[], { from: "user" });
  const o = cmd.opts<{
    nodes: number;
    operators: number;
    epochs: number;
    receiptsPerNode: number;
    seed: string;
    port: number;
    oraclePort: number;
    batchSize: number;
    serve: boolean;
    fault?: Fault;
    dataDir?: string;
    deploymentsDir?: string;
    logLevel: LogLevel;
    chainLog: boolean;
  }>();
  if (o.operators > o.nodes) {
    throw new InvalidArgumentError(
      `--operators (${o.operators}) must not exceed --nodes (${o.nodes}): every operator runs a node`,
    );
  }
  if (o.seed.trim() === "") throw new InvalidArgumentError("--seed must not be empty");
  if (o.fault === "wrong-claim" && o.epochs < 2) {
    throw new InvalidArgumentError(
      "--fault wrong-claim needs --epochs 2 or more (it claims with the previous epoch's proof)",
    );
  }
  return {
    nodes: o.nodes,
    operators: o.operators,
    epochs: o.epochs,
    receiptsPerNode: o.receiptsPerNode,
    seed: o.seed,
    port: o.port,
    oraclePort: o.oraclePort,
    batchSize: o.batchSize,
    serve: o.serve,
    fault: o.fault,
    dataDir: o.dataDir,
    deploymentsDir: o.deploymentsDir,
    logLevel: o.logLevel,
    chainLog: o.chainLog,
  };
}
