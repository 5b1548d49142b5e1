import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The contracts a full deployment records. Later issues fill in the optional ones. */
export interface DeployedContracts {
  MSNToken: string;
  VestingVault: string;
  TestnetAirdrop: string;
  EmissionMinter?: string;
  MinerStaking?: string;
  RewardsDistributor?: string;
}

/** One vesting grant created at deployment (amounts in wei as decimal strings, times in unix seconds). */
export interface GrantRecord {
  /** The vault's grant id: keccak256(abi.encode(beneficiary, amount, start, cliff, duration)). */
  id: string;
  /** The config allocation it belongs to (privateSale, team, ...). */
  allocation: string;
  beneficiary: string;
  /** The beneficiary's escrow clone, which holds the unreleased tokens and delegates their votes. */
  escrow: string;
  amount: string;
  start: number;
  cliff: number;
  duration: number;
  revocable: boolean;
}

/**
 * `deployments/<network>.json`: what the deploy script wrote, read by the Hardhat tasks, the oracle,
 * the fork suite and the web app. See docs/ARCHITECTURE.md ("Deployments file").
 */
export interface DeploymentRecord {
  network: string;
  chainId: number;
  deployer: string;
  /** The block of the first deployment transaction: indexers start reading events here. */
  deploymentBlock: number;
  deployedAt: string;
  /** keccak256 of the canonical JSON of the allocation config that was deployed. */
  configHash: string;
  configFile: string;
  contracts: DeployedContracts;
  /** Governance, guardian, treasuries and any other roles, by name. */
  roles: Record<string, string>;
  /** Deploy-time parameters (epoch length, genesis time, windows, thresholds...), as strings or numbers. */
  params: Record<string, string | number>;
  /** The vesting grants created by the deployment (absent in records written before the vault existed). */
  grants?: GrantRecord[];
}

export const DEPLOYMENTS_DIR = path.join(__dirname, "..", "..", "deployments");

/**
 * Where deployment records are read and written: `MSN_DEPLOYMENTS_DIR` when set (the devnet's tests keep
 * their records out of the repository's `deployments/`), else `deployments/`. The configs stay in
 * `deployments/config/`.
 */
export function deploymentsDir(): string {
  const dir = process.env.MSN_DEPLOYMENTS_DIR;
  return dir ? path.resolve(dir) : DEPLOYMENTS_DIR;
}

export function deploymentPath(network: string): string {
  return path.join(deploymentsDir(), `${network}.json`);
}

export function readDeployment(network: string): DeploymentRecord {
  const file = deploymentPath(network);
  if (!existsSync(file)) {
    throw new Error(
      `no deployment for network "${network}": ${file} does not exist (run the deploy script first)`,
    );
  }
  return JSON.parse(readFileSync(file, "utf8")) as DeploymentRecord;
}

export function writeDeployment(record: DeploymentRecord): string {
  mkdirSync(deploymentsDir(), { recursive: true });
  const file = deploymentPath(record.network);
  writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  return file;
}
