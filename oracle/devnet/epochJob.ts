import type { Hash } from "viem";
import type { EpochBundle } from "../src/epoch/index.js";
import type { DevChain } from "./chain.js";
import type { OracleHost } from "./oracleHost.js";
import { DevnetError } from "./processes.js";

export interface EpochJobOutcome {
  bundle: EpochBundle;
  hash: Hash;
}

export async function runEpochJob(host: OracleHost, dc: DevChain, epoch: number): Promise<EpochJobOutcome> {
  void host;
  void dc;
  throw new DevnetError(`TODO epoch job ${epoch}`);
}

export async function acceptDueRoots(host: OracleHost, dc: DevChain): Promise<number[]> {
  void host;
  void dc;
  return [];
}
