import { existsSync, readFileSync } from "node:fs";
import { ConfigError } from "../lib/errors.js";
import { ADDRESS_RE, type Hex } from "../lib/hex.js";

/** What the oracle reads from `deployments/<network>.json` (see scripts/lib/deployments.ts). */
export interface DeploymentInfo {
  chainId: number;
  deploymentBlock: number;
  minerStaking?: Hex;
  emissionMinter?: Hex;
  rewardsDistributor?: Hex;
}

export function readDeploymentsFile(file: string): DeploymentInfo {
  if (!existsSync(file)) {
    throw new ConfigError([`deployments file ${file} does not exist (run the deploy script first)`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError([`deployments file ${file} is not valid JSON: ${(err as Error).message}`]);
  }
  const problems: string[] = [];
  const rec = (json ?? {}) as Record<string, unknown>;
  const contracts = (rec.contracts ?? {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(rec.chainId) || (rec.chainId as number) <= 0) {
    problems.push(`deployments file ${file}: chainId must be a positive integer`);
  }
  if (!Number.isSafeInteger(rec.deploymentBlock) || (rec.deploymentBlock as number) < 0) {
    problems.push(`deployments file ${file}: deploymentBlock must be a non-negative integer`);
  }
  const addr = (name: string): Hex | undefined => {
    const v = contracts[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !ADDRESS_RE.test(v)) {
      problems.push(`deployments file ${file}: contracts.${name} must be an address`);
      return undefined;
    }
    return v.toLowerCase() as Hex;
  };
  const minerStaking = addr("MinerStaking");
  const emissionMinter = addr("EmissionMinter");
  const rewardsDistributor = addr("RewardsDistributor");
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    chainId: rec.chainId as number,
    deploymentBlock: rec.deploymentBlock as number,
    ...(minerStaking ? { minerStaking } : {}),
    ...(emissionMinter ? { emissionMinter } : {}),
    ...(rewardsDistributor ? { rewardsDistributor } : {}),
  };
}
