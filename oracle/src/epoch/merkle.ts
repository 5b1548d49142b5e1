/**
 * Fast builder of OpenZeppelin's StandardMerkleTree for leaves `(address account, uint256 cumulativeAmount)`.
 *
 * Layout (identical to `StandardMerkleTree.of(values, ["address", "uint256"])` of @openzeppelin/merkle-tree):
 * - leaf hash `keccak256(keccak256(abi.encode(account, amount)))`;
 * - leaf hashes sorted ascending (as 256-bit numbers); the k-th smallest is stored at tree index `2n − 2 − k`;
 * - one flat array of `2n − 1` nodes, node `i` = `keccak256(sort(node[2i+1], node[2i+2]))` for `i < n − 1`,
 *   root at index 0. A proof for tree index `j` is the siblings on the path from `j` to the root.
 *
 * The whole tree is kept as one `Buffer` of 32-byte nodes in that array order (64 MB for 1,000,000 leaves),
 * which is what the epoch job stores: any proof is read from it in O(log n) with {@link getProof}, or, if the
 * nodes are stored as rows, by fetching the indices {@link proofIndices} names.
 */
import type { IHasher } from "hash-wasm";
import {
  type Address,
  EpochInputError,
  type Hash,
  MAX_UINT256,
  ZERO_HASH,
  createKeccak256,
  describe,
  hashPairSync,
  hexToBytes,
  isLowerAddress,
  keccak256,
  radixOrder,
  toHex,
  writeAddress,
  writeUint256,
} from "./encoding.js";

export type TreePhase = "leaves" | "sort" | "tree";
/** Progress callback: called every few tens of thousands of items and at the end of each phase. */
export type ProgressFn = (phase: TreePhase, done: number, total: number) => void;

export interface RewardsTree {
  /**
   * Root. ZERO_HASH for a tree without leaves, which the epoch never builds: an epoch without any cumulative
   * amount uses the placeholder leaf instead (`treeLeaves` in epoch.ts), since the distributor refuses a zero root.
   */
  root: Hash;
  leafCount: number;
  /** `2n − 1` nodes of 32 bytes in OpenZeppelin array order (empty for an empty tree). */
  nodes: Buffer;
  /** `treeIndices[i]` = tree index of the leaf of input value `i` (as OpenZeppelin's `values[i].treeIndex`). */
  treeIndices: Uint32Array;
}

const PROGRESS_STEP = 1 << 16;

let sharedHasher: Promise<IHasher> | undefined;
/** The module's one reused hasher: used only inside synchronous sections, so calls never interleave. */
function getHasher(): Promise<IHasher> {
  sharedHasher ??= createKeccak256();
  return sharedHasher;
}

/**
 * Builds the tree for `accounts[i]` with `amounts[i]`. Accounts must be lowercase and strictly ascending
 * (this is how the epoch's rows are ordered, and it proves there are no duplicates).
 */
export async function buildRewardsTree(
  accounts: readonly string[],
  amounts: readonly bigint[],
  onProgress?: ProgressFn,
): Promise<RewardsTree> {
  checkLeafValues(accounts, amounts);
  const hasher = await getHasher();
  const leaves = hashLeaves(hasher, accounts, amounts, onProgress);
  const order = sortLeafOrder(leaves, onProgress);
  return assembleTree(hasher, leaves, order, onProgress);
}

