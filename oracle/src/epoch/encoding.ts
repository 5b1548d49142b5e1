/**
 * Small, allocation-conscious helpers shared by the epoch modules: address and hex validation, uint256
 * encoding, canonical decimal strings, and the two keccak256 implementations (hash-wasm for bulk work,
 * @noble/hashes for one-off synchronous hashes).
 */
import { createKeccak, type IHasher } from "hash-wasm";
import { keccak_256 } from "@noble/hashes/sha3";

/** A 20-byte address as 0x-prefixed lowercase hex (the canonical form used throughout the epoch modules). */
export type Address = `0x${string}`;
/** A 32-byte value as 0x-prefixed lowercase hex. */
export type Hash = `0x${string}`;

export const MAX_UINT256 = (1n << 256n) - 1n;
export const ZERO_HASH: Hash = `0x${"00".repeat(32)}`;

/** Thrown for input that does not satisfy a module's documented contract. */
export class EpochInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EpochInputError";
  }
}

/** Hex digit value by UTF-16 code unit (0x10 marks a non-hex character). */
const NIBBLE = (() => {
  const table = new Uint8Array(65536).fill(0x10);
  for (let c = 0; c < 10; c++) table[0x30 + c] = c;
  for (let c = 0; c < 6; c++) {
    table[0x61 + c] = 10 + c;
    table[0x41 + c] = 10 + c;
  }
  return table;
})();

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const LOWER_HASH_RE = /^0x[0-9a-f]{64}$/;

/** Lowercase hex digit value by UTF-16 code unit (0x10 marks anything else). */
const LOWER_NIBBLE = (() => {
  const table = new Uint8Array(65536).fill(0x10);
  for (let c = 0; c < 10; c++) table[0x30 + c] = c;
  for (let c = 0; c < 6; c++) table[0x61 + c] = 10 + c;
  return table;
})();

/**
 * The {@link addressKey} of a lowercase 0x-prefixed 20-byte hex address, or −1 if `value` is not one.
 * One table lookup per character: about three times faster than a regular expression, which matters at
 * millions of addresses per epoch.
 */
export function lowerAddressKey(value: unknown): number {
  if (
    typeof value !== "string" ||
    value.length !== 42 ||
    value.charCodeAt(0) !== 0x30 ||
    value.charCodeAt(1) !== 0x78
  ) {
    return -1;
  }
  let key = 0;
  let bad = 0;
  for (let i = 2; i < 10; i++) {
    const v = LOWER_NIBBLE[value.charCodeAt(i)]!;
    bad |= v;
    key = (key << 4) | (v & 0xf);
  }
  for (let i = 10; i < 42; i++) bad |= LOWER_NIBBLE[value.charCodeAt(i)]!;
  return (bad & 0x10) === 0 ? key >>> 0 : -1;
}

/** Returns the lowercase form of a 0x-prefixed 20-byte hex address (any letter case), or throws. */
export function normalizeAddress(value: unknown, what: string): Address {
  if (lowerAddressKey(value) >= 0) return value as Address; // common case: no copy
  if (typeof value !== "string" || !ADDRESS_RE.test(value)) {
    throw new EpochInputError(`${what}: expected a 0x-prefixed 20-byte hex address, got ${describe(value)}`);
  }
  return value.toLowerCase() as Address;
}

/** True for a 0x-prefixed lowercase 20-byte hex string. */
export function isLowerAddress(value: unknown): value is Address {
  return lowerAddressKey(value) >= 0;
}

/** True for a 0x-prefixed lowercase 32-byte hex string. */
export function isLowerHash(value: unknown): value is Hash {
  return typeof value === "string" && LOWER_HASH_RE.test(value);
}

/** Checks a bigint amount is within [0, 2^256). */
export function checkUint256(value: unknown, what: string): bigint {
  if (typeof value !== "bigint")
    throw new EpochInputError(`${what}: expected a bigint, got ${describe(value)}`);
  if (value < 0n || value > MAX_UINT256) {
    throw new EpochInputError(`${what}: ${value} is outside the uint256 range`);
  }
  return value;
}

/** A bigint from a bigint or a safe-integer number, or throws. */
export function toBigInt(value: unknown, what: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw new EpochInputError(`${what}: expected an integer, got ${describe(value)}`);
}

/** Short description of a bad value for error messages (never dumps large inputs). */
export function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string")
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return String(value);
}

/** Lowercase 0x-hex of bytes. */
export function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** Bytes of a 0x-prefixed hex string of exactly `length` bytes (any letter case), or throws. */
export function hexToBytes(value: unknown, length: number, what: string): Buffer {
  if (typeof value !== "string" || value.length !== 2 + 2 * length || !/^0x[0-9a-fA-F]*$/.test(value)) {
    throw new EpochInputError(`${what}: expected 0x-prefixed hex of ${length} bytes, got ${describe(value)}`);
  }
  return Buffer.from(value.slice(2), "hex");
}

