/**
 * Deploys the MSN genesis (token, vesting vault, testnet airdrop), creates the genesis grants, checks every
 * balance and builds the deployments record. Used by `scripts/deploy.ts` and by the test fixtures.
 *
 * Later deploy steps (EmissionMinter, MinerStaking, RewardsDistributor) plug in after `checkGenesis`: they
 * receive the same `DeployContext`, add their addresses to `ctx.record.contracts`, their roles and params
 * to `ctx.record.roles` / `ctx.record.params`, and call `token.setMinter(...)` from the deployer, which is
 * the token's minter admin for the whole deployment.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, getCreateAddress, keccak256 } from "ethers";

import type { MSNToken, TestnetAirdrop, VestingVault } from "../../typechain-types";
import {
  type AllocationConfig,
  type AirdropAllocation,
  type GrantConfig,
  buildAirdropTree,
  DAY_SECONDS,
  formatMSN,
  GENESIS_SUPPLY,
  MONTH_SECONDS,
} from "./allocationConfig";
import { type DeploymentRecord, type GrantRecord, writeDeployment } from "./deployments";

/* TYPES */

export interface DeployOptions {
  /** The account that sends every transaction (default: the first signer). */
  deployer?: HardhatEthersSigner;
  /** Progress and the allocation table go here (default: silent). */
  log?: (line: string) => void;
  /** The config file, as recorded in the deployments file. */
  configFile?: string;
  /** Write `deployments/<network>.json` (default false: tests deploy without touching the file system). */
  write?: boolean;
}

export interface DeployedGrant {
  id: string;
  allocation: string;
  beneficiary: string;
  escrow: string;
  amount: bigint;
  start: number;
  cliff: number;
  duration: number;
  revocable: boolean;
}

/** One line of the allocation table. */
export interface AllocationRow {
  allocation: string;
  amount: bigint;
  recipient: string;
  schedule: string;
  check: string;
  ok: boolean;
}

/** Shared state of one deployment, handed from step to step. */
export interface DeployContext {
  hre: HardhatRuntimeEnvironment;
  deployer: HardhatEthersSigner;
  config: AllocationConfig;
  log: (line: string) => void;
  /** Vesting time zero (unix seconds), resolved from the config. */
  genesisTime: number;
  /** The record being built; every step adds what it deployed. */
  record: DeploymentRecord;
}

export interface DeployedSystem {
  ctx: DeployContext;
  token: MSNToken;
  vault: VestingVault;
  airdrop: TestnetAirdrop;
  grants: DeployedGrant[];
  /** The airdrop tree, when the config lists the recipients (proofs for claims). */
  airdropTree?: StandardMerkleTree<[string, bigint]>;
  airdropDeadline: number;
  rows: AllocationRow[];
  record: DeploymentRecord;
  /** The deployments file written, when `write` was set. */
  deploymentFile?: string;
}

/** Thrown when the chain does not end up as the config says (a prediction or a balance check failed). */
export class DeployCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeployCheckError";
  }
}

/* ENTRY POINT */

export async function deploySystem(
  hre: HardhatRuntimeEnvironment,
  config: AllocationConfig,
  opts: DeployOptions = {},
): Promise<DeployedSystem> {
  const ctx = await createContext(hre, config, opts);
  const genesis = await deployGenesis(ctx);
  const grants = await createGenesisGrants(ctx, genesis);
  await handOverVault(ctx, genesis);
  const rows = await checkGenesis(ctx, genesis, grants);
  ctx.log(formatAllocationTable(rows));
  // Integration point: deploy EmissionMinter / MinerStaking / RewardsDistributor here with `ctx`.
  ctx.record.grants = grants.map(toGrantRecord);
  let deploymentFile: string | undefined;
  if (opts.write) {
    deploymentFile = writeDeployment(ctx.record);
    ctx.log(`deployment written to ${deploymentFile}`);
  }
  return { ctx, ...genesis, grants, rows, record: ctx.record, deploymentFile };
}

/* STEPS */

