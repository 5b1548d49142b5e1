import { createKeccak, type IHasher } from "hash-wasm";

/**
 * Lean Merkle trees for millions of leaves: all hashes live in one Buffer (32 bytes each), built with one
 * reused WASM keccak hasher. The layout is OpenZeppelin's (`@openzeppelin/merkle-tree`): leaves sorted by hash,
 * stored in reverse at the end of a (2n - 1)-node array, node i has children 2i + 1 and 2i + 2, sorted-pair
 * hashing. With OpenZeppelin's standard leaves it gives exactly `StandardMerkleTree.of(...)`'s root.
 */
export interface FastTree {
  /** Number of leaves. */
  n: number;
  /** (2n - 1) nodes of 32 bytes; node 0 is the root. */
  nodes: Buffer;
  /** For each original leaf index, its position among the sorted leaves. */
  sortedPosition: Uint32Array;
}

let hasherPromise: Promise<IHasher> | undefined;

/** The shared keccak-256 hasher (hash-wasm, one WASM instance). */
export function keccakHasher(): Promise<IHasher> {
  hasherPromise ??= createKeccak(256);
  return hasherPromise;
}

function keccakInto(h: IHasher, input: Uint8Array, out: Buffer, outOffset: number): void {
  h.init();
  h.update(input);
  out.set(h.digest("binary"), outOffset);
}

/** Writes `value` as a 32-byte big-endian word into `buf` at `offset`. */
export function writeUint256(buf: Buffer, offset: number, value: bigint): void {
  buf.writeBigUInt64BE((value >> 192n) & 0xffffffffffffffffn, offset);
  buf.writeBigUInt64BE((value >> 128n) & 0xffffffffffffffffn, offset + 8);
  buf.writeBigUInt64BE((value >> 64n) & 0xffffffffffffffffn, offset + 16);
  buf.writeBigUInt64BE(value & 0xffffffffffffffffn, offset + 24);
}

/** Reads a 32-byte big-endian word. */
export function readUint256(buf: Buffer, offset: number): bigint {
  return (
    (buf.readBigUInt64BE(offset) << 192n) |
    (buf.readBigUInt64BE(offset + 8) << 128n) |
    (buf.readBigUInt64BE(offset + 16) << 64n) |
    buf.readBigUInt64BE(offset + 24)
  );
}

/**
 * OpenZeppelin standard leaves `keccak256(keccak256(abi.encode(address account, uint256 amount)))`.
 * @param accounts n x 20 bytes.
 * @param amounts n x 32 bytes (uint256 big-endian).
 */
export async function standardLeaves(accounts: Buffer, amounts: Buffer, n: number): Promise<Buffer> {
  const h = await keccakHasher();
  const leaves = Buffer.allocUnsafe(n * 32);
  const word = Buffer.alloc(64);
  const inner = Buffer.allocUnsafe(32);
  for (let i = 0; i < n; i++) {
    accounts.copy(word, 12, i * 20, i * 20 + 20);
    amounts.copy(word, 32, i * 32, i * 32 + 32);
    keccakInto(h, word, inner, 0);
    keccakInto(h, inner, leaves, i * 32);
  }
  return leaves;
}

/**
 * Uniswap MerkleDistributor leaves `keccak256(abi.encodePacked(uint256 index, address account, uint256 amount))`.
 */
export async function uniswapLeaves(accounts: Buffer, amounts: Buffer, n: number): Promise<Buffer> {
  const h = await keccakHasher();
  const leaves = Buffer.allocUnsafe(n * 32);
  const packed = Buffer.alloc(84);
  for (let i = 0; i < n; i++) {
    packed.writeUInt32BE(i, 28);
    accounts.copy(packed, 32, i * 20, i * 20 + 20);
    amounts.copy(packed, 52, i * 32, i * 32 + 32);
    keccakInto(h, packed, leaves, i * 32);
  }
  return leaves;
}

/** Builds the tree from n leaf hashes (n x 32 bytes), sorting the leaves as OpenZeppelin does. */
export async function buildTree(leaves: Buffer, n: number): Promise<FastTree> {
  if (n === 0) throw new Error("a Merkle tree needs at least one leaf");
  const h = await keccakHasher();
  // Sort leaf indices by hash: the first 4 bytes as a number, the full 32 bytes on ties.
  const head = new Uint32Array(n);
  for (let i = 0; i < n; i++) head[i] = leaves.readUInt32BE(i * 32);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => head[a] - head[b] || leaves.compare(leaves, b * 32, b * 32 + 32, a * 32, a * 32 + 32));
  const sortedPosition = new Uint32Array(n);
  const total = 2 * n - 1;
  const nodes = Buffer.allocUnsafe(total * 32);
  for (let j = 0; j < n; j++) {
    sortedPosition[order[j]] = j;
    leaves.copy(nodes, (total - 1 - j) * 32, order[j] * 32, order[j] * 32 + 32);
  }
  const pair = Buffer.allocUnsafe(64);
  for (let i = total - 1 - n; i >= 0; i--) {
    const l = (2 * i + 1) * 32;
    const r = (2 * i + 2) * 32;
    if (nodes.compare(nodes, r, r + 32, l, l + 32) <= 0) {
      nodes.copy(pair, 0, l, l + 32);
      nodes.copy(pair, 32, r, r + 32);
    } else {
      nodes.copy(pair, 0, r, r + 32);
      nodes.copy(pair, 32, l, l + 32);
    }
    keccakInto(h, pair, nodes, i * 32);
  }
  return { n, nodes, sortedPosition };
}

/** The root as 0x-hex. */
export function treeRoot(tree: FastTree): string {
  return "0x" + tree.nodes.subarray(0, 32).toString("hex");
}

/** The proof (sibling hashes, leaf to root) of the leaf at original index `index`, as 0x-hex. */
export function treeProof(tree: FastTree, index: number): string[] {
  let k = 2 * tree.n - 2 - tree.sortedPosition[index];
  const proof: string[] = [];
  while (k > 0) {
    const sibling = k % 2 === 1 ? k + 1 : k - 1;
    proof.push("0x" + tree.nodes.subarray(sibling * 32, sibling * 32 + 32).toString("hex"));
    k = Math.floor((k - 1) / 2);
  }
  return proof;
}

/** The longest proof length in a tree of n leaves: ceil(log2(n)). */
export function maxDepth(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}
