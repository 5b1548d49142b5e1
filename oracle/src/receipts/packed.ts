import type { Receipt, SignedReceipt } from "./types.js";

/**
 * Binary layout of one receipt, used between the HTTP layer and the verification threads (one buffer
 * per batch, no per-receipt objects): node 20 | client 20 | epoch u64 BE | session 32 | bytes u64 BE |
 * signature 65 (r, s, v).
 */
export const PACKED_SIZE = 153;
export const OFF_NODE = 0;
export const OFF_CLIENT = 20;
export const OFF_EPOCH = 40;
export const OFF_SESSION = 48;
export const OFF_BYTES = 80;
export const OFF_SIG = 88;

const TWO_32 = 0x1_0000_0000;

/** Writes a non-negative safe integer as a big-endian uint64. */
export function writeU64(buf: Buffer, value: number, off: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeUInt32BE(hi >>> 0, off);
  buf.writeUInt32BE((value - hi * TWO_32) >>> 0, off + 4);
}

export function readU64(buf: Buffer, off: number): number {
  return buf.readUInt32BE(off) * TWO_32 + buf.readUInt32BE(off + 4);
}

/** Writes the signed fields of `r` at record `index`. Hex must be well-formed (schema-checked). */
export function packFields(buf: Buffer, index: number, r: Receipt): void {
  const base = index * PACKED_SIZE;
  buf.write(r.node.slice(2), base + OFF_NODE, 20, "hex");
  buf.write(r.client.slice(2), base + OFF_CLIENT, 20, "hex");
  writeU64(buf, r.epoch, base + OFF_EPOCH);
  buf.write(r.session.slice(2), base + OFF_SESSION, 32, "hex");
  writeU64(buf, r.bytesServed, base + OFF_BYTES);
}

export function packReceipt(buf: Buffer, index: number, r: SignedReceipt): void {
  packFields(buf, index, r);
  buf.write(r.signature.slice(2), index * PACKED_SIZE + OFF_SIG, 65, "hex");
}