export async function createContext(
  hre: HardhatRuntimeEnvironment,
  config: AllocationConfig,
  opts: DeployOptions,
): Promise<DeployContext> {
  const deployer = opts.deployer ?? (await hre.ethers.getSigners())[0];
  const latest = await hre.ethers.provider.getBlock("latest");
  if (!latest) throw new DeployCheckError("cannot read the latest block");
  const genesisTime = config.genesisTime === "deployment" ? latest.timestamp : config.genesisTime;
  const airdrop = airdropAllocation(config);
  const deadline = genesisTime + airdrop.claimPeriodDays * DAY_SECONDS;
  // The airdrop constructor requires a future deadline; refuse before the first transaction rather than
  // after the token is deployed. One hour of margin covers the time the deployment itself takes.
  if (deadline <= latest.timestamp + 3600) {
    throw new DeployCheckError(
      `airdrop claim deadline ${new Date(deadline * 1000).toISOString()} (genesisTime + ` +
        `${airdrop.claimPeriodDays} days) is not at least one hour after the latest block`,
    );
  }
  const { chainId } = await hre.ethers.provider.getNetwork();
  const record: DeploymentRecord = {
    network: hre.network.name,
    chainId: Number(chainId),
    deployer: deployer.address,
    deploymentBlock: 0,
    deployedAt: new Date().toISOString(),
    configHash: config.configHash,
    configFile: opts.configFile ?? "",
    contracts: { MSNToken: "", VestingVault: "", TestnetAirdrop: "" },
    roles: {},
    params: {},
  };
  return { hre, deployer, config, log: opts.log ?? (() => undefined), genesisTime, record };
}

interface Genesis {
  token: MSNToken;
  vault: VestingVault;
  airdrop: TestnetAirdrop;
  airdropTree?: StandardMerkleTree<[string, bigint]>;
  airdropDeadline: number;
}

/**
 * Deploys the token, the vault and the airdrop from three consecutive deployer nonces. The token mints the
 * genesis straight to the vault and the airdrop, whose addresses are predicted from the nonces; every
 * transaction carries its nonce explicitly, so an unrelated transaction from the same account in between
 * makes a deployment fail instead of landing somewhere else, and the addresses are checked afterwards.
 */
export async function deployGenesis(ctx: DeployContext): Promise<Genesis> {
  const { hre, deployer, config, record } = ctx;
  const nonce = await deployer.getNonce("pending");
  const predicted = {
    token: getCreateAddress({ from: deployer.address, nonce }),
    vault: getCreateAddress({ from: deployer.address, nonce: nonce + 1 }),
    airdrop: getCreateAddress({ from: deployer.address, nonce: nonce + 2 }),
  };

  const recipients: string[] = [];
  const amounts: bigint[] = [];
  for (const a of config.allocations) {
    recipients.push(
      a.kind === "vesting" ? predicted.vault : a.kind === "airdrop" ? predicted.airdrop : a.recipient,
    );
    amounts.push(a.amount);
  }

  const airdropConfig = airdropAllocation(config);
  const airdropDeadline = ctx.genesisTime + airdropConfig.claimPeriodDays * DAY_SECONDS;
  const governance = config.roles.governance;
  const foundationTreasury = config.roles.foundationTreasury;
  const ecosystemTreasury = config.roles.ecosystemTreasury;

  ctx.log(`deploying MSNToken at ${predicted.token} (nonce ${nonce})`);
  const tokenFactory = await hre.ethers.getContractFactory("MSNToken", deployer);
  const token = (await tokenFactory.deploy(recipients, amounts, deployer.address, {
    nonce,
  })) as unknown as MSNToken;
  await token.waitForDeployment();
  const tokenReceipt = await token.deploymentTransaction()!.wait();

  ctx.log(`deploying VestingVault at ${predicted.vault} (nonce ${nonce + 1})`);
  const vaultFactory = await hre.ethers.getContractFactory("VestingVault", deployer);
  const vault = (await vaultFactory.deploy(
    predicted.token,
    foundationTreasury,
    governance,
    deployer.address,
    {
      nonce: nonce + 1,
    },
  )) as unknown as VestingVault;
  await vault.waitForDeployment();

  ctx.log(`deploying TestnetAirdrop at ${predicted.airdrop} (nonce ${nonce + 2})`);
  const airdropFactory = await hre.ethers.getContractFactory("TestnetAirdrop", deployer);
  const airdrop = (await airdropFactory.deploy(
    predicted.token,
    airdropConfig.merkleRoot,
    airdropDeadline,
    ecosystemTreasury,
    { nonce: nonce + 2 },
  )) as unknown as TestnetAirdrop;
  await airdrop.waitForDeployment();

  const actual = {
    token: await token.getAddress(),
    vault: await vault.getAddress(),
    airdrop: await airdrop.getAddress(),
  };
  for (const name of ["token", "vault", "airdrop"] as const) {
    if (actual[name] !== predicted[name] || (await hre.ethers.provider.getCode(predicted[name])) === "0x") {
      throw new DeployCheckError(`${name} is at ${actual[name]}, not at the predicted ${predicted[name]}`);
    }
  }

  record.deploymentBlock = tokenReceipt!.blockNumber;
  record.contracts.MSNToken = actual.token;
  record.contracts.VestingVault = actual.vault;
  record.contracts.TestnetAirdrop = actual.airdrop;
  record.roles = {
    ...config.roles,
    deployer: deployer.address,
    tokenMinterAdmin: deployer.address,
    vaultAdmin: governance,
    vaultGrantor: governance,
    vaultRevoker: governance,
    vaultTreasury: foundationTreasury,
    airdropTreasury: ecosystemTreasury,
  };
  record.params = {
    ...record.params,
    genesisTime: ctx.genesisTime,
    genesisSupply: GENESIS_SUPPLY.toString(),
    maxSupply: (await token.MAX_SUPPLY()).toString(),
    vestingMonthSeconds: MONTH_SECONDS,
    vestingEscrowImplementation: await vault.ESCROW_IMPLEMENTATION(),
    airdropMerkleRoot: airdropConfig.merkleRoot,
    airdropDeadline,
    airdropClaimPeriodDays: airdropConfig.claimPeriodDays,
  };
  const airdropTree = airdropConfig.recipients ? buildAirdropTree(airdropConfig.recipients) : undefined;
  return { token, vault, airdrop, airdropTree, airdropDeadline };
}

