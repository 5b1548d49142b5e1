const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  pib: 1024 ** 5,
};

/** "1000", "10GB", "1.5 TiB" -> bytes (a safe integer), or undefined when not a size. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = UNITS[(m[2] || "b").toLowerCase()];
  if (unit === undefined) return undefined;
  const value = Number(m[1]) * unit;
  if (!Number.isFinite(value) || !Number.isSafeInteger(Math.round(value)) || value < 0) return undefined;
  if (unit === 1 && !Number.isInteger(Number(m[1]))) return undefined;
  return Math.round(value);
}

/** 1536 -> "1.5 KiB" */
export function formatBytes(n: number): string {
  const names = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < names.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${names[i]}`;
}

const WEI_PER_MSN = 10n ** 18n;

/** "1234567" -> "1,234,567" */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Wei as MSN with thousands separators and at most `decimals` fraction digits, truncated (never rounded up:
 * nothing shows more than there is), trailing zeros dropped: 1234.5e18 -> "1,234.5". Exact: no floating point.
 */
export function formatMsn(wei: bigint, decimals = 4): string {
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const whole = groupThousands((abs / WEI_PER_MSN).toString());
  const fraction = (abs % WEI_PER_MSN).toString().padStart(18, "0").slice(0, decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}
