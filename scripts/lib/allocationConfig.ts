/**
 * The genesis allocation config (`deployments/config/<network>.json`): load, validate, hash.
 *
 * Everything here is pure (no chain access): `validateAllocationConfig` turns raw JSON into a typed,
 * resolved config or throws an `AllocationConfigError` listing every problem, so a bad config stops the
 * deploy before its first transaction. See docs/decisions/token-vesting.md for the format.
 */
import { readFileSync } from "node:fs";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, isHexString, keccak256, parseUnits, toUtf8Bytes, ZeroAddress, ZeroHash } from "ethers";

/* CONSTANTS */

/** The genesis supply every config must allocate exactly, in wei. */
export const GENESIS_SUPPLY = 100_000_000n * 10n ** 18n;
/** A month of the vesting schedules: 365 days / 12 = 30.4166 days, so 12 months are exactly one 365-day year. */
export const MONTH_SECONDS = 2_628_000;
export const DAY_SECONDS = 86_400;
/** Grant cliffs and durations are uint32 seconds on chain. */
const MAX_UINT32 = 2 ** 32 - 1;
/** Grant starts are uint40 seconds on chain. */
const MAX_UINT40 = 2 ** 40 - 1;

export const CONFIG_VERSION = 1;
const KNOWN_TOP_LEVEL = ["version", "description", "genesisTime", "roles", "allocations"];
/** Roles every config must name. */
export const REQUIRED_ROLES = ["governance", "foundationTreasury", "ecosystemTreasury"] as const;

/* TYPES */

/** A vesting schedule in the units of the config (months), before it becomes grant fields. */
export interface ScheduleConfig {
  /** Months after the genesis time at which vesting starts accruing (default 0). */
  startOffsetMonths: number;
  /** Months after the start before anything vests (the grant's `cliff`). */
  cliffMonths: number;
  /** Months after the start at which everything has vested (the grant's `duration`). */
  durationMonths: number;
  revocable: boolean;
}

export interface GrantConfig {
  beneficiary: string;
  amount: bigint;
  schedule: ScheduleConfig;
  /** The grant fields, in seconds: `start = genesisTime + startOffset`. */
  startOffset: number;
  cliff: number;
  duration: number;
  revocable: boolean;
}

interface AllocationBase {
  id: string;
  name: string;
  amount: bigint;
}

/** Tokens minted to the vesting vault and granted from it. Grants may leave part unallocated. */
export interface VestingAllocation extends AllocationBase {
  kind: "vesting";
  schedule: ScheduleConfig;
  grants: GrantConfig[];
}

/** Tokens minted straight to a recipient, unlocked at genesis. */
export interface UnlockedAllocation extends AllocationBase {
  kind: "unlocked";
  recipient: string;
}

export interface AirdropRecipient {
  account: string;
  amount: bigint;
}

/** Tokens minted to the testnet airdrop contract; the remainder goes to the ecosystem treasury after the deadline. */
export interface AirdropAllocation extends AllocationBase {
  kind: "airdrop";
  /** The claim deadline is `genesisTime + claimPeriodDays days`. */
  claimPeriodDays: number;
  /** The recipients, when the config lists them (the root is then computed from them). */
  recipients?: AirdropRecipient[];
  merkleRoot: string;
}

export type Allocation = VestingAllocation | UnlockedAllocation | AirdropAllocation;

export interface AllocationConfig {
  version: number;
  description?: string;
  /** Vesting time zero: a unix time, or "deployment" (the latest block's timestamp when the deploy starts). */
  genesisTime: number | "deployment";
  /** Addresses by role name (checksummed). `governance`, `foundationTreasury`, `ecosystemTreasury` are required. */
  roles: Record<string, string>;
  allocations: Allocation[];
  /** Top-level sections this module does not know (for later deploy steps: emission, staking, rewards). */
  sections: Record<string, unknown>;
  /** keccak256 of the canonical JSON of the raw config. */
  configHash: string;
}

