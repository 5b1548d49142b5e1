/**
 * `npm start`: the MSN devnet. Starts a local chain (a Hardhat node this process owns), deploys the
 * system, starts the oracle, simulates operators, nodes and clients over a few epochs (moving chain time
 * instead of waiting), has every operator claim, prints a summary and checks that it all adds up.
 * Exit status 0 when every check is ok, 1 otherwise (or when a step fails), 130 on Ctrl-C.
 *
 *   npm start                          the default simulation (200 nodes, 50 operators, 3 epochs)
 *   npm start -- --serve               then keep the chain and the oracle running for a wallet
 *   npm start -- --help                every option
 */
import path from "node:path";
import { createInterface } from "node:readline";
import { CommanderError } from "commander";
import { hardhatAccount } from "./accounts.js";
import { formatMsn } from "./format.js";
import { parseOptions, type DevnetOptions } from "./options.js";
import { ROOT } from "./processes.js";
import { createReporter, type Reporter } from "./progress.js";
import { displayPath, Resources, runDevnet, type Devnet } from "./run.js";

function oneLine(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function serveBanner(devnet: Devnet): string {
  const info = {
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.dc.chainId,
    oracleUrl: devnet.host.url,
    deploymentsFile: devnet.deploymentsFile,
    dataDir: devnet.dataDir,
    portNotes: devnet.portNotes,
    world: devnet.world,
  };
  const rel = displayPath;
  const defaultRpc = info.rpcUrl === "http://127.0.0.1:8545";
  const env = defaultRpc ? "" : `LOCALHOST_RPC_URL=${info.rpcUrl} `;
  const depEnv =
    rel(info.deploymentsFile) === path.join("deployments", "localhost.json")
      ? ""
      : `MSN_DEPLOYMENTS_DIR=${path.dirname(info.deploymentsFile)} `;
  const accounts = [0, 4, 5].map((i) => {
    const a = hardhatAccount(i);
    const role =
      i === 0 ? "deployer" : i === 4 ? "public sale: holds the unlocked MSN" : "private-sale investor";
    return `    #${i}  ${a.address}  ${a.key}  (${role})`;
  });
  const ops = info.world.operators
    .slice(0, 3)
    .map(
      (o) =>
        `    operator ${o.index}  ${o.address}  ${o.key}  (${o.nodes.length} nodes, ${o.profile}, stake ${formatMsn(o.stake, 0)} MSN)`,
    );
  const op = info.world.operators[0]!;
  return [
    "",
    "devnet running — Ctrl-C stops the chain and the oracle",
    `  chain RPC      ${info.rpcUrl}  (chain id ${info.chainId}; Hardhat network "localhost")`,
    `  oracle         ${info.oracleUrl}  (GET /v1/rewards/<account>, /v1/epochs, /health, /metrics, docs at /docs)`,
    `  deployments    ${rel(info.deploymentsFile)}`,
    `  data and logs  ${rel(info.dataDir)}`,
    ...info.portNotes.map((n) => `  note           ${n}`),
    "  Hardhat test accounts (10,000 ETH each; public keys, never use them elsewhere):",
    ...accounts,
    "  simulated operators (nodes, stake and claimed rewards):",
    ...ops,
    "  try, from another terminal:",
    `    ${env}${depEnv}MINER_PRIVATE_KEY=${op.key} npx hardhat msn:status --network localhost --oracle-url ${info.oracleUrl}`,
    `    ${env}${depEnv}npx hardhat msn:stake --network localhost --account 4 --amount 1000`,
    "",
  ].join("\n");
}

/** In `--serve` on a terminal: each Enter simulates one more epoch (left unclaimed). */
function moreEpochsOnEnter(devnet: Devnet, reporter: Reporter): void {
  process.stdout.write(
    "press Enter to simulate one more epoch (its rewards left to claim), Ctrl-C to stop\n",
  );
  // Not a terminal-mode interface: Ctrl-C stays a signal for the handler in main().
  const rl = createInterface({ input: process.stdin, terminal: false });
  let busy = false;
  rl.on("line", () => {
    if (busy) return;
    busy = true;
    devnet
      .extraEpoch()
      .then(
        (extra) =>
          reporter.info(
            `epoch ${extra.epoch} simulated and accepted: ${formatMsn(extra.unclaimed)} MSN unclaimed ` +
              `by ${extra.operators} operators`,
          ),
        (err: unknown) => reporter.info(`devnet: that epoch failed: ${oneLine(err)}`),
      )
      .finally(() => {
        busy = false;
      });
  });
}

async function main(): Promise<number> {
  let opts: DevnetOptions;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (
      err instanceof CommanderError &&
      (err.code === "commander.helpDisplayed" || err.code === "commander.help")
    )
      return 0;
    process.stderr.write(`devnet: ${oneLine(err).replace(/^error: /, "")}\n`);
    return 2;
  }
  const reporter = createReporter();
  const res = new Resources();
  let stopping = false;
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${signal}: stopping the oracle and the chain…\n`);
      res.cleanup().then(
        () => resolve(130),
        (err: unknown) => {
          process.stderr.write(`devnet: cleanup failed: ${oneLine(err)}\n`);
          resolve(130);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });

  const work = (async (): Promise<number> => {
    try {
      const { devnet, result } = await runDevnet(opts, reporter, res);
      process.stdout.write(`\n${result.summary}\n`);
      if (!result.ok) {
        const failed = result.checks.filter((c) => !c.ok);
        process.stderr.write(
          `devnet: ${failed.length} check(s) FAILED — the accounting does not add up:\n` +
            failed.map((c) => `  FAIL ${c.name}: ${c.detail}\n`).join(""),
        );
        return 1;
      }
      if (opts.serve) {
        const extra = await devnet.extraEpoch();
        reporter.info(
          `epoch ${extra.epoch} simulated and accepted, left unclaimed: ${formatMsn(extra.unclaimed)} MSN ` +
            `for ${extra.operators} operators to claim`,
        );
        process.stdout.write(serveBanner(devnet));
        if (process.stdin.isTTY) moreEpochsOnEnter(devnet, reporter);
        return await stopped; // runs until Ctrl-C
      }
      return 0;
    } catch (err) {
      if (stopping) return 130;
      process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[2K" : ""}devnet failed: ${oneLine(err)}\n`);
      return 1;
    }
  })();

  const code = await Promise.race([work, stopped]);
  if (!stopping) {
    await res.cleanup().catch((err: unknown) => {
      process.stderr.write(`devnet: cleanup failed: ${oneLine(err)}\n`);
    });
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`devnet failed: ${oneLine(err)}\n`);
    process.exit(1);
  },
);
