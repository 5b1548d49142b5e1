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
import { createReporter, type Reporter } from "./progress.js";
import { displayPath, removeDatabase, Resources, runDevnet, type Devnet, type ExtraEpoch } from "./run.js";

function oneLine(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function serveBanner(devnet: Devnet, extra: ExtraEpoch): string {
  const rpcUrl = devnet.rpcUrl;
  const oracleUrl = devnet.host.url;
  const env = rpcUrl === "http://127.0.0.1:8545" ? "" : `LOCALHOST_RPC_URL=${rpcUrl} `;
  const depEnv =
    displayPath(devnet.deploymentsFile) === path.join("deployments", "localhost.json")
      ? ""
      : `MSN_DEPLOYMENTS_DIR=${path.dirname(devnet.deploymentsFile)} `;
  const accounts = [0, 4, 5].map((i) => {
    const a = hardhatAccount(i);
    const role =
      i === 0 ? "deployer" : i === 4 ? "public sale: holds the unlocked MSN" : "private-sale investor";
    return `    #${i}  ${a.address}  ${a.key}  (${role})`;
  });
  const ops = extra.claimable
    .slice(0, 3)
    .map(
      ({ operator: o, amount }) =>
        `    operator ${o.index}  ${o.address}  ${o.key}  (${o.profile}, ${plural(o.nodes.length, "node")}, ` +
        `${formatMsn(amount, 2)} MSN to claim)`,
    );
  const op = extra.claimable[0]?.operator;
  const pre = `${env}${depEnv}`;
  return [
    "",
    "devnet running — Ctrl-C stops the chain and the oracle",
    `  chain RPC      ${rpcUrl}  (chain id ${devnet.dc.chainId}; Hardhat network "localhost")`,
    `  web app        ${oracleUrl}/  (connect a wallet on chain ${devnet.dc.chainId} with RPC ${rpcUrl})`,
    `  oracle         ${oracleUrl}  (GET /v1/rewards/<account>, /v1/epochs, /health, /metrics, docs at /docs)`,
    `  deployments    ${displayPath(devnet.deploymentsFile)}`,
    `  data and logs  ${displayPath(devnet.dataDir)}`,
    ...devnet.portNotes.map((n) => `  note           ${n}`),
    "  Hardhat test accounts (10,000 ETH each; publicly known keys, never use them elsewhere):",
    ...accounts,
    `  simulated operators with rewards to claim (epoch ${extra.epoch} was left unclaimed):`,
    ...ops,
    "  try, from another terminal:",
    ...(op
      ? [
          `    ${pre}MINER_PRIVATE_KEY=${op.key} npx hardhat msn:status --network localhost --oracle-url ${oracleUrl}`,
          `    ${pre}MINER_PRIVATE_KEY=${op.key} npx hardhat msn:claim --network localhost --oracle-url ${oracleUrl} --stake`,
        ]
      : []),
    `    ${pre}npx hardhat msn:stake --network localhost --account 4 --amount 1000`,
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
              `by ${plural(extra.claimable.length, "operator")}`,
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
  let dataDir: string | undefined;
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
    process.on("SIGHUP", onSignal);
    // `npm start` runs this under a shell; if that parent goes (npm killed without forwarding the signal),
    // stop too rather than leave the chain and the oracle running as orphans.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) onSignal("SIGHUP");
    }, 1_000).unref();
  });

  const work = (async (): Promise<number> => {
    try {
      const { devnet, result } = await runDevnet(opts, reporter, res);
      dataDir = devnet.dataDir;
      process.stdout.write(`\n${result.summary}\n`);
      reporter.info(`summary.txt, record.json, bundles/ and logs in ${displayPath(devnet.dataDir)}`);
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
            `for ${plural(extra.claimable.length, "operator")} to claim`,
        );
        process.stdout.write(serveBanner(devnet, extra));
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
    if (code === 0 && dataDir !== undefined) removeDatabase(dataDir);
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
