/**
 * The auditors' fork suite (test/fork, `npm run test:fork`): the forked contracts and the helpers the suite
 * shares. Inputs and preflight: scripts/lib/forkTarget.ts (FORK_URL, FORK_DEPLOYMENT / FORK_NETWORK,
 * FORK_BLOCK, FORK_CONFIG).
 *
 * Importing this module registers a root `before` hook: the preflight runs once, before any fork test, and a
 * problem (FORK_URL missing or unreachable, deployments file missing or not matching the chain) fails the run
 * with a one-line reason. The suite never skips silently.
 */
import { impersonateAccount, mine, reset, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { JsonRpcProvider, Network, parseEther, zeroPadValue, type Log, type LogDescription } from "ethers";
import hre, { ethers } from "hardhat";
import type { HardhatNetworkConfig } from "hardhat/types";

import {
  displayPath,
  ForkSetupError,
  type ForkTarget,
  preflight,
  readForkInputs,
  redactUrl,
} from "../../scripts/lib/forkTarget";
import type {
  EmissionMinter,
  MinerStaking,
  MSNToken,
  RewardsDistributor,
  TestnetAirdrop,
  VestingVault,
} from "../../typechain-types";

export const MSN = 10n ** 18n;
export { ForkSetupError, ROOT_DIR } from "../../scripts/lib/forkTarget";

/* THE FORK */

export interface ForkContext {
  target: ForkTarget;
  token: MSNToken;
  vault: VestingVault;
  airdrop: TestnetAirdrop;
  staking: MinerStaking;
  distributor: RewardsDistributor;
  minter: EmissionMinter;
  /** The deployed chain itself (historical reads, its logs); read-only. */
  upstream: JsonRpcProvider;
  /** The fork's own chain id (what EIP-712 signatures on the fork must carry). */
  forkChainId: bigint;
}

let contextPromise: Promise<ForkContext> | undefined;

/** Runs the preflight and forks the chain, once per run; every fork test file awaits this. */
export function forkContext(): Promise<ForkContext> {
  contextPromise ??= createForkContext();
  return contextPromise;
}

async function createForkContext(): Promise<ForkContext> {
  if (hre.network.name !== "hardhat") {
    // The suite sends transactions: it must only ever touch its own fork, never the chain behind FORK_URL.
    throw new ForkSetupError(`runs on the in-process fork only; drop --network ${hre.network.name}`);
  }
  const target = await preflight(readForkInputs());
  // Fork at an explicit block (Hardhat would otherwise pick "latest minus a reorg margin", up to 128 blocks
  // back on chains it does not know, which can be before the deployment on a young chain).
  await reset(target.inputs.url, target.forkBlock);
  // On a chain whose hardfork history Hardhat does not know (31337: a local node), a call at the fork block
  // itself fails ("No known hardfork for execution on historical block"): every read runs on a new block.
  await mine(1);
  const at = <T>(name: string, address: string) => ethers.getContractAt(name, address) as Promise<T>;
  const c = target.contracts;
  const upstream = new JsonRpcProvider(target.inputs.url, undefined, {
    staticNetwork: Network.from(target.chainId),
    batchMaxCount: 1,
  });
  return {
    target,
    token: await at<MSNToken>("MSNToken", c.MSNToken),
    vault: await at<VestingVault>("VestingVault", c.VestingVault),
    airdrop: await at<TestnetAirdrop>("TestnetAirdrop", c.TestnetAirdrop),
    staking: await at<MinerStaking>("MinerStaking", c.MinerStaking),
    distributor: await at<RewardsDistributor>("RewardsDistributor", c.RewardsDistributor),
    minter: await at<EmissionMinter>("EmissionMinter", c.EmissionMinter),
    upstream,
    forkChainId: (await ethers.provider.getNetwork()).chainId,
  };
}

// hardhat.config.ts forks the in-process network when FORK_URL is set. The suite forks it itself, after the
// preflight, at an explicit block (`reset` below), so the configured fork is switched off before the provider
// first starts: otherwise Hardhat's own post-test call would start it and hang for minutes retrying an
// unreachable FORK_URL after the preflight already failed.
if (hre.network.name === "hardhat") {
  const forking = (hre.network.config as HardhatNetworkConfig).forking;
  if (forking) forking.enabled = false;
}

// The root hook: one preflight for the whole run, before any fork test.
before(async function () {
  this.timeout(180_000);
  const ctx = await forkContext();
  const { record, chainId, forkBlock, inputs } = ctx.target;
  console.log(
    `    fork of chain ${chainId} (${redactUrl(inputs.url)}) at block ${forkBlock}; ` +
      `deployment of ${record.deployedAt ?? "?"} from block ${record.deploymentBlock} ` +
      `(${displayPath(inputs.deploymentFile)})`,
  );
});

after(async () => {
  if (contextPromise) (await contextPromise.catch(() => undefined))?.upstream.destroy();
});

/* LOGS */

const remoteLogs = new Map<string, Promise<Log[]>>();

/**
 * Every log of `address` (optionally matching `topics`) from the deployment block to the fork's latest block:
 * the deployed chain's logs (fetched once, range-split when a node refuses a large range) followed by the
 * fork's own.
 */
export async function allLogs(ctx: ForkContext, address: string, topics?: (string | null)[]): Promise<Log[]> {
  const { record, forkBlock } = ctx.target;
  const filter = { address, topics };
  const key = JSON.stringify(filter).toLowerCase();
  if (!remoteLogs.has(key)) {
    const p = logsInRange(ctx.upstream, filter, record.deploymentBlock, forkBlock);
    remoteLogs.set(key, p);
    p.catch(() => remoteLogs.delete(key));
  }
  const remote = await remoteLogs.get(key)!;
  const latest = await ethers.provider.getBlockNumber();
  const local = latest > forkBlock ? await logsInRange(ethers.provider, filter, forkBlock + 1, latest) : [];
  return [...remote, ...local];
}

interface LogFilter {
  address: string;
  topics?: (string | null)[];
}

interface LogSource {
  getLogs(filter: LogFilter & { fromBlock: number; toBlock: number }): Promise<readonly Log[]>;
}

async function logsInRange(source: LogSource, filter: LogFilter, from: number, to: number): Promise<Log[]> {
  try {
    return [...(await source.getLogs({ ...filter, fromBlock: from, toBlock: to }))];
  } catch (e) {
    if (from >= to) {
      throw new Error(`cannot read the logs of ${filter.address} in block ${from}: ${(e as Error).message}`);
    }
    // Nodes cap the block range or the number of results of eth_getLogs: halve the range until they answer.
    const mid = from + Math.floor((to - from) / 2);
    return [
      ...(await logsInRange(source, filter, from, mid)),
      ...(await logsInRange(source, filter, mid + 1, to)),
    ];
  }
}

/** The logs of `contract` parsed with its ABI, optionally only the events named `name`. */
export async function events(
  ctx: ForkContext,
  contract: { getAddress(): Promise<string>; interface: { parseLog(log: Log): LogDescription | null } },
  name?: string,
): Promise<(LogDescription & { blockNumber: number; transactionHash: string })[]> {
  const out = [];
  for (const log of await allLogs(ctx, await contract.getAddress())) {
    const parsed = contract.interface.parseLog(log);
    if (parsed && (name === undefined || parsed.name === name)) {
      out.push(Object.assign(parsed, { blockNumber: log.blockNumber, transactionHash: log.transactionHash }));
    }
  }
  return out;
}

/* INVARIANTS (checked by the wiring tests and after every step of the live tests) */

const sum = (xs: { args: { amount?: bigint } & Record<string, unknown> }[], field = "amount") =>
  xs.reduce((s, e) => s + (e.args[field] as bigint), 0n);

/** Everything ever claimed from the distributor, from its `Claimed` events. */
export async function totalClaimed(ctx: ForkContext): Promise<bigint> {
  return sum(await events(ctx, ctx.distributor, "Claimed"));
}

/** The MSN ever transferred to `to` (the token's `Transfer` events with that recipient). */
export async function totalTransferredTo(ctx: ForkContext, to: string): Promise<bigint> {
  const topic = ctx.token.interface.getEvent("Transfer")!.topicHash;
  const logs = await allLogs(ctx, await ctx.token.getAddress(), [topic, null, zeroPadValue(to, 32)]);
  return logs.reduce((s, log) => s + (ctx.token.interface.parseLog(log)!.args.value as bigint), 0n);
}

export interface Holdings {
  /** What the contract should hold by its own accounting. */
  accounted: bigint;
  /** MSN sent to it by a plain transfer (not funding, not stake): credited to nobody, locked. */
  stray: bigint;
  balance: bigint;
}

/**
 * The distributor's holdings: `funded() - claimed` by its accounting; `stray` = transfers in that were
 * neither an emission mint nor a `fund` deposit.
 */
export async function distributorHoldings(ctx: ForkContext): Promise<Holdings> {
  const { token, distributor, minter } = ctx;
  const address = await distributor.getAddress();
  const received = await totalTransferredTo(ctx, address);
  const deposited = sum(await events(ctx, distributor, "Funded"));
  return {
    accounted: (await distributor.funded()) - (await totalClaimed(ctx)),
    stray: received - (await minter.totalMinted()) - deposited,
    balance: await token.balanceOf(address),
  };
}

/** MinerStaking's holdings: active + unbonding stake; `stray` = transfers in that were not a stake. */
export async function stakingHoldings(ctx: ForkContext): Promise<Holdings> {
  const { token, staking } = ctx;
  const address = await staking.getAddress();
  const received = await totalTransferredTo(ctx, address);
  const staked = sum(await events(ctx, staking, "Staked"));
  return {
    accounted: (await staking.totalActiveStake()) + (await staking.totalUnbonding()),
    stray: received - staked,
    balance: await token.balanceOf(address),
  };
}

/**
 * distributor balance == funded() - sum of Claimed; staking balance == totalActiveStake + totalUnbonding.
 * MSN sent by a plain transfer is not funding and not stake (IRewardsDistributor, IMinerStaking): it is
 * computed from the token's Transfer events, reported, and the equality holds with it added.
 */
export async function expectInvariants(ctx: ForkContext): Promise<void> {
  const checks: [string, Holdings][] = [
    ["RewardsDistributor balance == funded() - sum of Claimed", await distributorHoldings(ctx)],
    ["MinerStaking balance == totalActiveStake() + totalUnbonding()", await stakingHoldings(ctx)],
  ];
  for (const [what, h] of checks) {
    expect(h.stray, `${what}: MSN transferred in outside the contract's accounting`).to.be.at.least(0n);
    if (h.stray > 0n && !reportedStray.has(what)) {
      reportedStray.add(what);
      console.log(
        `      (${what.split(" ")[0]} also holds ${h.stray} wei sent by plain transfers: locked, credited to nobody)`,
      );
    }
    expect(h.balance, what).to.equal(h.accounted + h.stray);
  }
}
const reportedStray = new Set<string>();

/* ACCOUNTS */

/** A signer for `address` on the fork (a role holder, a contract, a fresh key's address), with 100 ETH. */
export async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await impersonateAccount(address);
  await setBalance(address, parseEther("100"));
  return ethers.getSigner(address);
}
