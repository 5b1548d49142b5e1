import { keccak_256 as keccakSync } from "@noble/hashes/sha3";
import { secp256k1 } from "../lib/secp.js";
import { ReceiptHasher } from "./eip712.js";
import { PACKED_SIZE, packFields } from "./packed.js";
import type { Receipt, ReceiptDomain, SignedReceipt } from "./types.js";
import { fromHex, toHex, type Hex } from "../lib/hex.js";

/** The Ethereum address of a secp256k1 private key (32 bytes or 0x-hex). */
export function addressOf(privateKey: Uint8Array | Hex, hasher?: ReceiptHasher): Hex {
  const key = typeof privateKey === "string" ? fromHex(privateKey) : privateKey;
  const pub = secp256k1.publicKeyCreate(key, false);
  if (hasher !== undefined) return toHex(hasher.keccak256(pub.subarray(1)).subarray(12));
  // Cold path (no hasher at hand): a one-off keccak.
  return toHex(keccakSync(pub.subarray(1)).subarray(12));
}

/**
 * Signs bandwidth receipts as a client would (RFC 6979 nonces, low-s, v in {27, 28}), with the same
 * lean hash the verifier uses. For clients, simulators, benchmarks and tests.
 */
export class ReceiptSigner {
  private readonly hasher: ReceiptHasher;
  private readonly scratch = Buffer.alloc(PACKED_SIZE);

  private constructor(hasher: ReceiptHasher) {
    this.hasher = hasher;
  }

  static async create(domain: ReceiptDomain): Promise<ReceiptSigner> {
    return new ReceiptSigner(await ReceiptHasher.create(domain));
  }

  address(privateKey: Uint8Array | Hex): Hex {
    return addressOf(privateKey, this.hasher);
  }

  /** The 65-byte signature (r || s || v) of `receipt` by `privateKey`. */
  signature(receipt: Receipt, privateKey: Uint8Array | Hex): Hex {
    const key = typeof privateKey === "string" ? fromHex(privateKey) : privateKey;
    packFields(this.scratch, 0, receipt);
    const digest = this.hasher.digestPacked(this.scratch, 0);
    const { signature, recid } = secp256k1.ecdsaSign(digest, key);
    const out = Buffer.alloc(65);
    out.set(signature, 0);
    out[64] = 27 + recid;
    return toHex(out);
  }

  sign(receipt: Receipt, privateKey: Uint8Array | Hex): SignedReceipt {
    return { ...receipt, signature: this.signature(receipt, privateKey) };
  }
}
