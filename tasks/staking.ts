/**
 * Miner staking tasks (SPEC §4): register a node key, stake, unstake, withdraw, status.
 *
 *   NODE_PRIVATE_KEY=0x.. npx hardhat msn:register-node --network localhost
 *   npx hardhat msn:stake --amount 1000 --network localhost          (ERC-2612 permit; --approve for approve+stake)
 *   npx hardhat msn:unstake --amount 250 --network localhost
 *   npx hardhat msn:withdraw --network localhost
 *   npx hardhat msn:status [--operator 0x..] [--oracle-url http://127.0.0.1:8787] [--json] --network localhost
 *
 * The miner (operator) key is MINER_PRIVATE_KEY, else Hardhat account `--account <index>` (default 0);
 * an explicit --account wins over the environment. Addresses come from deployments/<network>.json
 * (`contracts.MinerStaking`, `contracts.MSNToken`) unless --staking / --token are given.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Signer } from "ethers";
import { Wallet, ZeroAddress, formatUnits, getAddress, isAddress, isHexString, parseUnits } from "ethers";
import { task, types } from "hardhat/config";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { MinerStaking, MSNToken, RewardsDistributor } from "../typechain-types";
import { deploymentPath, readDeployment } from "../scripts/lib/deployments";
import { signPermit } from "../scripts/lib/permit";

const PLUGIN = "msn:staking";

function fail(message: string): never {
  throw new HardhatPluginError(PLUGIN, message);
}

/* ------------------------------------------------------------------------------------------------ */
/* Formatting                                                                                        */
/* ------------------------------------------------------------------------------------------------ */

/** 1234567.5e18 wei -> "1,234,567.5 MSN" (exact). */
export function formatMsn(wei: bigint): string {
  const [whole, fraction] = formatUnits(wei, 18).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${fraction === "0" ? grouped : `${grouped}.${fraction}`} MSN`;
}

/** 15000 -> "1.5x". */
export function formatBoost(bps: bigint): string {
  const whole = bps / 10_000n;
  const fraction = (bps % 10_000n).toString().padStart(4, "0").replace(/0+$/, "");
  return `${whole}${fraction ? `.${fraction}` : ""}x`;
}

function formatTime(unix: bigint): string {
  return new Date(Number(unix) * 1000).toISOString().replace(".000Z", "Z");
}

function formatDuration(seconds: bigint): string {
  if (seconds <= 0n) return "now";
  const d = seconds / 86_400n;
  const h = (seconds % 86_400n) / 3_600n;
  const m = (seconds % 3_600n) / 60n;
  return d > 0n ? `${d}d ${h}h` : h > 0n ? `${h}h ${m}m` : `${m}m ${seconds % 60n}s`;
}

/** "12.5" -> 12.5e18 wei; a clear error for anything that is not a positive MSN amount. */
export function parseMsnAmount(value: string): bigint {
  let wei: bigint;
  try {
    if (!/^\d+(\.\d+)?$/.test(value.trim())) throw new Error("not a decimal");
    wei = parseUnits(value.trim(), 18);
  } catch {
    fail(
      `--amount must be a positive MSN amount with at most 18 decimals, like 1000 or 12.5 (got "${value}")`,
    );
  }
  if (wei === 0n) fail(`--amount must be greater than zero (got "${value}")`);
  return wei;
}

/* ------------------------------------------------------------------------------------------------ */
/* Addresses, keys, contracts                                                                        */
/* ------------------------------------------------------------------------------------------------ */

type ContractName = "MinerStaking" | "MSNToken" | "RewardsDistributor";

/**
 * The address of `name`: `explicit` (from --staking / --token) if given, else
 * `deployments/<network>.json` `contracts[name]`.
 */
export function resolveContractAddress(
  network: string,
  name: ContractName,
  explicit: string | undefined,
  flag: string,
): string {
  if (explicit !== undefined) {
    if (!isAddress(explicit)) fail(`--${flag} is not an address: "${explicit}"`);
    return getAddress(explicit);
  }
  const file = deploymentPath(network);
  const shown = path.join("deployments", path.basename(file));
  if (!existsSync(file)) fail(`no ${name} in ${shown} (file not found); deploy first or pass --${flag}`);
  let address: string | undefined;
  try {
    address = readDeployment(network).contracts?.[name];
  } catch (e) {
    fail(`cannot read ${shown}: ${(e as Error).message}; fix it or pass --${flag}`);
  }
  if (!address) fail(`no ${name} in ${shown}; deploy first or pass --${flag}`);
  if (!isAddress(address)) fail(`${shown} has an invalid ${name} address "${address}"; pass --${flag}`);
  return getAddress(address);
}

function parsePrivateKey(value: string, source: string): string {
  const key = value.trim().startsWith("0x") ? value.trim() : `0x${value.trim()}`;
  if (!isHexString(key, 32)) fail(`${source} is not a 32-byte hex private key`);
  return key;
}

/** The miner (operator) signer: --account if given, else MINER_PRIVATE_KEY, else Hardhat account 0. */
async function minerSigner(hre: HardhatRuntimeEnvironment, account: number | undefined): Promise<Signer> {
  const envKey = process.env.MINER_PRIVATE_KEY;
  if (account === undefined && envKey) {
    return new Wallet(parsePrivateKey(envKey, "MINER_PRIVATE_KEY"), hre.ethers.provider);
  }
  const index = account ?? 0;
  if (!Number.isInteger(index) || index < 0) fail(`--account must be a non-negative integer (got ${index})`);
  const signers = await hre.ethers.getSigners();
  if (index >= signers.length) {
    fail(
      `network "${hre.network.name}" has ${signers.length} Hardhat account(s), no #${index}; ` +
        "set MINER_PRIVATE_KEY or pass another --account",
    );
  }
  return signers[index];
}