/**
 * Writes `value` (0 <= value < 2^256, not checked here) as 32 big-endian bytes at `offset`. Going through
 * one hex string is about twice as fast as splitting the bigint into 64-bit limbs.
 */
export function writeUint256(target: Uint8Array, offset: number, value: bigint): void {
  const hex = value.toString(16);
  let i = hex.length;
  target.fill(0, offset, offset + 32 - ((i + 1) >> 1));
  let at = offset + 31;
  for (; i >= 2; i -= 2)
    target[at--] = (NIBBLE[hex.charCodeAt(i - 2)]! << 4) | NIBBLE[hex.charCodeAt(i - 1)]!;
  if (i === 1) target[at] = NIBBLE[hex.charCodeAt(0)]!;
}

/** Writes the 20 bytes of a (validated) 0x-prefixed address at `offset`. */
export function writeAddress(target: Uint8Array, offset: number, address: string): void {
  // A table lookup per hex digit: several times faster than Buffer.write(…, "hex") on a sliced string.
  if (typeof address !== "string" || address.length !== 42) {
    throw new EpochInputError(`not a 20-byte hex address: ${describe(address)}`);
  }
  let bad = 0;
  for (let i = 0; i < 20; i++) {
    const hi = NIBBLE[address.charCodeAt(2 + 2 * i)]!;
    const lo = NIBBLE[address.charCodeAt(3 + 2 * i)]!;
    bad |= (hi | lo) & 0x10;
    target[offset + i] = (hi << 4) | lo;
  }
  if (bad !== 0 || address.charCodeAt(0) !== 0x30 || address.charCodeAt(1) !== 0x78) {
    throw new EpochInputError(`not a 20-byte hex address: ${describe(address)}`);
  }
}

/** Bulk keccak256: one hash-wasm instance (reuse it; each instance keeps its own state). */
export function createKeccak256(): Promise<IHasher> {
  return createKeccak(256);
}

/** Synchronous one-off keccak256 (for proofs, single leaves and small inputs). */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/** Sorted-pair node hash `keccak256(min(a,b) ‖ max(a,b))`, as OpenZeppelin's `MerkleProof` computes it. */
export function hashPairSync(a: Uint8Array, b: Uint8Array): Uint8Array {
  const pair = new Uint8Array(64);
  if (Buffer.compare(a, b) <= 0) {
    pair.set(a, 0);
    pair.set(b, 32);
  } else {
    pair.set(b, 0);
    pair.set(a, 32);
  }
  return keccak_256(pair);
}

/**
 * Stable ascending order of `n` items by a 32-bit key, ties broken by `tie(a, b)` (item indices):
 * `order[k]` = index of the k-th smallest item. LSD radix sort in two 16-bit passes, then only the runs
 * sharing a key go through a comparison sort, so uniformly distributed keys (hashes, addresses) sort in O(n).
 */
export function radixOrder(keys: Uint32Array, tie: (a: number, b: number) => number): Uint32Array {
  const n = keys.length;
  let order = new Uint32Array(n);
  let scratch = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = new Uint32Array(65536);
  for (let shift = 0; shift <= 16; shift += 16) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 0xffff]! += 1;
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const index = order[k]!;
      const bucket = (keys[index]! >>> shift) & 0xffff;
      scratch[counts[bucket]!] = index;
      counts[bucket]! += 1;
    }
    [order, scratch] = [scratch, order];
  }
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && keys[order[end]!] === keys[order[start]!]) end++;
    if (end - start > 1) {
      const run = Array.from(order.subarray(start, end));
      run.sort(tie);
      order.set(run, start);
    }
    start = end;
  }
  return order;
}

/** First 32 bits of a lowercase 0x address (its first 8 hex digits), as an unsigned integer. */
export function addressKey(address: string): number {
  let key = 0;
  for (let i = 2; i < 10; i++) {
    const c = address.charCodeAt(i);
    key = (key << 4) | (c <= 57 ? c - 48 : c - 87);
  }
  return key >>> 0;
}

/**
 * Ascending order of lowercase 0x addresses given with their {@link addressKey}s (equal addresses end up
 * adjacent, in input order).
 */
export function addressOrderByKeys(addresses: readonly string[], keys: Uint32Array): Uint32Array {
  return radixOrder(keys, (a, b) => {
    const x = addresses[a]!;
    const y = addresses[b]!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
}

/** Ascending order of lowercase 0x addresses (equal addresses end up adjacent, in input order). */
export function addressOrder(addresses: readonly string[]): Uint32Array {
  const keys = new Uint32Array(addresses.length);
  for (let i = 0; i < addresses.length; i++) keys[i] = addressKey(addresses[i]!);
  return addressOrderByKeys(addresses, keys);
}

/** Compares two lowercase addresses whose {@link addressKey}s are known, touching the strings only on a tie. */
export function compareKeyed(a: string, keyA: number, b: string, keyB: number): number {
  if (keyA !== keyB) return keyA < keyB ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
