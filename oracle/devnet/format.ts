/** Number formatting for the devnet's output (exact for token amounts: no floating point). */

import { formatMsn, groupThousands as group } from "../src/lib/units.js";

export { formatMsn };

/** Decimal byte units: 1.5e12 → "1.50 TB". */
export function formatBytes(bytes: bigint | number): string {
  const n = Number(bytes);
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}

/** 15000n → "1.50x". */
export function formatBoost(bps: bigint): string {
  return `${(Number(bps) / 10_000).toFixed(2)}x`;
}

/** 0x1234…abcd */
export function shortHex(value: string, head = 6, tail = 4): string {
  return value.length <= head + tail + 1 ? value : `${value.slice(0, head)}…${value.slice(-tail)}`;
}

export function formatInt(n: number | bigint): string {
  return group(n.toString());
}

/** Renders rows as a plain-text table; columns right-aligned unless listed in `left`. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  left: readonly number[] = [0],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