async function attachStaking(
  hre: HardhatRuntimeEnvironment,
  explicit: string | undefined,
  runner?: Signer,
): Promise<MinerStaking> {
  const address = resolveContractAddress(hre.network.name, "MinerStaking", explicit, "staking");
  if ((await hre.ethers.provider.getCode(address)) === "0x") {
    fail(`no contract at MinerStaking address ${address} on network "${hre.network.name}"`);
  }
  return (await hre.ethers.getContractAt("MinerStaking", address, runner)) as unknown as MinerStaking;
}

async function attachToken(
  hre: HardhatRuntimeEnvironment,
  explicit: string | undefined,
  staking: MinerStaking,
  runner?: Signer,
): Promise<MSNToken> {
  const address = resolveContractAddress(hre.network.name, "MSNToken", explicit, "token");
  const staked = getAddress(await staking.TOKEN());
  if (staked !== address) fail(`MinerStaking stakes ${staked}, not the token ${address}; check --token`);
  return (await hre.ethers.getContractAt("MSNToken", address, runner)) as unknown as MSNToken;
}

/** Runs a transaction; a revert becomes one line naming the custom error and its arguments. */
async function send<T>(
  what: string,
  contracts: { interface: { parseError(data: string): { name: string; args: readonly unknown[] } | null } }[],
  action: () => Promise<{ wait(): Promise<T | null> }>,
): Promise<T> {
  try {
    const tx = await action();
    const receipt = await tx.wait();
    if (receipt === null) fail(`${what}: the transaction was dropped`);
    return receipt;
  } catch (e) {
    if (HardhatPluginError.isHardhatPluginError(e)) throw e;
    fail(`${what} failed: ${describeError(e, contracts)}`);
  }
}

/** One line for a failed call: the decoded custom error with its arguments, else the provider's short message. */
export function describeError(
  e: unknown,
  contracts: { interface: { parseError(data: string): { name: string; args: readonly unknown[] } | null } }[],
): string {
  const err = e as {
    revert?: { name: string; args: readonly unknown[] };
    data?: unknown;
    shortMessage?: string;
    message?: string;
  };
  const show = (name: string, args: readonly unknown[]) =>
    `${name}(${args.map((a) => String(a)).join(", ")})`;
  if (err.revert) return show(err.revert.name, err.revert.args);
  if (typeof err.data === "string" && err.data.length >= 10) {
    for (const c of contracts) {
      try {
        const parsed = c.interface.parseError(err.data);
        if (parsed) return show(parsed.name, parsed.args);
      } catch {
        // not this contract's error
      }
    }
  }
  return (err.shortMessage ?? err.message ?? String(e)).split("\n")[0];
}

