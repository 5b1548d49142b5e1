import { existsSync } from "node:fs";
import http from "node:http";
import type { Command } from "commander";
import type { OracleConfig } from "../../config/schema.js";
import { InputError, OracleError } from "../../lib/errors.js";
import { adminSocketPath } from "../../http/admin.js";
import { configFrom, type CommandModule } from "../shared.js";

function epochArg(text: string | undefined, option = "--epoch"): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InputError(`${option} must be a non-negative integer, got "${text}"`);
  }
  return Number(text);
}

const MiB = 1024 * 1024;

/** Progress lines on stderr, at most one per second per kind of progress. */
function progressPrinter(): (what: string, done: number, total: number) => void {
  const last = new Map<string, number>();
  return (what, done, total) => {
    const now = Date.now();
    if (done !== total && now - (last.get(what) ?? 0) < 1000) return;
    last.set(what, now);
    const amount =
      total > 0
        ? `${done}/${total}`
        : what.includes("bytes")
          ? `${(done / MiB).toFixed(0)} MiB`
          : String(done);
    process.stderr.write(`  ${what}: ${amount}\n`);
  };
}

/**
 * Runs `fn` on a context of its own, or, when the embedded database is held by a running `oracle serve`,
 * asks that server over its admin socket (`remote`).
 */
async function withOracle<T>(
  config: OracleConfig,
  local: (ctx: import("../../context.js").AppContext) => Promise<T>,
  remote: (socket: string) => Promise<T>,
): Promise<T> {
  const { createContext, closeContext } = await import("../../context.js");
  let ctx;
  try {
    ctx = await createContext({ ...config, verifyThreads: 0 });
  } catch (err) {
    const socket = adminSocketPath(config.dataDir);
    if (err instanceof OracleError && err.code === "db_locked" && existsSync(socket)) {
      process.stderr.write(`the embedded database is held by a running server: asking it (${socket})\n`);
      return remote(socket);
    }
    throw err;
  }
  try {
    return await local(ctx);
  } finally {
    await closeContext(ctx);
  }
}

function post(socketPath: string, path: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      { socketPath, method: "POST", path, headers: { "content-type": "application/json" }, timeout: 0 },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          let json: { message?: string } | undefined;
          try {
            json = JSON.parse(text) as { message?: string };
          } catch {
            json = undefined;
          }
          if (res.statusCode === 200) resolve(json);
          else if (res.statusCode === 400) reject(new InputError(json?.message ?? text));
          else reject(new OracleError("admin_failed", json?.message ?? text));
        });
      },
    );
    req.on("error", (e) =>
      reject(
        new OracleError(
          "admin_unreachable",
          `cannot reach the running server at ${socketPath}: ${e.message}`,
        ),
      ),
    );
    req.end(payload);
  });
}

