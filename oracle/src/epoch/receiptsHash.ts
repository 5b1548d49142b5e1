/**
 * The commitment to an epoch's counted receipts (the `receipts.hash` of the epoch bundle).
 *
 * Definition (docs/BUNDLE.md repeats it for third parties):
 * - A receipt's digest is its EIP-712 digest, the 32 bytes the client signed:
 *   `keccak256(0x1901 ‖ domainSeparator ‖ structHash)` with domain `{name: "MSN Bandwidth", version: "1",
 *   chainId, verifyingContract: MinerStaking}` and `structHash = keccak256(abi.encode(BANDWIDTH_RECEIPT_TYPEHASH,
 *   node, client, epoch, session, bytesServed))`.
 * - The counted set of epoch e: among the accepted receipts with `epoch = e`, the latest one of each
 *   `(client, session)` (the one with the largest `bytesServed`; it supersedes the earlier ones). A node's
 *   bytes for the epoch are the sum of `bytesServed` over the counted receipts naming that node.
 * - `receiptsHash = keccak256(d_1 ‖ d_2 ‖ … ‖ d_m)` over the m digests of the counted set, sorted ascending
 *   as 256-bit numbers (equivalently, bytewise), each exactly once. The empty set hashes to `keccak256("")`.
 *
 * {@link createReceiptsHasher} computes it in one pass over digests that arrive in ascending order (e.g.
 * `ORDER BY digest` from the database) in constant memory; {@link receiptsHash} sorts in memory first.
 */
import type { IHasher } from "hash-wasm";
import {
  type Address,
  EpochInputError,
  type Hash,
  createKeccak256,
  describe,
  hexToBytes,
  keccak256,
  normalizeAddress,
  toBigInt,
  toHex,
  writeAddress,
  writeUint256,
} from "./encoding.js";
import { sortLeafOrder } from "./merkle.js";

export const BANDWIDTH_RECEIPT_TYPE =
  "BandwidthReceipt(address node,address client,uint64 epoch,bytes32 session,uint64 bytesServed)";
export const BANDWIDTH_DOMAIN_NAME = "MSN Bandwidth";
export const BANDWIDTH_DOMAIN_VERSION = "1";
/** `keccak256("")`: the hash of an epoch without counted receipts. */
export const EMPTY_RECEIPTS_HASH: Hash = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";

const MAX_UINT64 = (1n << 64n) - 1n;
const FLUSH_BYTES = 32 * 1024;

/** The signed fields of a bandwidth receipt. */
export interface ReceiptFields {
  node: string;
  client: string;
  epoch: bigint | number;
  session: string;
  bytesServed: bigint;
}

export interface BandwidthDomain {
  chainId: bigint | number;
  /** The MinerStaking address. */
  verifyingContract: string;
}

/** Streaming hasher over digests given in strictly ascending order. */
export interface ReceiptsHasher {
  /** Adds the next digest (32 bytes or 0x-hex); throws if not strictly greater than the previous one. */
  add(digest: Uint8Array | string): void;
  /** The count and hash of everything added; the hasher cannot be used afterwards. */
  finish(): { count: number; hash: Hash };
}

/** Creates a {@link ReceiptsHasher} (own hash-wasm instance; state stays in it between calls). */
export async function createReceiptsHasher(): Promise<ReceiptsHasher> {
  const hasher = await createKeccak256();
  hasher.init();
  const pending = Buffer.allocUnsafe(FLUSH_BYTES);
  let used = 0;
  let count = 0;
  let finished = false;
  const previous = Buffer.alloc(32);
  return {
    add(digest) {
      if (finished) throw new EpochInputError("receipts hasher: add() after finish()");
      const bytes = typeof digest === "string" ? hexToBytes(digest, 32, "receipt digest") : digest;
      if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
        throw new EpochInputError(`receipt digest: expected 32 bytes, got ${describe(digest)}`);
      }
      if (count > 0 && Buffer.compare(bytes, previous) <= 0) {
        throw new EpochInputError(
          `receipt digest #${count}: ${toHex(bytes)} is not greater than the previous one (digests must be sorted and distinct)`,
        );
      }
      previous.set(bytes);
      pending.set(bytes, used);
      used += 32;
      count += 1;
      if (used === FLUSH_BYTES) {
        hasher.update(pending);
        used = 0;
      }
    },
    finish() {
      if (finished) throw new EpochInputError("receipts hasher: finish() called twice");
      finished = true;
      if (used > 0) hasher.update(pending.subarray(0, used));
      return { count, hash: toHex(hasher.digest("binary")) };
    },
  };
}