async function latestTimestamp(hre: HardhatRuntimeEnvironment): Promise<bigint> {
  const block = await hre.ethers.provider.getBlock("latest");
  if (!block) fail(`cannot read the latest block of network "${hre.network.name}"`);
  return BigInt(block.timestamp);
}

/* ------------------------------------------------------------------------------------------------ */
/* Tasks                                                                                             */
/* ------------------------------------------------------------------------------------------------ */

interface CommonArgs {
  account?: number;
  staking?: string;
}

interface RegisterArgs extends CommonArgs {
  nodeKey?: string;
  validMinutes: number;
}

task(
  "msn:register-node",
  "Registers a node key to the miner (the node key signs, the miner sends the transaction)",
)
  .addOptionalParam("nodeKey", "Node private key (default: env NODE_PRIVATE_KEY)")
  .addOptionalParam("validMinutes", "How long the node's signature stays valid", 60, types.int)
  .addOptionalParam(
    "account",
    "Hardhat account index of the miner (default: MINER_PRIVATE_KEY, else 0)",
    undefined,
    types.int,
  )
  .addOptionalParam("staking", "MinerStaking address (default: deployments/<network>.json)")
  .setAction(async (args: RegisterArgs, hre) => {
    const rawKey = args.nodeKey ?? process.env.NODE_PRIVATE_KEY;
    if (!rawKey) fail("no node key: set NODE_PRIVATE_KEY or pass --node-key");
    const nodeWallet = new Wallet(parsePrivateKey(rawKey, args.nodeKey ? "--node-key" : "NODE_PRIVATE_KEY"));
    if (!Number.isInteger(args.validMinutes) || args.validMinutes <= 0) {
      fail(`--valid-minutes must be a positive integer (got ${args.validMinutes})`);
    }
    const miner = await minerSigner(hre, args.account);
    const operator = await miner.getAddress();
    const staking = await attachStaking(hre, args.staking, miner);
    const node = nodeWallet.address;

    const current = await staking.operatorOf(node);
    if (current !== ZeroAddress) {
      fail(`node ${node} is already registered to ${current === operator ? "this miner" : current}`);
    }
    const deadline = (await latestTimestamp(hre)) + BigInt(args.validMinutes) * 60n;
    const nonce = await staking.nodeNonce(node);
    const { chainId } = await hre.ethers.provider.getNetwork();
    const signature = await nodeWallet.signTypedData(
      { name: "MSN Bandwidth", version: "1", chainId, verifyingContract: await staking.getAddress() },
      {
        RegisterNode: [
          { name: "node", type: "address" },
          { name: "operator", type: "address" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      },
      { node, operator, nonce, deadline },
    );
    const receipt = await send("registerNode", [staking], () =>
      staking.registerNode(node, deadline, signature),
    );
    const nodes = await staking.nodeCount(operator);
    console.log(`registered node ${node} to ${operator} (${nodes} node(s) now); tx ${receipt.hash}`);
    return { node, operator, nodeCount: nodes, txHash: receipt.hash };
  });

interface AmountArgs extends CommonArgs {
  amount: string;
  token?: string;
  approve?: boolean;
}

task("msn:stake", "Stakes MSN for the miner (ERC-2612 permit in one transaction, or --approve)")
  .addParam("amount", "Amount in MSN (decimals allowed)")
  .addFlag("approve", "Send an approve transaction instead of signing a permit")
  .addOptionalParam(
    "account",
    "Hardhat account index of the miner (default: MINER_PRIVATE_KEY, else 0)",
    undefined,
    types.int,
  )
  .addOptionalParam("staking", "MinerStaking address (default: deployments/<network>.json)")
  .addOptionalParam("token", "MSNToken address (default: deployments/<network>.json)")
  .setAction(async (args: AmountArgs, hre) => {
    const amount = parseMsnAmount(args.amount);
    const miner = await minerSigner(hre, args.account);
    const operator = await miner.getAddress();
    const staking = await attachStaking(hre, args.staking, miner);
    const token = await attachToken(hre, args.token, staking, miner);
    const stakingAddress = await staking.getAddress();

    const balance = await token.balanceOf(operator);
    if (balance < amount)
      fail(`${operator} holds ${formatMsn(balance)}, less than --amount ${formatMsn(amount)}`);

    let method: "stake" | "approve+stake" | "stakeWithPermit";
    let hash: string;
    const allowance = await token.allowance(operator, stakingAddress);
    if (allowance >= amount) {
      method = "stake";
      hash = (await send("stake", [staking, token], () => staking.stake(amount))).hash;
    } else if (args.approve) {
      method = "approve+stake";
      await send("approve", [token], () => token.approve(stakingAddress, amount));
      hash = (await send("stake", [staking, token], () => staking.stake(amount))).hash;
    } else {
      method = "stakeWithPermit";
      const deadline = (await latestTimestamp(hre)) + 3_600n;
      const { v, r, s } = await signPermit(token, miner, {
        owner: operator,
        spender: stakingAddress,
        value: amount,
        deadline,
      });
      hash = (
        await send("stakeWithPermit", [staking, token], () =>
          staking.stakeWithPermit(amount, deadline, v, r, s),
        )
      ).hash;
    }
    const active = await staking.activeStakeOf(operator);
    console.log(
      `staked ${formatMsn(amount)} for ${operator} via ${method}; active stake ${formatMsn(active)}; tx ${hash}`,
    );
    return { operator, amount, active, method, txHash: hash };
  });

task("msn:unstake", "Moves the miner's active stake into the unbonding queue")
  .addParam("amount", "Amount in MSN (decimals allowed)")
  .addOptionalParam(
    "account",
    "Hardhat account index of the miner (default: MINER_PRIVATE_KEY, else 0)",
    undefined,
    types.int,
  )
  .addOptionalParam("staking", "MinerStaking address (default: deployments/<network>.json)")
  .setAction(async (args: AmountArgs, hre) => {
    const amount = parseMsnAmount(args.amount);
    const miner = await minerSigner(hre, args.account);
    const operator = await miner.getAddress();
    const staking = await attachStaking(hre, args.staking, miner);
    const active = await staking.activeStakeOf(operator);
    if (active < amount)
      fail(`${operator} has ${formatMsn(active)} active stake, less than --amount ${formatMsn(amount)}`);

    const receipt = await send("requestUnstake", [staking], () => staking.requestUnstake(amount));
    const event = receipt.logs
      .map((log) => staking.interface.parseLog(log))
      .find((parsed) => parsed?.name === "UnstakeRequested");
    const releaseTime = event!.args.releaseTime as bigint;
    console.log(
      `unstaking ${formatMsn(amount)} for ${operator}: withdrawable from ${formatTime(releaseTime)}; ` +
        `active stake ${formatMsn(active - amount)}; tx ${receipt.hash}`,
    );
    return { operator, amount, releaseTime, active: active - amount, txHash: receipt.hash };
  });

task("msn:withdraw", "Withdraws every matured unbonding request of the miner")
  .addOptionalParam(
    "account",
    "Hardhat account index of the miner (default: MINER_PRIVATE_KEY, else 0)",
    undefined,
    types.int,
  )
  .addOptionalParam("staking", "MinerStaking address (default: deployments/<network>.json)")
  .setAction(async (args: CommonArgs, hre) => {
    const miner = await minerSigner(hre, args.account);
    const operator = await miner.getAddress();
    const staking = await attachStaking(hre, args.staking, miner);
    const count = await staking.unbondingRequestCount(operator);
    if (count === 0n) fail(`nothing is unbonding for ${operator}`);
    const oldest = await staking.unbondingRequest(operator, 0n);
    const now = await latestTimestamp(hre);
    if (oldest.releaseTime > now) {
      fail(
        `nothing has matured for ${operator} yet: the oldest request (${formatMsn(oldest.amount)}) is released at ` +
          `${formatTime(oldest.releaseTime)} (in ${formatDuration(oldest.releaseTime - now)})`,
      );
    }
    const receipt = await send("withdraw", [staking], () => staking.withdraw());
    const event = receipt.logs
      .map((log) => staking.interface.parseLog(log))
      .find((parsed) => parsed?.name === "Withdrawn");
    const amount = event!.args.amount as bigint;
    const [remaining] = await staking.unbondingOf(operator);
    console.log(
      `withdrew ${formatMsn(amount)} to ${operator}; still unbonding ${formatMsn(remaining)}; tx ${receipt.hash}`,
    );
    return { operator, amount, remaining, txHash: receipt.hash };
  });

interface StatusArgs extends CommonArgs {
  operator?: string;
  json?: boolean;
  oracleUrl?: string;
  distributor?: string;
}

/** The oracle read API's default base URL (the oracle's default host and port). */
export const DEFAULT_ORACLE_URL = "http://127.0.0.1:8787";
const ORACLE_TIMEOUT_MS = 10_000;

/** The rewards part of `msn:status`: claimed on chain, and what the oracle's read API says is earned. */
export interface RewardsStatus {
  distributor?: string;
  /** MSN paid out to the operator so far (`RewardsDistributor.claimed`). */
  claimed?: bigint;
  oracleUrl?: string;
  /** The latest accepted epoch whose root lists the operator (null: none yet). */
  epoch?: number | null;
  /** The operator's cumulative amount in that root (0 when none). */
  cumulativeAmount?: bigint;
  /** cumulativeAmount − claimed: what a claim pays now. */
  claimable?: bigint;
  /** A newer root still in its challenge window that lists the operator. */
  upcoming?: { epoch: number; cumulativeAmount: bigint; claimableAt: bigint; more: bigint };
  /** Why part of this is missing. */
  note?: string;
}

const DECIMAL_RE = /^[0-9]+$/;

/** `{epoch, cumulativeAmount, pending: {epoch, cumulativeAmount, claimableAt} | null}` of the read API, checked. */
function parseRewardsAnswer(body: unknown):
  | {
      epoch: number | null;
      cumulative: bigint;
      pending?: { epoch: number; cumulative: bigint; claimableAt: bigint };
    }
  | undefined {
  const b = (body ?? {}) as Record<string, unknown>;
  const epochOk = b.epoch === null || (typeof b.epoch === "number" && Number.isSafeInteger(b.epoch));
  if (!epochOk || typeof b.cumulativeAmount !== "string" || !DECIMAL_RE.test(b.cumulativeAmount))
    return undefined;
  const out = { epoch: b.epoch as number | null, cumulative: BigInt(b.cumulativeAmount) };
  if (b.pending === null || b.pending === undefined) return out;
  const p = b.pending as Record<string, unknown>;
  if (
    typeof p.epoch !== "number" ||
    !Number.isSafeInteger(p.epoch) ||
    typeof p.cumulativeAmount !== "string" ||
    !DECIMAL_RE.test(p.cumulativeAmount) ||
    typeof p.claimableAt !== "number"
  ) {
    return undefined;
  }
  return {
    ...out,
    pending: { epoch: p.epoch, cumulative: BigInt(p.cumulativeAmount), claimableAt: BigInt(p.claimableAt) },
  };
}

/**
 * Reads claimed rewards from the distributor and, from the oracle's read API (`GET /v1/rewards/:account`),
 * the amount in the latest accepted root (claimable now) and in a newer root still in its challenge window.
 * Never fails the status: what cannot be read is explained in `note`.
 */
export async function rewardsStatus(
  hre: HardhatRuntimeEnvironment,
  operator: string,
  args: { distributor?: string; oracleUrl?: string },
): Promise<RewardsStatus> {
  let address: string;
  if (args.distributor !== undefined) {
    address = resolveContractAddress(hre.network.name, "RewardsDistributor", args.distributor, "distributor");
  } else {
    try {
      address = resolveContractAddress(hre.network.name, "RewardsDistributor", undefined, "distributor");
    } catch (e) {
      return { note: (e as Error).message };
    }
  }
  if ((await hre.ethers.provider.getCode(address)) === "0x") {
    const message = `no contract at RewardsDistributor address ${address} on network "${hre.network.name}"`;
    // A stale deployments file must not hide the stake; an explicit --distributor that is wrong is an error.
    if (args.distributor !== undefined) fail(message);
    return { note: `${message} (from deployments/${hre.network.name}.json); pass --distributor` };
  }
  const distributor = (await hre.ethers.getContractAt(
    "RewardsDistributor",
    address,
  )) as unknown as RewardsDistributor;
  const claimed = await distributor.claimed(operator);
  const oracleUrl = (args.oracleUrl ?? process.env.ORACLE_URL ?? DEFAULT_ORACLE_URL).replace(/\/+$/, "");
  const out: RewardsStatus = { distributor: address, claimed, oracleUrl };
  const url = `${oracleUrl}/v1/rewards/${operator}`;
  let body: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(ORACLE_TIMEOUT_MS) });
    if (response.status === 404) {
      return { ...out, epoch: null, cumulativeAmount: 0n, claimable: 0n, note: "no root lists it yet" };
    }
    if (!response.ok) return { ...out, note: `the oracle answered ${response.status} for ${url}` };
    body = await response.json();
  } catch (e) {
    return {
      ...out,
      note: `oracle unreachable at ${oracleUrl} (${(e as Error).message}); pass --oracle-url`,
    };
  }
  const answer = parseRewardsAnswer(body);
  if (answer === undefined) return { ...out, note: `unexpected answer from ${url}` };
  const claimable = answer.cumulative > claimed ? answer.cumulative - claimed : 0n;
  const result: RewardsStatus = {
    ...out,
    epoch: answer.epoch,
    cumulativeAmount: answer.cumulative,
    claimable,
  };
  if (answer.pending) {
    const already = answer.cumulative > claimed ? answer.cumulative : claimed;
    result.upcoming = {
      epoch: answer.pending.epoch,
      cumulativeAmount: answer.pending.cumulative,
      claimableAt: answer.pending.claimableAt,
      more: answer.pending.cumulative > already ? answer.pending.cumulative - already : 0n,
    };
  }
  return result;
}

