import { keccak_256 } from "@noble/hashes/sha3";
import { addressOf } from "../../src/receipts/sign.js";
import { toHex, type Hex } from "../../src/lib/hex.js";

/** A deterministic private key for `label` (keccak256 of it). */
export function keyOf(label: string): Hex {
  return toHex(keccak_256(new TextEncoder().encode(`msn-test:${label}`)));
}

/** A deterministic account: private key and address. */
export function account(label: string): { key: Hex; address: Hex } {
  const key = keyOf(label);
  return { key, address: addressOf(key) };
}

/** A deterministic address that nobody holds a key for. */
export function addr(label: string): Hex {
  return toHex(keccak_256(new TextEncoder().encode(`msn-addr:${label}`)).subarray(12));
}

/** A deterministic bytes32. */
export function b32(label: string): Hex {
  return toHex(keccak_256(new TextEncoder().encode(`msn-b32:${label}`)));
}
