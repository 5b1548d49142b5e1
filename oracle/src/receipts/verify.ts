import { secp256k1 } from "../lib/secp.js";
import { ReceiptHasher } from "./eip712.js";
import { OFF_CLIENT, OFF_SIG, PACKED_SIZE, packReceipt } from "./packed.js";
import type { ReceiptDomain, SignedReceipt } from "./types.js";
import { toHex, type Hex } from "../lib/hex.js";

/** secp256k1 group order n, halved: signatures with s > n/2 are rejected (EIP-2). */
const HALF_N = Buffer.from("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", "hex");

/**
 * The verification fast path: lean EIP-712 hash + libsecp256k1 public-key recovery. A receipt is valid
 * when its 65-byte signature is canonical (v in {27, 28} or {0, 1}, 0 < r, 0 < s <= n/2) and recovers
 * to the receipt's `client`. Works on packed batches (see packed.ts) so a batch costs no per-receipt
 * objects beyond the hash outputs. One instance per thread.
 */
export class ReceiptVerifier {
  private readonly hasher: ReceiptHasher;
  private readonly pub = new Uint8Array(65);
  private readonly scratch = Buffer.alloc(PACKED_SIZE);

  private constructor(hasher: ReceiptHasher) {
    this.hasher = hasher;
  }

  static async create(domain: ReceiptDomain): Promise<ReceiptVerifier> {
    return new ReceiptVerifier(await ReceiptHasher.create(domain));
  }

  /**
   * Verifies record `index` of `packed`; writes its EIP-712 digest to `digests` at `index * 32` (when
   * given) whether or not the signature is valid. Returns true when the client signed it.
   */
  verifyPacked(packed: Buffer, index: number, digests?: Uint8Array): boolean {
    const base = index * PACKED_SIZE;
    const digest = this.hasher.digestPacked(packed, index);
    if (digests !== undefined) digests.set(digest, index * 32);
    const sigOff = base + OFF_SIG;
    const v = packed[sigOff + 64]!;
    const recid = v >= 27 ? v - 27 : v;
    if (recid !== 0 && recid !== 1) return false;
    // Low-s (EIP-2): compare the 32-byte big-endian s with n/2.
    if (packed.compare(HALF_N, 0, 32, sigOff + 32, sigOff + 64) > 0) return false;
    try {
      secp256k1.ecdsaRecover(packed.subarray(sigOff, sigOff + 64), recid, digest, false, this.pub);
    } catch {
      return false; // r or s zero or >= n, or no point for r
    }
    const hash = this.hasher.keccak256(this.pub.subarray(1));
    // The address is the last 20 bytes of keccak256(uncompressed public key without its 0x04 prefix).
    for (let i = 0; i < 20; i++) {
      if (hash[12 + i] !== packed[base + OFF_CLIENT + i]) return false;
    }
    return true;
  }

  /** Convenience for one receipt in JSON form: validity and the receipt's EIP-712 digest. */
  verify(receipt: SignedReceipt): { valid: boolean; digest: Hex } {
    packReceipt(this.scratch, 0, receipt);
    const digests = new Uint8Array(32);
    const valid = this.verifyPacked(this.scratch, 0, digests);
    return { valid, digest: toHex(digests) };
  }

  /** The EIP-712 digest of a receipt (what the client signs). */
  digest(receipt: SignedReceipt | Omit<SignedReceipt, "signature">): Hex {
    packReceipt(this.scratch, 0, { signature: `0x${"00".repeat(65)}`, ...receipt });
    return toHex(this.hasher.digestPacked(this.scratch, 0));
  }
}