/** Throws unless accounts are lowercase, strictly ascending, and amounts are uint256 bigints of equal count. */
export function checkLeafValues(accounts: readonly string[], amounts: readonly bigint[]): void {
  if (accounts.length !== amounts.length) {
    throw new EpochInputError(`tree: ${accounts.length} accounts but ${amounts.length} amounts`);
  }
  if (accounts.length > 0x7fffffff) throw new EpochInputError(`tree: too many leaves (${accounts.length})`);
  let prev = "";
  for (let i = 0; i < accounts.length; i++) {
    const account = accounts[i]!;
    if (!isLowerAddress(account)) {
      throw new EpochInputError(`tree: accounts[${i}] is not a lowercase 0x address: ${describe(account)}`);
    }
    if (account <= prev)
      throw new EpochInputError(`tree: accounts must be strictly ascending (at index ${i})`);
    prev = account;
    const amount = amounts[i];
    if (typeof amount !== "bigint" || amount < 0n || amount > MAX_UINT256) {
      throw new EpochInputError(`tree: amounts[${i}] is not a uint256 bigint: ${describe(amount)}`);
    }
  }
}

/** Phase 1: the double-hashed standard leaf of every value, as one buffer of `n × 32` bytes (input order). */
export function hashLeaves(
  hasher: IHasher,
  accounts: readonly string[],
  amounts: readonly bigint[],
  onProgress?: ProgressFn,
): Buffer {
  const n = accounts.length;
  const leaves = Buffer.allocUnsafe(n * 32);
  const encoded = Buffer.alloc(64); // abi.encode(address, uint256): 12 zero bytes, address, amount
  for (let i = 0; i < n; i++) {
    writeAddress(encoded, 12, accounts[i]!);
    writeUint256(encoded, 32, amounts[i]!);
    hasher.init();
    hasher.update(encoded);
    const inner = hasher.digest("binary");
    hasher.init();
    hasher.update(inner);
    leaves.set(hasher.digest("binary"), i * 32);
    if (onProgress !== undefined && (i + 1) % PROGRESS_STEP === 0) onProgress("leaves", i + 1, n);
  }
  onProgress?.("leaves", n, n);
  return leaves;
}

/**
 * Phase 2: the order of the leaves ascending by hash: `order[k]` = input index of the k-th smallest leaf.
 * Radix sort on the first 32 bits; the rare runs sharing them (about n²/2³³ pairs) are ordered by the
 * whole 32 bytes. O(n) instead of a comparison sort's O(n log n) calls.
 */
export function sortLeafOrder(leaves: Buffer, onProgress?: ProgressFn): Uint32Array {
  const n = leaves.length / 32;
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = leaves.readUInt32BE(i * 32);
  const order = radixOrder(
    keys,
    (a, b) => leaves.compare(leaves, b * 32, b * 32 + 32, a * 32, a * 32 + 32) || a - b,
  );
  onProgress?.("sort", n, n);
  return order;
}

/** Phase 3: places the sorted leaves and hashes the internal nodes. */
export function assembleTree(
  hasher: IHasher,
  leaves: Buffer,
  order: Uint32Array,
  onProgress?: ProgressFn,
): RewardsTree {
  const n = order.length;
  if (n === 0)
    return { root: ZERO_HASH, leafCount: 0, nodes: Buffer.alloc(0), treeIndices: new Uint32Array(0) };
  const size = 2 * n - 1;
  // 32-byte nodes are moved as eight 32-bit words (Buffer.copy per node costs several times more).
  const nodes = Buffer.from(new ArrayBuffer(size * 32));
  const words = new Uint32Array(nodes.buffer, 0, size * 8);
  const leafWords = wordsOf(leaves);
  const treeIndices = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const index = order[k]!;
    const treeIndex = size - 1 - k;
    treeIndices[index] = treeIndex;
    for (let w = 0; w < 8; w++) words[treeIndex * 8 + w] = leafWords[index * 8 + w]!;
  }
  const pair = Buffer.from(new ArrayBuffer(64));
  const pairWords = new Uint32Array(pair.buffer, 0, 16);
  const internal = n - 1;
  for (let i = internal - 1; i >= 0; i--) {
    const left = (2 * i + 1) * 32;
    const right = left + 32;
    // Sorted pair: the smaller node (bytewise, i.e. as a 256-bit number) first.
    let b = 0;
    while (b < 31 && nodes[left + b] === nodes[right + b]) b++;
    const leftFirst = nodes[left + b]! <= nodes[right + b]!;
    const first = (leftFirst ? left : right) >> 2;
    const second = (leftFirst ? right : left) >> 2;
    for (let w = 0; w < 8; w++) {
      pairWords[w] = words[first + w]!;
      pairWords[8 + w] = words[second + w]!;
    }
    hasher.init();
    hasher.update(pair);
    nodes.set(hasher.digest("binary"), i * 32);
    if (onProgress !== undefined && (internal - i) % PROGRESS_STEP === 0)
      onProgress("tree", internal - i, internal);
  }
  onProgress?.("tree", internal, internal);
  return { root: toHex(nodes.subarray(0, 32)), leafCount: n, nodes, treeIndices };
}

