/**
 * The protocol sections of a deploy config (`emission`, `staking`, `rewards`): load, validate, resolve.
 *
 * Pure, like allocationConfig.ts: `validateProtocolConfig` turns the raw sections into typed parameters
 * (SPEC §3–§5 defaults for anything left out) or throws a `ProtocolConfigError` listing every problem, so
 * a bad value stops the deploy before its first transaction.
 */
import { getAddress, parseUnits, ZeroAddress } from "ethers";

import type { AllocationConfig } from "./allocationConfig";

const YEAR_SECONDS = 365 * 86_400;

export interface ProtocolConfig {
  emission: {
    /** Emission time zero; "genesis" means the vesting genesis time of the allocation config. */
    genesisTime: number | "genesis";
    epochLength: number;
  };
  staking: {
    admin: string;
    slasher: string;
    treasury: string;
    unbondingPeriod: number;
    maxBoostBps: number;
    fullStakePerNode: bigint;
    maxSlashBps: number;
  };
  rewards: {
    admin: string;
    guardian: string;
    oracles: string[];
    threshold: number;
    challengeWindow: number;
  };
}

export const PROTOCOL_DEFAULTS = {
  epochLength: 86_400,
  unbondingPeriod: 7 * 86_400,
  maxBoostBps: 20_000,
  fullStakePerNode: "1000",
  maxSlashBps: 5_000,
  threshold: 1,
  challengeWindow: 6 * 3_600,
} as const;

const KNOWN: Record<string, string[]> = {
  emission: ["genesisTime", "epochLengthSeconds"],
  staking: [
    "admin",
    "slasher",
    "treasury",
    "unbondingPeriodSeconds",
    "maxBoostBps",
    "fullStakePerNode",
    "maxSlashBps",
  ],
  rewards: ["admin", "guardian", "oracles", "threshold", "challengeWindowSeconds"],
};

