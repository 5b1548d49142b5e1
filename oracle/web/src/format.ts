/** Formatting and parsing of what the page shows and reads: MSN amounts, boosts, durations. Pure. */

import { formatMsn as formatExact } from "../../src/lib/units.js";

export const MSN_DECIMALS = 18;
const UNIT = 10n ** BigInt(MSN_DECIMALS);

/**
 * `wei` as MSN, truncated to `decimals` fraction digits (see the oracle's `formatMsn`); an amount too small to
 * show is "<0.0001" rather than a misleading "0". `formatMsn(1234500000000000000000n)` is "1,234.5".
 */
export function formatMsn(wei: bigint, decimals = 4): string {
  const shown = formatExact(wei, decimals);
  if (wei === 0n || !/^-?0$/.test(shown)) return shown;
  return `${wei < 0n ? "-" : ""}<${decimals === 0 ? "1" : `0.${"0".repeat(decimals - 1)}1`}`;
}

/** An amount typed by the user, in MSN ("12.5", "1,000", "0.000001"), as wei; throws InputError. */
export function parseMsn(text: string): bigint {
  const t = text.trim().replace(/,/g, "").replace(/_/g, "");
  if (t === "") throw new InputError("enter an amount of MSN");
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (m === null || (m[1] === "" && (m[2] ?? "") === "")) {
    throw new InputError(`"${text.trim()}" is not an amount: write it like 12.5`);
  }
  const fraction = m[2] ?? "";
  if (fraction.length > MSN_DECIMALS) {
    throw new InputError(`MSN has ${MSN_DECIMALS} decimals: "${text.trim()}" has ${fraction.length}`);
  }
  const wei = BigInt(m[1] || "0") * UNIT + BigInt(fraction.padEnd(MSN_DECIMALS, "0") || "0");
  if (wei === 0n) throw new InputError("the amount must be more than 0 MSN");
  return wei;
}

/** A mistake in what the user typed: shown as it is, nothing is sent. */
export class InputError extends Error {
  override name = "InputError";
}

/** A boost in basis points (10,000 = no boost) as a multiplier with every basis point shown: "1.2500×". */
export function formatBoost(bps: bigint): string {
  const whole = bps / 10_000n;
  const frac = (bps % 10_000n).toString().padStart(4, "0");
  return `${whole}.${frac}×`;
}

/** A percentage from basis points: 450 → "4.5%". */
export function formatBps(bps: number): string {
  return `${(bps / 100).toFixed(2).replace(/\.?0+$/, "")}%`;
}

/** A span of seconds in words, to the two largest units: "3 d 4 h", "5 min 2 s", "0 s". */
export function formatDuration(seconds: number): string {
  let s = Math.max(0, Math.floor(seconds));
  const units: [string, number][] = [
    ["d", 86_400],
    ["h", 3_600],
    ["min", 60],
    ["s", 1],
  ];
  const parts: string[] = [];
  for (const [name, size] of units) {
    if (s >= size || (name === "s" && parts.length === 0)) {
      parts.push(`${Math.floor(s / size)} ${name}`);
      s %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** A unix time as "2026-12-05 10:42:49 UTC". */
export function formatTime(unix: number): string {
  return `${new Date(unix * 1000).toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

/** 0x1234…abcd */
export function shortHex(value: string, keep = 4): string {
  return value.length <= 2 + keep * 2 + 1 ? value : `${value.slice(0, 2 + keep)}…${value.slice(-keep)}`;
}