/** The receipts hash of a set of digests in any order (a flat buffer of 32-byte digests, or 0x-hex strings). */
export async function receiptsHash(
  digests: Uint8Array | readonly string[],
): Promise<{ count: number; hash: Hash }> {
  let flat: Buffer;
  if (digests instanceof Uint8Array) {
    if (digests.length % 32 !== 0)
      throw new EpochInputError(`receipt digests: ${digests.length} bytes is not n × 32`);
    flat = Buffer.from(digests.buffer, digests.byteOffset, digests.byteLength);
  } else {
    flat = Buffer.allocUnsafe(digests.length * 32);
    digests.forEach((d, i) => flat.set(hexToBytes(d, 32, `receipt digest [${i}]`), i * 32));
  }
  const order = sortLeafOrder(flat);
  const hasher = await createReceiptsHasher();
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    hasher.add(flat.subarray(i * 32, i * 32 + 32));
  }
  return hasher.finish();
}

/** `keccak256` of a UTF-8 string. */
function keccakText(text: string): Buffer {
  return Buffer.from(keccak256(Buffer.from(text, "utf8")));
}

/** The EIP-712 domain separator of the `MSN Bandwidth` domain. */
export function bandwidthDomainSeparator(domain: BandwidthDomain): Hash {
  return toHex(domainSeparatorBytes(domain));
}

function domainSeparatorBytes(domain: BandwidthDomain): Buffer {
  const encoded = Buffer.alloc(32 * 5);
  keccakText("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)").copy(
    encoded,
    0,
  );
  keccakText(BANDWIDTH_DOMAIN_NAME).copy(encoded, 32);
  keccakText(BANDWIDTH_DOMAIN_VERSION).copy(encoded, 64);
  const chainId = toBigInt(domain.chainId, "domain chainId");
  if (chainId <= 0n || chainId > MAX_UINT64)
    throw new EpochInputError(`domain chainId out of range: ${chainId}`);
  writeUint256(encoded, 96, chainId);
  writeAddress(encoded, 128 + 12, normalizeAddress(domain.verifyingContract, "domain verifyingContract"));
  return Buffer.from(keccak256(encoded));
}

/**
 * Returns a function computing receipts' EIP-712 digests with one reused hash-wasm instance
 * (about a million receipts per second; viem's `hashTypedData` is the reference the tests compare with).
 */
export async function createReceiptDigester(
  domain: BandwidthDomain,
): Promise<(receipt: ReceiptFields) => Buffer> {
  const hasher = await createKeccak256();
  const struct = Buffer.alloc(32 * 6);
  keccakText(BANDWIDTH_RECEIPT_TYPE).copy(struct, 0);
  const outer = Buffer.alloc(2 + 32 + 32);
  outer[0] = 0x19;
  outer[1] = 0x01;
  domainSeparatorBytes(domain).copy(outer, 2);
  return (receipt) => {
    const node = normalizeAddress(receipt.node, "receipt node");
    const client = normalizeAddress(receipt.client, "receipt client");
    const epoch = toBigInt(receipt.epoch, "receipt epoch");
    if (epoch < 0n || epoch > MAX_UINT64)
      throw new EpochInputError(`receipt epoch out of uint64 range: ${epoch}`);
    const bytesServed = receipt.bytesServed;
    if (typeof bytesServed !== "bigint" || bytesServed < 0n || bytesServed > MAX_UINT64) {
      throw new EpochInputError(
        `receipt bytesServed: expected a uint64 bigint, got ${describe(bytesServed)}`,
      );
    }
    struct.fill(0, 32, 32 + 32 + 20);
    writeAddress(struct, 32 + 12, node);
    struct.fill(0, 64, 64 + 12);
    writeAddress(struct, 64 + 12, client);
    writeUint256(struct, 96, epoch);
    hexToBytes(receipt.session, 32, "receipt session").copy(struct, 128);
    writeUint256(struct, 160, bytesServed);
    hasher.init();
    hasher.update(struct);
    outer.set(hasher.digest("binary"), 34);
    hasher.init();
    hasher.update(outer);
    return Buffer.from(hasher.digest("binary"));
  };
}

