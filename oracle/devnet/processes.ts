/**
 * Child processes of the devnet (Hardhat compile, node, deploy): started with the `node` binary directly
 * (no npx wrapper, so the PID we hold is the process itself), each in its own process group, and stopped
 * by that PID — on success, on failure, on Ctrl-C, and as a last resort when this process exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = path.resolve(fileURLToPath(new URL("../../", import.meta.url)));
const HARDHAT = path.join(ROOT, "node_modules/hardhat/internal/cli/bootstrap.js");

export class DevnetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DevnetError";
  }
}

/** Every child this process started and has not seen exit yet. */
const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // its process group (it was started detached)
  } catch {
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
  }
}

// Last resort: whatever happens to this process, its children do not outlive it.
process.on("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});

/** Stops `child` by PID: SIGTERM to its group, SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

interface RunOptions {
  env?: Record<string, string>;
  /** Append the output to this file instead of keeping it in memory only. */
  logFile?: string;
  timeoutMs?: number;
}

function hardhatEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Tasks are not needed by compile / node / deploy; skipping them starts Hardhat faster.
  return { ...process.env, MSN_SKIP_TASKS: "1", FORCE_COLOR: "0", ...extra };
}

/** Runs `hardhat <args>` to completion; rejects with the tail of its output when it fails. */
export function runHardhat(args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT, ...args], {
      cwd: ROOT,
      env: hardhatEnv(opts.env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    live.add(child);
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), opts.timeoutMs ?? 600_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      live.delete(child);
      reject(new DevnetError(`cannot start hardhat ${args[0]}: ${err.message}`));
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      if (opts.logFile) appendFileSync(opts.logFile, out);
      if (code === 0) resolve(out);
      else {
        const tail = out.trim().split("\n").slice(-15).join("\n  ");
        reject(
          new DevnetError(
            `hardhat ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n  ${tail || "(no output)"}`,
          ),
        );
      }
    });
  });
}

/** True when nothing listens on 127.0.0.1:`port`. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** A port the OS says is free on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `preferred` when it is free, else any free port; says which in `note`. */
export async function choosePort(
  preferred: number,
  what: string,
): Promise<{ port: number; note: string | undefined }> {
  if (preferred !== 0 && (await isPortFree(preferred))) return { port: preferred, note: undefined };
  const port = await freePort();
  return {
    port,
    note: preferred === 0 ? undefined : `${what}: port ${preferred} is in use, using ${port} instead`,
  };
}

export interface HardhatNode {
  url: string;
  port: number;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** `hardhat node --hostname 127.0.0.1 --port <port>`, its output in `logFile`; resolves once it answers. */
export async function startHardhatNode(
  port: number,
  logFile: string,
  timeoutMs = 120_000,
): Promise<HardhatNode> {
  const url = `http://127.0.0.1:${port}`;
  if (await rpcAnswers(url)) throw new DevnetError(`something already answers JSON-RPC at ${url}`);
  const fd = openSync(logFile, "a");
  const child = spawn(
    process.execPath,
    [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: ROOT,
      env: hardhatEnv(),
      stdio: ["ignore", fd, fd],
      detached: true,
    },
  );
  closeSync(fd);
  live.add(child);
  child.on("exit", () => live.delete(child));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = readFileSync(logFile, "utf8").trim().split("\n").slice(-10).join("\n  ");
      throw new DevnetError(`hardhat node exited before it answered at ${url}:\n  ${tail}`);
    }
    if (await rpcAnswers(url)) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new DevnetError(`hardhat node did not answer at ${url} within ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, pid: child.pid!, logFile, stop: () => stopChild(child) };
}