/** Creates every grant of every vesting allocation, in config order, from the deployer (GRANTOR_ROLE). */
export async function createGenesisGrants(ctx: DeployContext, genesis: Genesis): Promise<DeployedGrant[]> {
  const out: DeployedGrant[] = [];
  for (const a of ctx.config.allocations) {
    if (a.kind !== "vesting") continue;
    for (const g of a.grants) {
      const start = ctx.genesisTime + g.startOffset;
      const id = grantId(g, start);
      const tx = await genesis.vault
        .connect(ctx.deployer)
        .createGrant(g.beneficiary, g.amount, start, g.cliff, g.duration, g.revocable);
      await tx.wait();
      const escrow = await genesis.vault.escrowOf(g.beneficiary);
      ctx.log(`grant ${a.id}: ${formatMSN(g.amount)} MSN to ${g.beneficiary} (id ${id})`);
      out.push({
        id,
        allocation: a.id,
        beneficiary: g.beneficiary,
        escrow,
        amount: g.amount,
        start,
        ...pick(g),
      });
    }
  }
  ctx.record.params.grantCount = out.length;
  return out;
}

/** The deployer gives up the vault's GRANTOR_ROLE unless it is governance itself. */
export async function handOverVault(ctx: DeployContext, genesis: Genesis): Promise<void> {
  if (ctx.deployer.address === ctx.config.roles.governance) return;
  const role = await genesis.vault.GRANTOR_ROLE();
  await (await genesis.vault.connect(ctx.deployer).renounceRole(role, ctx.deployer.address)).wait();
  ctx.log(
    `deployer renounced GRANTOR_ROLE on the vault (governance ${ctx.config.roles.governance} keeps it)`,
  );
}

/**
 * Checks the chain against the config: total supply, every grant as stored by the vault, and the exact
 * balance of every address the genesis paid (recipients, airdrop, vault remainder, escrows).
 * Returns the allocation table; throws `DeployCheckError` on any mismatch.
 */
