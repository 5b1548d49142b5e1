/**
 * Seeded randomness for the devnet simulation: the same seed gives the same keys, nodes, stakes and
 * traffic on every run (only chain times differ, and nothing the checks compare depends on them).
 */
import { keccak_256 } from "@noble/hashes/sha3";
import { addressOf } from "../src/receipts/sign.js";
import { toHex, type Hex } from "../src/lib/hex.js";

const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function hashText(text: string): Uint8Array {
  return keccak_256(new TextEncoder().encode(text));
}

/**
 * A small, fast PRNG (sfc32) seeded from keccak256 of a label. Not for cryptography: it only decides
 * the shape of the simulated world. `fork(label)` gives an independent stream, so adding a draw in one
 * part of the simulation does not shift every other part.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly label: string) {
    const h = hashText(`msn-devnet-rng:${label}`);
    const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
    this.a = view.getUint32(0);
    this.b = view.getUint32(4);
    this.c = view.getUint32(8);
    this.d = view.getUint32(12) | 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  fork(label: string): Rng {
    return new Rng(`${this.label}/${label}`);
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`bad integer range [${min}, ${max}]`);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Log-uniform in [min, max): as many values between 1 and 10 GB as between 10 and 100 GB. */
  logUniform(min: number, max: number): number {
    return Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min)));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** 32 random bytes as 0x-hex (session ids). */
  bytes32(): Hex {
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) view.setUint32(i * 4, this.nextU32());
    return toHex(out);
  }
}

/** A simulated key pair. Addresses are lower-case, the oracle's one spelling. */
export interface KeyPair {
  key: Hex;
  address: Hex;
}

/**
 * The deterministic private key of simulated `role` #`index` under `seed`: keccak256 of a label,
 * rehashed in the (astronomically unlikely) case it is not a valid secp256k1 key.
 */
export function deriveKey(seed: string, role: string, index: number): KeyPair {
  let bytes = hashText(`msn-devnet-key:${seed}:${role}:${index}`);
  for (;;) {
    const n = BigInt(toHex(bytes));
    if (n > 0n && n < SECP256K1_ORDER) break;
    bytes = keccak_256(bytes);
  }
  const key = toHex(bytes);
  return { key, address: addressOf(key) };
}