/** A 32-bit word view of a buffer, copying it first if it is not 4-byte aligned. */
function wordsOf(bytes: Uint8Array): Uint32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2);
}

/** Number of leaves of a stored node buffer. */
export function leafCountOf(nodes: Uint8Array): number {
  if (nodes.length === 0) return 0;
  const size = nodes.length / 32;
  if (!Number.isInteger(size) || size % 2 !== 1) {
    throw new EpochInputError(`tree: ${nodes.length} bytes is not 2n − 1 nodes of 32 bytes`);
  }
  return (size + 1) / 2;
}

/** Tree indices of the proof of the leaf at `treeIndex`, leaf to root: fetch these nodes to build the proof. */
export function proofIndices(leafCount: number, treeIndex: number): number[] {
  const size = 2 * leafCount - 1;
  if (!Number.isInteger(treeIndex) || treeIndex < leafCount - 1 || treeIndex >= size) {
    throw new EpochInputError(`tree: index ${treeIndex} is not a leaf of a ${leafCount}-leaf tree`);
  }
  const indices: number[] = [];
  for (let i = treeIndex; i > 0; i = (i - 1) >> 1) indices.push(i % 2 === 1 ? i + 1 : i - 1);
  return indices;
}

/** Proof for the leaf at `treeIndex`, read from the stored nodes in O(log n). */
export function getProof(nodes: Uint8Array, treeIndex: number): Hash[] {
  return proofIndices(leafCountOf(nodes), treeIndex).map((i) => toHex(nodes.subarray(i * 32, i * 32 + 32)));
}

/** The standard leaf hash of one `(account, amount)`. */
export function leafHash(account: string, amount: bigint): Hash {
  return toHex(leafHashBytes(account, amount));
}

function leafHashBytes(account: string, amount: bigint): Uint8Array {
  if (!/^0x[0-9a-fA-F]{40}$/.test(account)) throw new EpochInputError(`not an address: ${describe(account)}`);
  if (typeof amount !== "bigint" || amount < 0n || amount > MAX_UINT256) {
    throw new EpochInputError(`not a uint256 amount: ${describe(amount)}`);
  }
  const encoded = Buffer.alloc(64);
  writeAddress(encoded, 12, account);
  writeUint256(encoded, 32, amount);
  return keccak256(keccak256(encoded));
}

/** Root computed from a leaf and its proof (sorted-pair hashing, as OpenZeppelin `MerkleProof.processProof`). */
export function processProof(leaf: Hash, proof: readonly string[]): Hash {
  let node: Uint8Array = hexToBytes(leaf, 32, "leaf");
  for (let i = 0; i < proof.length; i++) node = hashPairSync(node, hexToBytes(proof[i], 32, `proof[${i}]`));
  return toHex(node);
}

/** True iff `proof` proves `(account, amount)` under `root` (what `RewardsDistributor.claim` checks). */
export function verifyProof(
  root: string,
  account: Address | string,
  amount: bigint,
  proof: readonly string[],
): boolean {
  return processProof(leafHash(account, amount), proof) === toHex(hexToBytes(root, 32, "root"));
}