/** Every problem found in a config, in one error. */
export class AllocationConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid allocation config (${source}): ${problems.join("; ")}`);
    this.name = "AllocationConfigError";
  }
}

/* FORMATTING AND HASHING */

/** Formats a wei amount as MSN with thousands separators: 99000000e18 -> "99,000,000". */
export function formatMSN(wei: bigint): string {
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const whole = (abs / 10n ** 18n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = (abs % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return (negative ? "-" : "") + whole + (frac ? "." + frac : "");
}

/** JSON with object keys sorted at every level and no whitespace: the same config always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJson(obj[k])).join(",") + "}";
  }
  if (value === undefined) throw new Error("canonicalJson: undefined has no JSON form");
  return JSON.stringify(value);
}

export function configHash(raw: unknown): string {
  return keccak256(toUtf8Bytes(canonicalJson(raw)));
}

/** The OpenZeppelin standard Merkle tree of `(address account, uint256 amount)` leaves. */
export function buildAirdropTree(recipients: AirdropRecipient[]): StandardMerkleTree<[string, bigint]> {
  return StandardMerkleTree.of(
    recipients.map((r) => [r.account, r.amount] as [string, bigint]),
    ["address", "uint256"],
  );
}

/** What makes two config grants duplicates: the same fields the vault hashes into a grant id. */
export function grantKey(g: {
  beneficiary: string;
  amount: bigint;
  startOffset: number;
  cliff: number;
  duration: number;
}) {
  return `${g.beneficiary.toLowerCase()}|${g.amount}|${g.startOffset}|${g.cliff}|${g.duration}`;
}

/* VALIDATION */

/** Reads and validates a config file. Throws `AllocationConfigError` (or a JSON syntax error naming the file). */
export function loadAllocationConfig(file: string): AllocationConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new AllocationConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AllocationConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  return validateAllocationConfig(raw, file);
}

/**
 * Validates raw config JSON and resolves it (addresses checksummed, amounts in wei, schedules in seconds,
 * the airdrop root computed). Throws `AllocationConfigError` listing every problem.
 */
export function validateAllocationConfig(raw: unknown, source = "config"): AllocationConfig {
  const problems: string[] = [];
  const fail = (msg: string) => problems.push(msg);

  if (!isObject(raw)) throw new AllocationConfigError(source, ["the config must be a JSON object"]);

  if (raw.version !== CONFIG_VERSION)
    fail(`version must be ${CONFIG_VERSION}, got ${JSON.stringify(raw.version)}`);
  if (raw.description !== undefined && typeof raw.description !== "string")
    fail("description must be a string");

  let genesisTime: number | "deployment" = "deployment";
  if (raw.genesisTime === "deployment") genesisTime = "deployment";
  else if (isNonNegativeInteger(raw.genesisTime) && raw.genesisTime > 0 && raw.genesisTime <= MAX_UINT40) {
    genesisTime = raw.genesisTime;
  } else
    fail(`genesisTime must be "deployment" or a positive unix time, got ${JSON.stringify(raw.genesisTime)}`);

  // Roles.
  const roles: Record<string, string> = {};
  if (!isObject(raw.roles)) fail("roles must be an object of role name -> address");
  else {
    for (const [name, value] of Object.entries(raw.roles)) {
      const address = parseAddress(value, `roles.${name}`, fail);
      if (address) roles[name] = address;
    }
    for (const name of REQUIRED_ROLES) if (!(name in raw.roles)) fail(`roles.${name} is missing`);
  }
  const resolve = (value: unknown, where: string): string | undefined => {
    if (typeof value === "string" && value.startsWith("role:")) {
      const name = value.slice("role:".length);
      if (isObject(raw.roles) && !(name in raw.roles)) {
        fail(`${where}: unknown role "${name}"`);
        return undefined;
      }
      return roles[name]; // undefined when the role itself was invalid (already reported)
    }
    return parseAddress(value, where, fail);
  };

  // Allocations.
  const allocations: Allocation[] = [];
  if (!Array.isArray(raw.allocations) || raw.allocations.length === 0) {
    fail("allocations must be a non-empty array");
  } else {
    const ids = new Set<string>();
    const amounts: bigint[] = [];
    raw.allocations.forEach((entry: unknown, i: number) => {
      const where = `allocations[${i}]`;
      if (!isObject(entry)) return fail(`${where} must be an object`);
      const id = typeof entry.id === "string" && entry.id.length > 0 ? entry.id : undefined;
      if (!id) return fail(`${where}.id must be a non-empty string`);
      const at = `allocation "${id}"`;
      if (ids.has(id)) fail(`${at}: duplicate allocation id`);
      ids.add(id);
      const name = typeof entry.name === "string" && entry.name.length > 0 ? entry.name : id;
      const amount = parseAmount(entry.amount, `${at}.amount`, fail);
      if (amount === undefined) return;
      amounts.push(amount);
      if (entry.kind === "vesting") {
        const a = parseVesting(entry, id, name, amount, resolve, fail);
        if (a) allocations.push(a);
      } else if (entry.kind === "unlocked") {
        const recipient = resolve(entry.recipient, `${at}.recipient`);
        if (recipient) allocations.push({ kind: "unlocked", id, name, amount, recipient });
      } else if (entry.kind === "airdrop") {
        const a = parseAirdrop(entry, id, name, amount, fail);
        if (a) allocations.push(a);
      } else {
        fail(`${at}.kind must be "vesting", "unlocked" or "airdrop", got ${JSON.stringify(entry.kind)}`);
      }
    });

    // The sum: checked whenever every allocation amount parsed, even if other fields are wrong.
    if (amounts.length === raw.allocations.length) {
      const sum = amounts.reduce((s, a) => s + a, 0n);
      if (sum !== GENESIS_SUPPLY) {
        const diff = sum > GENESIS_SUPPLY ? sum - GENESIS_SUPPLY : GENESIS_SUPPLY - sum;
        fail(
          `allocations sum to ${formatMSN(sum)} MSN: ${formatMSN(diff)} MSN ${sum > GENESIS_SUPPLY ? "over" : "short"}` +
            ` (the genesis supply is exactly ${formatMSN(GENESIS_SUPPLY)} MSN)`,
        );
      }
    }
    const airdrops = raw.allocations.filter((a: unknown) => isObject(a) && a.kind === "airdrop");
    if (airdrops.length !== 1) {
      fail(
        `exactly one allocation of kind "airdrop" is required (the testnet airdrop), found ${airdrops.length}`,
      );
    }

    // Duplicate grants across every vesting allocation: the vault would reject the second one.
    const seen = new Map<string, string>();
    for (const a of allocations) {
      if (a.kind !== "vesting") continue;
      a.grants.forEach((g, j) => {
        const key = grantKey(g);
        const here = `allocation "${a.id}" grant ${j}`;
        const first = seen.get(key);
        if (first) {
          fail(
            `${here}: duplicate grant (same beneficiary ${g.beneficiary}, amount ${formatMSN(g.amount)} MSN and ` +
              `schedule as ${first})`,
          );
        } else seen.set(key, here);
      });
    }
  }

  const sections: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!KNOWN_TOP_LEVEL.includes(k)) sections[k] = v;

  if (problems.length > 0) throw new AllocationConfigError(source, problems);
  return {
    version: CONFIG_VERSION,
    description: raw.description as string | undefined,
    genesisTime,
    roles,
    allocations,
    sections,
    configHash: configHash(raw),
  };
}

/* PARTS */

type Fail = (msg: string) => void;
type Resolve = (value: unknown, where: string) => string | undefined;

function parseVesting(
  entry: Record<string, unknown>,
  id: string,
  name: string,
  amount: bigint,
  resolve: Resolve,
  fail: Fail,
): VestingAllocation | undefined {
  const at = `allocation "${id}"`;
  const schedule = parseSchedule(entry.schedule, `${at}.schedule`, fail);
  if (!Array.isArray(entry.grants)) {
    fail(`${at}.grants must be an array (it may be empty: ungranted tokens stay unallocated in the vault)`);
    return undefined;
  }
  const grants: GrantConfig[] = [];
  let ok = schedule !== undefined;
  entry.grants.forEach((g: unknown, j: number) => {
    const where = `${at} grant ${j}`;
    if (!isObject(g)) {
      ok = false;
      return fail(`${where} must be an object`);
    }
    const beneficiary = resolve(g.beneficiary, `${where}.beneficiary`);
    const grantAmount = parseAmount(g.amount, `${where}.amount`, fail);
    const s = g.schedule === undefined ? schedule : parseSchedule(g.schedule, `${where}.schedule`, fail);
    if (!beneficiary || grantAmount === undefined || !s) {
      ok = false;
      return;
    }
    grants.push({
      beneficiary,
      amount: grantAmount,
      schedule: s,
      startOffset: s.startOffsetMonths * MONTH_SECONDS,
      cliff: s.cliffMonths * MONTH_SECONDS,
      duration: s.durationMonths * MONTH_SECONDS,
      revocable: s.revocable,
    });
  });
  if (!ok || !schedule) return undefined;
  const granted = grants.reduce((s, g) => s + g.amount, 0n);
  if (granted > amount) {
    fail(
      `${at}: grants sum to ${formatMSN(granted)} MSN, ${formatMSN(granted - amount)} MSN above the ` +
        `allocation of ${formatMSN(amount)} MSN`,
    );
    return undefined;
  }
  return { kind: "vesting", id, name, amount, schedule, grants };
}

function parseSchedule(value: unknown, where: string, fail: Fail): ScheduleConfig | undefined {
  if (!isObject(value)) {
    fail(`${where} must be an object {startOffsetMonths?, cliffMonths, durationMonths, revocable}`);
    return undefined;
  }
  const startOffsetMonths = value.startOffsetMonths ?? 0;
  const { cliffMonths, durationMonths, revocable } = value;
  let ok = true;
  const month = (v: unknown, field: string) => {
    if (!isNonNegativeInteger(v) || v * MONTH_SECONDS > MAX_UINT32) {
      fail(
        `${where}.${field} must be a whole number of months from 0 to ${Math.floor(MAX_UINT32 / MONTH_SECONDS)}`,
      );
      ok = false;
    }
  };
  month(startOffsetMonths, "startOffsetMonths");
  month(cliffMonths, "cliffMonths");
  month(durationMonths, "durationMonths");
  if (typeof revocable !== "boolean") {
    fail(`${where}.revocable must be true or false`);
    ok = false;
  }
  for (const k of Object.keys(value)) {
    if (!["startOffsetMonths", "cliffMonths", "durationMonths", "revocable"].includes(k)) {
      fail(`${where}: unknown field "${k}"`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const s = { startOffsetMonths, cliffMonths, durationMonths, revocable } as ScheduleConfig;
  if (s.durationMonths === 0) {
    fail(
      `${where}: durationMonths is 0 (a grant needs a non-zero duration; use kind "unlocked" for unlocked tokens)`,
    );
    return undefined;
  }
  if (s.cliffMonths > s.durationMonths) {
    fail(`${where}: cliff (${s.cliffMonths} months) exceeds duration (${s.durationMonths} months)`);
    return undefined;
  }
  return s;
}

function parseAirdrop(
  entry: Record<string, unknown>,
  id: string,
  name: string,
  amount: bigint,
  fail: Fail,
): AirdropAllocation | undefined {
  const at = `allocation "${id}"`;
  let ok = true;
  const days = entry.claimPeriodDays;
  if (!isNonNegativeInteger(days) || days === 0 || days * DAY_SECONDS > MAX_UINT32) {
    fail(`${at}.claimPeriodDays must be a positive whole number of days`);
    ok = false;
  }
  if ((entry.recipients === undefined) === (entry.merkleRoot === undefined)) {
    fail(`${at}: give either recipients (the root is computed) or merkleRoot, not both or neither`);
    return undefined;
  }
  if (entry.merkleRoot !== undefined) {
    if (!isHexString(entry.merkleRoot, 32) || entry.merkleRoot === ZeroHash) {
      fail(`${at}.merkleRoot must be a non-zero 32-byte hex string`);
      return undefined;
    }
    return ok
      ? { kind: "airdrop", id, name, amount, claimPeriodDays: days as number, merkleRoot: entry.merkleRoot }
      : undefined;
  }
  if (!Array.isArray(entry.recipients) || entry.recipients.length === 0) {
    fail(`${at}.recipients must be a non-empty array of {account, amount}`);
    return undefined;
  }
  const recipients: AirdropRecipient[] = [];
  const accounts = new Set<string>();
  entry.recipients.forEach((r: unknown, j: number) => {
    const where = `${at} recipient ${j}`;
    if (!isObject(r)) {
      ok = false;
      return fail(`${where} must be an object {account, amount}`);
    }
    const account = parseAddress(r.account, `${where}.account`, fail);
    const value = parseAmount(r.amount, `${where}.amount`, fail);
    if (!account || value === undefined) {
      ok = false;
      return;
    }
    if (accounts.has(account)) {
      ok = false;
      return fail(`${where}: duplicate account ${account} (each account claims once)`);
    }
    accounts.add(account);
    recipients.push({ account, amount: value });
  });
  if (!ok) return undefined;
  const total = recipients.reduce((s, r) => s + r.amount, 0n);
  if (total > amount) {
    fail(
      `${at}: recipients sum to ${formatMSN(total)} MSN, ${formatMSN(total - amount)} MSN above the ` +
        `allocation of ${formatMSN(amount)} MSN`,
    );
    return undefined;
  }
  const merkleRoot = buildAirdropTree(recipients).root;
  return { kind: "airdrop", id, name, amount, claimPeriodDays: days as number, recipients, merkleRoot };
}

function parseAddress(value: unknown, where: string, fail: Fail): string | undefined {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
    fail(`${where}: ${JSON.stringify(value)} is not an address`);
    return undefined;
  }
  let address: string;
  try {
    address = getAddress(value);
  } catch {
    fail(`${where}: ${value} has an invalid checksum`);
    return undefined;
  }
  if (address === ZeroAddress) {
    fail(`${where} is the zero address`);
    return undefined;
  }
  return address;
}

/** An amount in whole or decimal MSN ("26000000", "1234.5", or a safe integer), returned in wei; must be > 0. */
function parseAmount(value: unknown, where: string, fail: Fail): bigint | undefined {
  let wei: bigint | undefined;
  if (typeof value === "number" && Number.isSafeInteger(value)) wei = BigInt(value) * 10n ** 18n;
  else if (typeof value === "string" && /^\d+(\.\d{1,18})?$/.test(value)) wei = parseUnits(value, 18);
  if (wei === undefined) {
    fail(`${where}: ${JSON.stringify(value)} is not an MSN amount (a decimal string such as "26000000")`);
    return undefined;
  }
  if (wei === 0n) {
    fail(`${where} is 0`);
    return undefined;
  }
  return wei;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