export class ProtocolConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid protocol config (${source}): ${problems.join("; ")}`);
    this.name = "ProtocolConfigError";
  }
}

/**
 * Validates the `emission`, `staking` and `rewards` sections of an allocation config. Addresses may be
 * written as `role:<name>` (a role of the config). Unknown sections or fields are errors.
 */
export function validateProtocolConfig(config: AllocationConfig, source = "config"): ProtocolConfig {
  const problems: string[] = [];
  const fail = (msg: string) => problems.push(msg);
  const sections = config.sections;
  for (const name of Object.keys(sections)) {
    if (!(name in KNOWN)) fail(`unknown top-level section "${name}" (known: emission, staking, rewards)`);
  }
  const section = (name: string): Record<string, unknown> => {
    const value = sections[name];
    if (value === undefined) return {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail(`${name} must be an object`);
      return {};
    }
    for (const k of Object.keys(value)) {
      if (!KNOWN[name].includes(k)) fail(`${name}: unknown field "${k}" (known: ${KNOWN[name].join(", ")})`);
    }
    return value as Record<string, unknown>;
  };
  const address = (value: unknown, where: string, fallback?: string): string => {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === "string" && value.startsWith("role:")) {
      const role = config.roles[value.slice(5)];
      if (!role) fail(`${where}: unknown role "${value.slice(5)}"`);
      return role ?? ZeroAddress;
    }
    if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
      fail(`${where}: ${JSON.stringify(value)} is not an address or role:<name>`);
      return ZeroAddress;
    }
    try {
      const a = getAddress(value);
      if (a === ZeroAddress) fail(`${where} is the zero address`);
      return a;
    } catch {
      fail(`${where}: ${value} has an invalid checksum`);
      return ZeroAddress;
    }
  };
  const integer = (value: unknown, where: string, fallback: number, min: number, max: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      fail(`${where} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  };

  const governance = config.roles.governance;

  // Emission.
  const e = section("emission");
  let genesisTime: number | "genesis" = "genesis";
  if (e.genesisTime !== undefined && e.genesisTime !== "genesis") {
    genesisTime = integer(e.genesisTime, "emission.genesisTime", 0, 1, 2 ** 40 - 1);
  }
  const epochLength = integer(
    e.epochLengthSeconds,
    "emission.epochLengthSeconds",
    PROTOCOL_DEFAULTS.epochLength,
    1,
    YEAR_SECONDS,
  );
  if (YEAR_SECONDS % epochLength !== 0) {
    fail(`emission.epochLengthSeconds ${epochLength} does not divide 365 days (${YEAR_SECONDS} s)`);
  }

  // Staking.
  const s = section("staking");
  const unbondingPeriod = integer(
    s.unbondingPeriodSeconds,
    "staking.unbondingPeriodSeconds",
    PROTOCOL_DEFAULTS.unbondingPeriod,
    86_400,
    60 * 86_400,
  );
  const maxBoostBps = integer(
    s.maxBoostBps,
    "staking.maxBoostBps",
    PROTOCOL_DEFAULTS.maxBoostBps,
    10_000,
    100_000,
  );
  const maxSlashBps = integer(s.maxSlashBps, "staking.maxSlashBps", PROTOCOL_DEFAULTS.maxSlashBps, 1, 10_000);
  let fullStakePerNode = parseUnits(PROTOCOL_DEFAULTS.fullStakePerNode, 18);
  if (s.fullStakePerNode !== undefined) {
    if (typeof s.fullStakePerNode !== "string" || !/^\d+(\.\d{1,18})?$/.test(s.fullStakePerNode)) {
      fail(`staking.fullStakePerNode must be an MSN amount such as "1000"`);
    } else {
      fullStakePerNode = parseUnits(s.fullStakePerNode, 18);
      if (fullStakePerNode === 0n) fail("staking.fullStakePerNode is 0");
    }
  }

  // Rewards.
  const r = section("rewards");
  const oracles: string[] = [];
  if (!Array.isArray(r.oracles) || r.oracles.length === 0) {
    fail("rewards.oracles must be a non-empty array of the oracle signers' addresses");
  } else {
    r.oracles.forEach((o, i) => {
      const a = address(o, `rewards.oracles[${i}]`);
      if (oracles.includes(a)) fail(`rewards.oracles[${i}]: duplicate oracle ${a}`);
      oracles.push(a);
    });
  }
  const threshold = integer(
    r.threshold,
    "rewards.threshold",
    PROTOCOL_DEFAULTS.threshold,
    1,
    Math.max(1, oracles.length),
  );
  const challengeWindow = integer(
    r.challengeWindowSeconds,
    "rewards.challengeWindowSeconds",
    PROTOCOL_DEFAULTS.challengeWindow,
    1,
    30 * 86_400,
  );

  // SPEC §4: unbonding must outlast the challenge window plus one epoch, or fraud seen in a root could not
  // be slashed before the stake behind it leaves.
  if (unbondingPeriod < challengeWindow + epochLength) {
    fail(
      `staking.unbondingPeriodSeconds ${unbondingPeriod} is shorter than the challenge window plus one epoch ` +
        `(${challengeWindow} + ${epochLength} = ${challengeWindow + epochLength} s)`,
    );
  }

  const result: ProtocolConfig = {
    emission: { genesisTime, epochLength },
    staking: {
      admin: address(s.admin, "staking.admin", governance),
      slasher: address(s.slasher, "staking.slasher", governance),
      treasury: address(s.treasury, "staking.treasury", config.roles.foundationTreasury),
      unbondingPeriod,
      maxBoostBps,
      fullStakePerNode,
      maxSlashBps,
    },
    rewards: {
      admin: address(r.admin, "rewards.admin", governance),
      guardian: address(r.guardian, "rewards.guardian", config.roles.guardian ?? governance),
      oracles,
      threshold,
      challengeWindow,
    },
  };
  if (problems.length > 0) throw new ProtocolConfigError(source, problems);
  return result;
}
