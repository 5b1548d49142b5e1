/**
 * Which deployed chain the auditors' fork suite (test/fork, `npm run test:fork`) runs against: its inputs
 * (FORK_* environment variables) and the preflight that refuses the wrong chain before any test runs.
 * Pure Node (no Hardhat runtime), so it is unit-tested on its own (test/unit/forkTarget.test.ts).
 *
 *   FORK_URL         JSON-RPC URL of the deployed chain (required)
 *   FORK_DEPLOYMENT  path of its deployments file; or FORK_NETWORK naming deployments/<network>.json
 *                    (default: deployments/localhost.json)
 *   FORK_BLOCK       block to fork at (default: the chain's latest block)
 *   FORK_CONFIG      config file to compare with (default: the `configFile` the deployments file names)
 */
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { getAddress } from "ethers";

import type { DeploymentRecord } from "./deployments";

export const ROOT_DIR = path.join(__dirname, "..", "..");

/** The contracts every full deployment records, in deployment order. */
export const CONTRACT_NAMES = [
  "MSNToken",
  "VestingVault",
  "TestnetAirdrop",
  "MinerStaking",
  "RewardsDistributor",
  "EmissionMinter",
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

/** A reason the suite cannot run. Its stack is its message: mocha prints one line, not a trace. */
export class ForkSetupError extends Error {
  constructor(message: string) {
    super(`fork suite: ${message}`);
    this.name = "ForkSetupError";
    this.stack = `${this.name}: ${this.message}`;
  }
}

/* INPUTS */

export interface ForkInputs {
  url: string;
  /** Absolute path of the deployments file. */
  deploymentFile: string;
  block?: number;
  /** Absolute path of the config file to compare with, when FORK_CONFIG overrides the recorded one. */
  configFile?: string;
}

/** Reads and checks the FORK_* variables. Throws `ForkSetupError`. */
export function readForkInputs(env: NodeJS.ProcessEnv = process.env): ForkInputs {
  const url = env.FORK_URL?.trim();
  if (!url) {
    throw new ForkSetupError(
      "FORK_URL is not set: point it at the JSON-RPC URL of the deployed chain " +
        "(e.g. FORK_URL=http://127.0.0.1:8545 npm run test:fork)",
    );
  }
  if (!/^https?:\/\/[^\s]+$/.test(url)) {
    throw new ForkSetupError(`FORK_URL must be an http(s) JSON-RPC URL, got "${redactUrl(url)}"`);
  }
  if (env.FORK_DEPLOYMENT && env.FORK_NETWORK) {
    throw new ForkSetupError("set FORK_DEPLOYMENT or FORK_NETWORK, not both");
  }
  const network = env.FORK_NETWORK?.trim() || "localhost";
  if (!/^[\w.-]+$/.test(network)) throw new ForkSetupError(`FORK_NETWORK "${network}" is not a network name`);
  const deploymentFile = path.resolve(
    env.FORK_DEPLOYMENT?.trim() || path.join(ROOT_DIR, "deployments", `${network}.json`),
  );
  let block: number | undefined;
  if (env.FORK_BLOCK !== undefined && env.FORK_BLOCK.trim() !== "") {
    block = Number(env.FORK_BLOCK);
    if (!Number.isSafeInteger(block) || block < 0) {
      throw new ForkSetupError(`FORK_BLOCK must be a block number, got "${env.FORK_BLOCK}"`);
    }
  }
  const configFile = env.FORK_CONFIG?.trim() ? path.resolve(env.FORK_CONFIG.trim()) : undefined;
  return { url, deploymentFile, block, configFile };
}

/** The URL without its path, query or credentials: RPC providers put API keys there. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 || u.search ? "/…" : ""}`;
  } catch {
    return "<not a URL>";
  }
}

/* UPSTREAM JSON-RPC (the deployed chain itself, not the fork) */

const RPC_TIMEOUT_MS = 15_000;

/**
 * One JSON-RPC call to `url` over node:http(s) (not `fetch`, which refuses "bad ports" such as 1); throws an
 * Error whose message says what went wrong, never the URL.
 */
export function rpcCall<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
  return new Promise<T>((resolve, reject) => {
    const u = new URL(url);
    const request = (u.protocol === "https:" ? https : http).request(
      u,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: RPC_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("error", (e) => reject(new Error(e.message)));
        response.on("end", () => {
          if ((response.statusCode ?? 0) >= 400) {
            return reject(new Error(`HTTP ${response.statusCode} ${response.statusMessage ?? ""}`.trim()));
          }
          let answer: { result?: T; error?: { message?: string } };
          try {
            answer = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof answer;
          } catch {
            return reject(new Error("the answer is not JSON-RPC"));
          }
          if (answer.error) {
            return reject(
              new Error(`${method} failed: ${answer.error.message ?? JSON.stringify(answer.error)}`),
            );
          }
          resolve(answer.result as T);
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${RPC_TIMEOUT_MS / 1000} s`)));
    request.on("error", (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
    request.end(body);
  });
}

/* PREFLIGHT */

export interface ForkTarget {
  inputs: ForkInputs;
  record: DeploymentRecord;
  contracts: Record<ContractName, string>;
  /** The deployed chain's own chain id (the fork itself runs as Hardhat's 31337). */
  chainId: number;
  latestBlock: number;
  /** The block the fork starts from. */
  forkBlock: number;
}

/**
 * Checks, before any test, that FORK_URL answers, that the deployments file exists and belongs to that chain
 * (chain id, the deployment block exists, code at every recorded address). Throws `ForkSetupError`.
 */
export async function preflight(inputs: ForkInputs): Promise<ForkTarget> {
  const where = redactUrl(inputs.url);
  let chainId: number;
  let latestBlock: number;
  try {
    chainId = Number(BigInt(await rpcCall<string>(inputs.url, "eth_chainId")));
    latestBlock = Number(BigInt(await rpcCall<string>(inputs.url, "eth_blockNumber")));
  } catch (e) {
    throw new ForkSetupError(`FORK_URL ${where} is unreachable (${(e as Error).message})`);
  }

  const file = displayPath(inputs.deploymentFile);
  if (!existsSync(inputs.deploymentFile)) {
    throw new ForkSetupError(
      `deployments file ${file} does not exist (set FORK_DEPLOYMENT=<file> or FORK_NETWORK=<network>)`,
    );
  }
  let record: DeploymentRecord;
  try {
    record = JSON.parse(readFileSync(inputs.deploymentFile, "utf8")) as DeploymentRecord;
  } catch (e) {
    throw new ForkSetupError(`deployments file ${file} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof record !== "object" || record === null || typeof record.contracts !== "object") {
    throw new ForkSetupError(`deployments file ${file} has no "contracts" object`);
  }
  const missing = CONTRACT_NAMES.filter((n) => !/^0x[0-9a-fA-F]{40}$/.test(record.contracts[n] ?? ""));
  if (missing.length > 0) {
    throw new ForkSetupError(`deployments file ${file} has no address for ${missing.join(", ")}`);
  }
  if (!Number.isSafeInteger(record.deploymentBlock) || record.deploymentBlock < 0) {
    throw new ForkSetupError(`deployments file ${file} has no valid deploymentBlock`);
  }
  if (record.chainId !== chainId) {
    throw new ForkSetupError(
      `deployments file ${file} is for chain id ${record.chainId}, but FORK_URL ${where} serves chain id ${chainId}`,
    );
  }
  const forkBlock = inputs.block ?? latestBlock;
  if (forkBlock > latestBlock) {
    throw new ForkSetupError(`FORK_BLOCK ${forkBlock} is after the chain's latest block ${latestBlock}`);
  }
  if (forkBlock < record.deploymentBlock) {
    throw new ForkSetupError(
      `the fork block ${forkBlock} is before the deployment block ${record.deploymentBlock} of ${file}`,
    );
  }
  const contracts = {} as Record<ContractName, string>;
  for (const name of CONTRACT_NAMES) {
    const address = record.contracts[name]!;
    const code = await rpcCall<string>(inputs.url, "eth_getCode", [address, toQuantity(forkBlock)]).catch(
      (e: Error) => {
        throw new ForkSetupError(`cannot read the code of ${name} at ${address}: ${e.message}`);
      },
    );
    if (!code || code === "0x") {
      throw new ForkSetupError(
        `no contract at ${name} ${address} on chain ${chainId} at block ${forkBlock}: ` +
          `deployments file ${file} does not match this chain`,
      );
    }
    contracts[name] = getAddress(address);
  }
  return { inputs, record, contracts, chainId, latestBlock, forkBlock };
}

/** A path relative to the working directory when it lies below it, else absolute. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") ? relative : file;
}

function toQuantity(n: number | bigint): string {
  return "0x" + BigInt(n).toString(16);
}