function rewardsLines(r: RewardsStatus, now: bigint): string[] {
  if (r.claimed === undefined) return [`rewards         unknown: ${r.note}`];
  const lines = [`rewards claimed ${formatMsn(r.claimed)} (RewardsDistributor ${r.distributor})`];
  if (r.cumulativeAmount === undefined || r.epoch === undefined) {
    lines.push(`rewards earned  unknown: ${r.note}`);
    return lines;
  }
  lines.push(
    r.epoch === null
      ? `rewards earned  nothing in an accepted root yet${r.note ? ` (${r.note})` : ""} (oracle ${r.oracleUrl})`
      : `rewards earned  ${formatMsn(r.cumulativeAmount)} through epoch ${r.epoch} (oracle ${r.oracleUrl}): ` +
          (r.claimable! > 0n ? `${formatMsn(r.claimable!)} claimable now (msn:claim)` : "nothing to claim"),
  );
  if (r.upcoming) {
    const u = r.upcoming;
    lines.push(
      `rewards pending ${formatMsn(u.more)} more in epoch ${u.epoch}'s root, claimable from ${formatTime(u.claimableAt)}` +
        (u.claimableAt > now
          ? ` (in ${formatDuration(u.claimableAt - now)})`
          : " (anyone may call acceptRoot now)"),
    );
  }
  return lines;
}

