import { keccak_256 } from "@noble/hashes/sha3";
import { createKeccak, type IHasher } from "hash-wasm";
import {
  EIP712_DOMAIN_TYPE,
  RECEIPT_DOMAIN_NAME,
  RECEIPT_DOMAIN_VERSION,
  RECEIPT_TYPE,
  type ReceiptDomain,
} from "./types.js";
import { OFF_BYTES, OFF_CLIENT, OFF_EPOCH, OFF_NODE, OFF_SESSION, PACKED_SIZE } from "./packed.js";
import { fromHex } from "../lib/hex.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

export const RECEIPT_TYPEHASH: Uint8Array = keccak_256(utf8(RECEIPT_TYPE));
export const DOMAIN_TYPEHASH: Uint8Array = keccak_256(utf8(EIP712_DOMAIN_TYPE));

/** The EIP-712 domain separator of `domain` (computed once per process). */
export function domainSeparator(domain: ReceiptDomain): Uint8Array {
  if (!Number.isSafeInteger(domain.chainId) || domain.chainId <= 0) {
    throw new Error(`bad chain id ${domain.chainId}`);
  }
  const enc = Buffer.alloc(160);
  enc.set(DOMAIN_TYPEHASH, 0);
  enc.set(keccak_256(utf8(RECEIPT_DOMAIN_NAME)), 32);
  enc.set(keccak_256(utf8(RECEIPT_DOMAIN_VERSION)), 64);
  enc.writeBigUInt64BE(BigInt(domain.chainId), 120);
  const contract = fromHex(domain.verifyingContract);
  if (contract.length !== 20) throw new Error(`bad verifying contract ${domain.verifyingContract}`);
  enc.set(contract, 140);
  return keccak_256(enc);
}

/**
 * The lean EIP-712 hash of a `BandwidthReceipt`: the struct is fixed, so its 192-byte encoding lives in
 * one reused buffer (type hash and zero padding written once), and the `0x1901 || domainSeparator`
 * prefix in another. Two keccak calls per receipt on one reused WASM hasher. Not re-entrant: one
 * instance per thread.
 */
export class ReceiptHasher {
  private readonly struct = Buffer.alloc(192);
  private readonly outer = Buffer.alloc(66);
  private readonly keccak: IHasher;

  private constructor(keccak: IHasher, domainSep: Uint8Array) {
    this.keccak = keccak;
    this.struct.set(RECEIPT_TYPEHASH, 0);
    this.outer[0] = 0x19;
    this.outer[1] = 0x01;
    this.outer.set(domainSep, 2);
  }

  static async create(domain: ReceiptDomain): Promise<ReceiptHasher> {
    return new ReceiptHasher(await createKeccak(256), domainSeparator(domain));
  }

  /** The EIP-712 digest of the packed receipt at record `index` of `packed`. */
  digestPacked(packed: Buffer, index: number): Uint8Array {
    const base = index * PACKED_SIZE;
    const s = this.struct;
    // struct: typehash | node (12 zero bytes + 20) | client | epoch (24 + 8) | session | bytes (24 + 8)
    packed.copy(s, 44, base + OFF_NODE, base + OFF_NODE + 20);
    packed.copy(s, 76, base + OFF_CLIENT, base + OFF_CLIENT + 20);
    packed.copy(s, 120, base + OFF_EPOCH, base + OFF_EPOCH + 8);
    packed.copy(s, 128, base + OFF_SESSION, base + OFF_SESSION + 32);
    packed.copy(s, 184, base + OFF_BYTES, base + OFF_BYTES + 8);
    const k = this.keccak;
    k.init();
    k.update(s);
    this.outer.set(k.digest("binary"), 34);
    k.init();
    k.update(this.outer);
    return k.digest("binary");
  }

  /** keccak256 of arbitrary bytes on the same hasher (used for public key -> address). */
  keccak256(data: Uint8Array): Uint8Array {
    const k = this.keccak;
    k.init();
    k.update(data);
    return k.digest("binary");
  }
}
