/**
 * The oracle's epoch job and root acceptance, called in-process on the devnet's oracle (the same functions
 * `oracle epoch run` / `oracle epoch accept` and the scheduler of `oracle serve` call), and the bundle read
 * back the way a third party reads it: `GET /v1/epochs/:n/bundle`, parsed strictly, its hash compared with the
 * dataHash the job proposed.
 */
import { parseBundle, type EpochBundle, type Hash } from "../src/epoch/index.js";
import { acceptDueRoots as acceptDue } from "../src/epochJob/accept.js";
import { runEpochJob as runJob, type EpochJobResult } from "../src/epochJob/job.js";
import type { OracleHost } from "./oracleHost.js";
import { DevnetError } from "./processes.js";

export interface EpochJobOutcome {
  result: EpochJobResult;
  bundle: EpochBundle;
  /** keccak256 of the downloaded bundle's bytes. */
  hash: Hash;
}

/** Runs the job for `epoch` (and any earlier epoch not yet published) and downloads the epoch's bundle. */
export async function runEpochJob(host: OracleHost, epoch: number): Promise<EpochJobOutcome> {
  const results = await runJob(host.server.ctx, { epoch });
  const result = results.find((r) => r.epoch === epoch);
  if (result === undefined) throw new DevnetError(`the epoch job returned no result for epoch ${epoch}`);
  const res = await fetch(`${host.url}/v1/epochs/${epoch}/bundle`, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new DevnetError(`GET /v1/epochs/${epoch}/bundle answered ${res.status}`);
  const { bundle, hash } = await parseBundle(new Uint8Array(await res.arrayBuffer()));
  if (hash !== result.dataHash.toLowerCase()) {
    throw new DevnetError(
      `epoch ${epoch}: the served bundle hashes to ${hash}, the job proposed ${result.dataHash}`,
    );
  }
  return { result, bundle, hash };
}

/** acceptRoot for every pending root whose challenge window has passed; the epochs accepted. */
export async function acceptDueRoots(host: OracleHost): Promise<number[]> {
  return (await acceptDue(host.server.ctx)).accepted;
}