export async function checkGenesis(
  ctx: DeployContext,
  genesis: Genesis,
  grants: DeployedGrant[],
): Promise<AllocationRow[]> {
  const { token, vault, airdrop } = genesis;
  const vaultAddress = await vault.getAddress();
  const airdropAddress = await airdrop.getAddress();
  const problems: string[] = [];

  const supply = await token.totalSupply();
  if (supply !== GENESIS_SUPPLY) problems.push(`total supply is ${formatMSN(supply)} MSN, not 100,000,000`);

  // What every address must hold.
  const expected = new Map<string, bigint>();
  const add = (addr: string, v: bigint) => expected.set(addr, (expected.get(addr) ?? 0n) + v);
  for (const a of ctx.config.allocations) {
    if (a.kind === "unlocked") add(a.recipient, a.amount);
    else if (a.kind === "airdrop") add(airdropAddress, a.amount);
    else add(vaultAddress, a.amount - a.grants.reduce((s, g) => s + g.amount, 0n));
  }
  for (const g of grants) add(g.escrow, g.amount);
  const actual = new Map<string, bigint>();
  for (const addr of expected.keys()) actual.set(addr, await token.balanceOf(addr));
  const balanceOk = (addr: string) => actual.get(addr) === expected.get(addr);
  for (const [addr, want] of expected) {
    if (!balanceOk(addr)) {
      problems.push(`${addr} holds ${formatMSN(actual.get(addr)!)} MSN, expected ${formatMSN(want)}`);
    }
  }

  // Every grant as the vault stores it.
  const grantOk = new Map<string, boolean>();
  for (const g of grants) {
    const s = await vault.grants(g.id);
    const ok =
      s.beneficiary === g.beneficiary &&
      s.amount === g.amount &&
      Number(s.start) === g.start &&
      Number(s.cliff) === g.cliff &&
      Number(s.duration) === g.duration &&
      s.revocable === g.revocable &&
      s.released === 0n &&
      s.revokedAt === 0n;
    grantOk.set(g.id, ok);
    if (!ok) problems.push(`grant ${g.id} (${g.allocation}) is not stored as configured`);
  }

  const rows: AllocationRow[] = [];
  for (const a of ctx.config.allocations) {
    if (a.kind === "unlocked") {
      const ok = balanceOk(a.recipient);
      rows.push({
        allocation: a.name,
        amount: a.amount,
        recipient: a.recipient,
        schedule: "unlocked at genesis",
        check: ok ? `ok: holds ${formatMSN(actual.get(a.recipient)!)}` : "MISMATCH",
        ok,
      });
    } else if (a.kind === "airdrop") {
      const ok = balanceOk(airdropAddress);
      const listed = a.recipients ? a.recipients.reduce((s, r) => s + r.amount, 0n) : undefined;
      rows.push({
        allocation: a.name,
        amount: a.amount,
        recipient: `TestnetAirdrop ${airdropAddress}`,
        schedule: `Merkle claims until ${new Date(genesis.airdropDeadline * 1000).toISOString().slice(0, 10)}, rest to ecosystem`,
        check: ok
          ? `ok: holds ${formatMSN(actual.get(airdropAddress)!)}` +
            (listed !== undefined
              ? ` (${a.recipients!.length} recipients, ${formatMSN(listed)} claimable)`
              : "")
          : "MISMATCH",
        ok,
      });
    } else {
      const mine = grants.filter((g) => g.allocation === a.id);
      const ok = mine.every((g) => grantOk.get(g.id) && balanceOk(g.escrow)) && balanceOk(vaultAddress);
      const granted = mine.reduce((s, g) => s + g.amount, 0n);
      rows.push({
        allocation: a.name,
        amount: a.amount,
        recipient: `VestingVault ${vaultAddress}`,
        schedule: describeSchedule(a.schedule),
        check: ok
          ? `ok: ${mine.length} grant(s), ${formatMSN(granted)} in escrows, ${formatMSN(a.amount - granted)} unallocated`
          : "MISMATCH",
        ok,
      });
    }
  }
  if (problems.length > 0) {
    ctx.log(formatAllocationTable(rows));
    throw new DeployCheckError(`genesis check failed: ${problems.join("; ")}`);
  }
  return rows;
}

/* HELPERS */

export function airdropAllocation(config: AllocationConfig): AirdropAllocation {
  const a = config.allocations.find((x): x is AirdropAllocation => x.kind === "airdrop");
  if (!a) throw new DeployCheckError("the config has no airdrop allocation");
  return a;
}

/** The vault's grant id for a config grant starting at `start`. */
export function grantId(
  g: Pick<GrantConfig, "beneficiary" | "amount" | "cliff" | "duration">,
  start: number,
): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["address", "uint256", "uint40", "uint32", "uint32"],
      [g.beneficiary, g.amount, start, g.cliff, g.duration],
    ),
  );
}

export function describeSchedule(s: {
  startOffsetMonths: number;
  cliffMonths: number;
  durationMonths: number;
  revocable: boolean;
}): string {
  const parts = [];
  if (s.startOffsetMonths > 0) parts.push(`starts +${s.startOffsetMonths} mo`);
  if (s.cliffMonths > 0) parts.push(`${s.cliffMonths}-mo cliff`);
  parts.push(`linear to ${s.durationMonths} mo`);
  if (s.revocable) parts.push("revocable");
  return parts.join(", ");
}

export function formatAllocationTable(rows: AllocationRow[]): string {
  const header = ["allocation", "MSN", "recipient", "schedule", "balance check"];
  const body = rows.map((r) => [r.allocation, formatMSN(r.amount), r.recipient, r.schedule, r.check]);
  const total = rows.reduce((s, r) => s + r.amount, 0n);
  body.push(["total", formatMSN(total), "", "", rows.every((r) => r.ok) ? "ok" : "MISMATCH"]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join(" | ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...body.map(line)].join("\n");
}

function pick(g: GrantConfig) {
  return { cliff: g.cliff, duration: g.duration, revocable: g.revocable };
}

function toGrantRecord(g: DeployedGrant): GrantRecord {
  return { ...g, amount: g.amount.toString() };
}
