import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { EmissionMinter, MSNToken } from "../../typechain-types";

export const DAY = 86_400n;
/** A schedule year: 365 days = 31,536,000 s. */
export const YEAR = 365n * DAY;
export const SCHEDULE_YEARS = 10n;
export const MSN = 10n ** 18n;
export const GENESIS_SUPPLY = 100_000_000n * MSN;
export const TOTAL_EMISSION = 27_500_000n * MSN;
export const MAX_SUPPLY = GENESIS_SUPPLY + TOTAL_EMISSION;

/** The budgets SPEC §3 lists: 5.0M, 4.5M, ... 0.5M MSN. */
export const YEAR_BUDGETS: bigint[] = Array.from(
  { length: 10 },
  (_, y) => (5_000_000n - 500_000n * BigInt(y)) * MSN,
);
/** The cumulative caps SPEC §3 lists after each year (5, 9.5, 13.5, 17, 20, 22.5, 24.5, 26, 27, 27.5 million). */
export const CUMULATIVE_AFTER_YEAR: bigint[] = [
  5_000_000n,
  9_500_000n,
  13_500_000n,
  17_000_000n,
  20_000_000n,
  22_500_000n,
  24_500_000n,
  26_000_000n,
  27_000_000n,
  27_500_000n,
].map((m) => m * MSN);

/**
 * Independent reference for the schedule, written from SPEC §3 (a year-by-year sum, not the contract's
 * closed form): the cumulative emission `elapsed` seconds after genesis.
 */
export function referenceEmitted(elapsed: bigint): bigint {
  if (elapsed <= 0n) return 0n;
  let total = 0n;
  for (let y = 0n; y < SCHEDULE_YEARS; y++) {
    const budget = YEAR_BUDGETS[Number(y)];
    const yearStart = y * YEAR;
    if (elapsed >= yearStart + YEAR) {
      total += budget;
    } else {
      total += (budget * (elapsed - yearStart)) / YEAR;
      break;
    }
  }
  return total;
}

export interface EmissionDeployment {
  token: MSNToken;
  minter: EmissionMinter;
  genesisTime: bigint;
  epochLength: bigint;
  admin: Awaited<ReturnType<typeof ethers.getSigners>>[number];
  distributor: Awaited<ReturnType<typeof ethers.getSigners>>[number];
  treasury: Awaited<ReturnType<typeof ethers.getSigners>>[number];
  keeper: Awaited<ReturnType<typeof ethers.getSigners>>[number];
}

/** How far after the fixture's block genesis lies, so tests can also look at "before genesis". */
export const GENESIS_DELAY = 3_600n;

/**
 * The real MSNToken (100M genesis minted to a treasury) and an EmissionMinter made its minter, with
 * genesis an hour after the fixture's block. The distributor is a plain account standing in for the
 * rewards distributor.
 */
async function deployEmission(epochLength: bigint): Promise<EmissionDeployment> {
  const [admin, distributor, treasury, keeper] = await ethers.getSigners();
  const token = await ethers.deployContract("MSNToken", [
    [treasury.address],
    [GENESIS_SUPPLY],
    admin.address,
  ]);
  const genesisTime = BigInt(await time.latest()) + GENESIS_DELAY;
  const minter = await ethers.deployContract("EmissionMinter", [
    await token.getAddress(),
    distributor.address,
    genesisTime,
    epochLength,
  ]);
  await token.connect(admin).setMinter(await minter.getAddress());
  return { token, minter, genesisTime, epochLength, admin, distributor, treasury, keeper };
}

/** 1-day epochs (the default): 365 per year, 3,650 carry emission. */
export async function oneDayEpochFixture(): Promise<EmissionDeployment> {
  return deployEmission(DAY);
}

/** 5-day epochs: 73 per year, so epoch 73·y starts exactly at year boundary y. */
export async function fiveDayEpochFixture(): Promise<EmissionDeployment> {
  return deployEmission(5n * DAY);
}

/**
 * Minters with a range of valid epoch lengths (all divisors of 365 days) over one token address, for
 * schedule properties that only call views.
 */
export async function epochLengthsFixture(): Promise<{
  minters: { epochLength: bigint; minter: EmissionMinter }[];
}> {
  const [, distributor] = await ethers.getSigners();
  const { token } = await deployEmission(DAY);
  const genesisTime = BigInt(await time.latest()) + GENESIS_DELAY;
  const lengths = [1n, 7_300n, 3_600n, DAY, 5n * DAY, 73n * DAY, YEAR];
  const minters = [];
  for (const epochLength of lengths) {
    const minter = await ethers.deployContract("EmissionMinter", [
      await token.getAddress(),
      distributor.address,
      genesisTime,
      epochLength,
    ]);
    minters.push({ epochLength, minter });
  }
  return { minters };
}