export const epochCommand: CommandModule = (program: Command) => {
  const epoch = program
    .command("epoch")
    .description("the epoch job: compute, publish and accept reward roots");

  epoch
    .command("run")
    .description(
      "run the epoch job for every closed epoch not yet published (through --epoch N): aggregate, stakes, rewards, tree, bundle, sign, mint if needed, proposeRoot",
    )
    .option("--epoch <n>", "run through this epoch (default: the last closed one)")
    .option("--json", "print the results as JSON")
    .action(async (opts: { epoch?: string; json?: boolean }, cmd: Command) => {
      const target = epochArg(opts.epoch);
      const config = configFrom(cmd);
      const { resultJson } = await import("../../epochJob/admin.js");
      const results = await withOracle(
        config,
        async (ctx) => {
          const { runEpochJob } = await import("../../epochJob/job.js");
          // Test aid (crash-safety tests): ORACLE_TEST_KILL_AT=<hook point> kills this process there.
          const killAt = process.env.ORACLE_TEST_KILL_AT;
          const list = await runEpochJob(ctx, {
            ...(target === undefined ? {} : { epoch: target }),
            ...(killAt
              ? {
                  hook: (point: string) => {
                    if (point === killAt) process.kill(process.pid, "SIGKILL");
                  },
                }
              : {}),
            onProgress: progressPrinter(),
            onPhase: (e, t) =>
              process.stderr.write(
                `epoch ${e}: ${t.phase} ${t.seconds.toFixed(2)} s (peak RSS ${(t.peakRssBytes / MiB).toFixed(0)} MiB)\n`,
              ),
          });
          return list.map(resultJson);
        },
        async (socket) =>
          (await post(
            socket,
            "/admin/epochs/run",
            target === undefined ? {} : { epoch: target },
          )) as ReturnType<typeof resultJson>[],
      );
      if (opts.json) {
        console.log(JSON.stringify(results, null, 2));
        return;
      }
      if (results.length === 0) console.log("no epoch has closed yet");
      for (const r of results) {
        const tx = r.txHash === null ? "" : ` (tx ${r.txHash}, block ${r.blockNumber})`;
        console.log(
          `epoch ${r.epoch}: ${r.alreadyDone ? "already proposed" : "proposed"} root ${r.root}, total ${r.total}, ${r.accountCount} accounts${tx}; bundle ${r.bundleFile} (hash ${r.dataHash})`,
        );
      }
    });

  epoch
    .command("accept")
    .description("call acceptRoot() for every proposed root whose challenge window has passed")
    .action(async (_opts: unknown, cmd: Command) => {
      const config = configFrom(cmd);
      const result = await withOracle(
        config,
        async (ctx) => {
          const { acceptDueRoots } = await import("../../epochJob/accept.js");
          return acceptDueRoots(ctx);
        },
        async (socket) =>
          (await post(socket, "/admin/epochs/accept", {})) as import("../../epochJob/accept.js").AcceptResult,
      );
      if (result.accepted.length > 0) console.log(`accepted epoch(s) ${result.accepted.join(", ")}`);
      else console.log("no root was due");
      if (result.next !== undefined) {
        console.log(
          `epoch ${result.next.epoch} becomes acceptable at ${result.next.claimableAt} (unix seconds)`,
        );
      }
    });

  epoch
    .command("reset")
    .description(
      "forget the job's results from an epoch on (after a veto, once the cause is removed from the receipts); refused for roots pending or accepted on chain",
    )
    .requiredOption("--from <n>", "first epoch to forget")
    .action(async (opts: { from: string }, cmd: Command) => {
      const from = epochArg(opts.from, "--from")!;
      const config = configFrom(cmd);
      const { createContext, closeContext } = await import("../../context.js");
      const ctx = await createContext({ ...config, verifyThreads: 0 });
      try {
        const { resetEpochs } = await import("../../epochJob/reset.js");
        const { removed } = await resetEpochs(ctx, from);
        console.log(removed.length === 0 ? "nothing to reset" : `reset epoch(s) ${removed.join(", ")}`);
      } finally {
        await closeContext(ctx);
      }
    });

  epoch
    .command("list")
    .description("the epochs this oracle processed, with their status on chain")
    .option("--limit <n>", "how many (newest first)", "20")
    .option("--json", "print JSON")
    .action(async (opts: { limit: string; json?: boolean }, cmd: Command) => {
      const limit = epochArg(opts.limit, "--limit");
      if (limit === undefined || limit < 1) throw new InputError(`--limit must be a positive integer`);
      const config = configFrom(cmd);
      const { createContext, closeContext } = await import("../../context.js");
      const ctx = await createContext({ ...config, verifyThreads: 0 });
      try {
        const { EpochReadService } = await import("../../epochJob/readApi.js");
        const { epochs } = await new EpochReadService(ctx).list(limit);
        if (opts.json) console.log(JSON.stringify(epochs, null, 2));
        else if (epochs.length === 0) console.log("no epochs yet");
        else
          for (const e of epochs) {
            console.log(
              `${String(e.epoch).padStart(6)}  ${e.status.padEnd(10)}  root ${e.root ?? "-"}  total ${e.total ?? "-"}  accounts ${e.accounts ?? "-"}  tx ${e.txHash ?? "-"}`,
            );
          }
      } finally {
        await closeContext(ctx);
      }
    });
};