task(
  "msn:status",
  "Shows an operator's stake, unbonding queue, nodes, current boost, MSN balance and rewards (claimed, pending)",
)
  .addOptionalParam("operator", "Operator address (default: the miner account)")
  .addOptionalParam(
    "oracleUrl",
    `Oracle read API for the pending rewards (default: env ORACLE_URL, else ${DEFAULT_ORACLE_URL})`,
  )
  .addOptionalParam("distributor", "RewardsDistributor address (default: deployments/<network>.json)")
  .addFlag("json", "Print JSON instead of text")
  .addOptionalParam(
    "account",
    "Hardhat account index of the miner (default: MINER_PRIVATE_KEY, else 0)",
    undefined,
    types.int,
  )
  .addOptionalParam("staking", "MinerStaking address (default: deployments/<network>.json)")
  .setAction(async (args: StatusArgs, hre) => {
    let operator: string;
    if (args.operator !== undefined) {
      if (!isAddress(args.operator)) fail(`--operator is not an address: "${args.operator}"`);
      operator = getAddress(args.operator);
    } else {
      operator = await (await minerSigner(hre, args.account)).getAddress();
    }
    const staking = await attachStaking(hre, args.staking);
    const now = await latestTimestamp(hre);
    const [
      active,
      stakeNow,
      [unbonding, withdrawable],
      nodeCount,
      count,
      [maxBoostBps, fullStakePerNode],
      period,
    ] = await Promise.all([
      staking.activeStakeOf(operator),
      staking.stakeAt(operator, now),
      staking.unbondingOf(operator),
      staking.nodeCount(operator),
      staking.unbondingRequestCount(operator),
      staking.boostParams(),
      staking.unbondingPeriod(),
    ]);
    const boost = await staking.boostBps(operator, nodeCount, now);
    const queue: { amount: bigint; releaseTime: bigint; matured: boolean }[] = [];
    for (let i = 0n; i < count; i++) {
      const r = await staking.unbondingRequest(operator, i);
      queue.push({ amount: r.amount, releaseTime: r.releaseTime, matured: r.releaseTime <= now });
    }

    // Node keys come from events (the contract keeps only the count); still-registered ones are kept.
    let nodes: string[] | undefined;
    let nodesNote = "";
    try {
      // The deployment block is a safe start only for the MinerStaking the deployments file describes.
      let fromBlock = 0;
      if (existsSync(deploymentPath(hre.network.name))) {
        const record = readDeployment(hre.network.name);
        const recorded = record.contracts?.MinerStaking;
        if (recorded && getAddress(recorded) === (await staking.getAddress()))
          fromBlock = record.deploymentBlock ?? 0;
      }
      const events = await staking.queryFilter(
        staking.filters.NodeRegistered(undefined, operator),
        fromBlock,
      );
      const candidates = [...new Set(events.map((e) => getAddress(e.args.node)))];
      const owners = await Promise.all(candidates.map((n) => staking.operatorOf(n)));
      nodes = candidates.filter((_, i) => owners[i] === operator);
    } catch (e) {
      nodesNote = ` (node list unavailable: ${describeError(e, [staking])})`;
    }

    // The staked token is the MSN token: the balance needs no other address.
    const token = (await hre.ethers.getContractAt("MSNToken", await staking.TOKEN())) as unknown as MSNToken;
    const [balance, rewards] = await Promise.all([
      token.balanceOf(operator),
      rewardsStatus(hre, operator, { distributor: args.distributor, oracleUrl: args.oracleUrl }),
    ]);

    const status = {
      operator,
      staking: await staking.getAddress(),
      blockTime: now,
      activeStake: active,
      stakeAtNow: stakeNow,
      unbonding,
      withdrawable,
      unbondingQueue: queue,
      unbondingPeriod: period,
      nodeCount,
      nodes,
      boostBps: boost,
      boostParams: { maxBoostBps, fullStakePerNode },
      balance,
      rewards,
    };

    if (args.json) {
      console.log(JSON.stringify(status, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
      return status;
    }
    const lines = [
      `operator        ${operator}`,
      `MinerStaking    ${status.staking} (network "${hre.network.name}", block time ${formatTime(now)})`,
      `active stake    ${formatMsn(active)}`,
      `stake at now    ${formatMsn(stakeNow)}`,
      `unbonding       ${formatMsn(unbonding)} (${formatMsn(withdrawable)} withdrawable now; period ${formatDuration(period)})`,
      ...queue.map(
        (r, i) =>
          `  #${i} ${formatMsn(r.amount).padStart(24)}  released ${formatTime(r.releaseTime)}` +
          (r.matured ? "  matured" : `  in ${formatDuration(r.releaseTime - now)}`),
      ),
      `nodes           ${nodeCount}${nodesNote}`,
      ...(nodes ?? []).map((n) => `  ${n}`),
      `boost now       ${formatBoost(boost)} for ${nodeCount} node(s) (max ${formatBoost(maxBoostBps)} at ` +
        `${formatMsn(fullStakePerNode)} per node)`,
      `MSN balance     ${formatMsn(balance)}`,
      ...rewardsLines(rewards, now),
    ];
    console.log(lines.join("\n"));
    return status;
  });