/** What a counted receipt set commits to and aggregates to. */
export interface ReceiptSetSummary {
  count: number;
  hash: Hash;
  /** Σ bytesServed per node (lowercase address). */
  bytesPerNode: Map<Address, bigint>;
}

/** Accumulates an epoch's counted receipt set one receipt at a time (for any sync or async source). */
export interface ReceiptSetBuilder {
  /** Adds a counted receipt; throws on a malformed receipt, a wrong epoch or a second receipt of a session. */
  add(receipt: ReceiptFields): void;
  finish(): Promise<ReceiptSetSummary>;
}

/**
 * Creates a builder that checks a counted receipt set (every receipt of epoch `epoch`, at most one per
 * `(client, session)`), aggregates bytes per node and computes the receipts hash. Memory: 64 bytes per
 * receipt (its digest and a session key) plus one map entry per node.
 */
export async function createReceiptSetBuilder(
  domain: BandwidthDomain,
  epoch: number | bigint,
): Promise<ReceiptSetBuilder> {
  const digest = await createReceiptDigester(domain);
  const sessionHasher = await createKeccak256();
  const wantEpoch = toBigInt(epoch, "epoch");
  let digests: Buffer = Buffer.allocUnsafe(32 * 1024);
  let sessions: Buffer = Buffer.allocUnsafe(32 * 1024);
  let count = 0;
  const bytesPerNode = new Map<Address, bigint>();
  const key = Buffer.alloc(52);
  return {
    add(receipt) {
      const d = digest(receipt); // validates every field
      if (toBigInt(receipt.epoch, "receipt epoch") !== wantEpoch) {
        throw new EpochInputError(`receipt #${count}: epoch ${receipt.epoch}, expected ${wantEpoch}`);
      }
      if ((count + 1) * 32 > digests.length) {
        digests = grow(digests);
        sessions = grow(sessions);
      }
      digests.set(d, count * 32);
      writeAddress(key, 0, normalizeAddress(receipt.client, "receipt client"));
      hexToBytes(receipt.session, 32, "receipt session").copy(key, 20);
      sessionHasher.init();
      sessionHasher.update(key);
      sessions.set(sessionHasher.digest("binary"), count * 32);
      count += 1;
      const node = normalizeAddress(receipt.node, "receipt node");
      bytesPerNode.set(node, (bytesPerNode.get(node) ?? 0n) + receipt.bytesServed);
    },
    async finish() {
      const sessionKeys = sessions.subarray(0, count * 32);
      const order = sortLeafOrder(sessionKeys);
      for (let k = 1; k < order.length; k++) {
        const a = order[k - 1]! * 32;
        const b = order[k]! * 32;
        if (sessionKeys.compare(sessionKeys, a, a + 32, b, b + 32) === 0) {
          throw new EpochInputError(
            `receipts #${order[k - 1]} and #${order[k]} are for the same (client, session): only the latest one counts`,
          );
        }
      }
      const { hash } = await receiptsHash(digests.subarray(0, count * 32));
      return { count, hash, bytesPerNode };
    },
  };
}

function grow(buffer: Buffer): Buffer {
  const bigger = Buffer.allocUnsafe(buffer.length * 2);
  buffer.copy(bigger);
  return bigger;
}

/** Keeps the latest receipt (largest `bytesServed`) of each `(client, session)`: the epoch's counted set. */
export function selectCountedReceipts<R extends ReceiptFields>(receipts: Iterable<R>): R[] {
  const latest = new Map<string, R>();
  for (const receipt of receipts) {
    const k = `${normalizeAddress(receipt.client, "receipt client")}:${String(receipt.session).toLowerCase()}`;
    const current = latest.get(k);
    if (current === undefined || receipt.bytesServed > current.bytesServed) latest.set(k, receipt);
    else if (
      receipt.bytesServed === current.bytesServed &&
      normalizeAddress(receipt.node, "node") !== normalizeAddress(current.node, "node")
    ) {
      throw new EpochInputError(`session ${k}: two receipts with the same bytesServed for different nodes`);
    }
  }
  return Array.from(latest.values());
}
