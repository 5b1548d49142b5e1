import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { runProcess } from "./process.js";
import { ROOT } from "./child.js";

const HARDHAT = path.join(ROOT, "node_modules/hardhat/internal/cli/bootstrap.js");

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** `hardhat compile` when the artifacts the oracle tests deploy are missing. */
export async function ensureArtifacts(): Promise<void> {
  const need = [
    "token/MSNToken.sol/MSNToken.json",
    "emission/EmissionMinter.sol/EmissionMinter.json",
    "staking/MinerStaking.sol/MinerStaking.json",
    "rewards/RewardsDistributor.sol/RewardsDistributor.json",
    "vesting/VestingVault.sol/VestingVault.json",
    "airdrop/TestnetAirdrop.sol/TestnetAirdrop.json",
  ];
  if (need.every((f) => existsSync(path.join(ROOT, "artifacts/contracts", f)))) return;
  const r = await runProcess(process.execPath, [HARDHAT, "compile", "--quiet"], {
    cwd: ROOT,
    timeoutMs: 300_000,
  });
  if (r.code !== 0) throw new Error(`hardhat compile failed:\n${r.stderr}${r.stdout}`);
}

export interface HardhatNode {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `hardhat node --hostname 127.0.0.1 --port <free port>` as a child process, stopped by its PID. */
export async function startHardhatNode(): Promise<HardhatNode> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: ROOT,
      env: { ...process.env, MSN_SKIP_TASKS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hardhat node did not start:\n${out}`));
    }, 120_000);
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes("Started HTTP and WebSocket JSON-RPC server")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited with ${code}:\n${out}`));
    });
  });
  // Keep draining its output so the pipe never fills up.
  child.stdout.removeAllListeners("data");
  child.stdout.resume();
  child.stderr.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGTERM");
      await exited;
    },
  };
}
