/**
 * Epoch core benchmark: rewards, Merkle tree (leaf hashing, sorting, layers), bundle serialisation,
 * parsing and verification at 100,000 and 1,000,000 operators, with the peak RSS after each phase.
 * At 100,000 leaves the root is also compared with @openzeppelin/merkle-tree's StandardMerkleTree.
 *
 *   npm run bench:tree            # both sizes
 *   npm run bench:tree -- 200000  # custom sizes
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  type EpochRewardsInput,
  type NodeTraffic,
  assembleTree,
  buildBundle,
  bundleChunks,
  checkLeafValues,
  computeEpochRewards,
  createBundleParser,
  createKeccak256,
  hashLeaves,
  sortLeafOrder,
  toHex,
  treeLeaves,
  verifyBundle,
  ZERO_HASH,
  EMPTY_RECEIPTS_HASH,
} from "../src/epoch/index.js";

const MSN = 10n ** 18n;

/** Deterministic pseudo-random bytes (xorshift32), so every run benchmarks the same epoch. */
function randomBytes(state: { s: number }, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let s = state.s;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  state.s = s;
  return out;
}

/** Flat (not sliced or concatenated) lowercase address strings, like the ones a database driver returns. */
function addresses(state: { s: number }, count: number): string[] {
  const raw = randomBytes(state, count * 20);
  const ascii = Buffer.allocUnsafe(count * 42);
  const digits = Buffer.from("0123456789abcdef", "latin1");
  for (let i = 0; i < count; i++) {
    ascii[i * 42] = 0x30;
    ascii[i * 42 + 1] = 0x78;
    for (let k = 0; k < 20; k++) {
      const byte = raw[i * 20 + k]!;
      ascii[i * 42 + 2 + 2 * k] = digits[byte >> 4]!;
      ascii[i * 42 + 3 + 2 * k] = digits[byte & 15]!;
    }
  }
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = ascii.toString("latin1", i * 42, i * 42 + 42);
  return out;
}

/**
 * `operators` operators with traffic (one node each, every tenth a second node), stake for every third,
 * previous cumulative for half of them, plus operators/20 earlier earners without traffic this epoch.
 */
function makeInput(operators: number): EpochRewardsInput {
  const state = { s: 0x2545f491 ^ operators };
  const ops = addresses(state, operators);
  const passive = addresses(state, Math.floor(operators / 20));
  const nodeAddrs = addresses(state, operators + Math.floor(operators / 10));
  const nodes: NodeTraffic[] = [];
  const amounts = randomBytes(state, nodeAddrs.length * 6);
  for (let i = 0; i < nodeAddrs.length; i++) {
    const operator = ops[i < operators ? i : (i - operators) * 10]!;
    nodes.push({ node: nodeAddrs[i]!, operator, bytes: BigInt(amounts.readUIntBE(i * 6, 6)) });
  }
  const stakes = new Map<string, bigint>();
  const previousCumulative = new Map<string, bigint>();
  for (let i = 0; i < operators; i++) {
    stakes.set(ops[i]!, i % 3 === 0 ? BigInt(i % 2500) * MSN : 0n);
    if (i % 2 === 0) previousCumulative.set(ops[i]!, BigInt(i + 1) * 12345678901234567n);
  }
  for (let i = 0; i < passive.length; i++) previousCumulative.set(passive[i]!, BigInt(i + 1) * 98765432109876n);
  return {
    nodes,
    nodeCapBytes: 100_000_000_000_000n,
    stakes,
    boostParams: { maxBoostBps: 20_000n, fullStakePerNode: 1_000n * MSN },
    emission: 13_698_630_136_986_301_369_863n,
    carryIn: 123_456_789n,
    previousCumulative,
  };
}

const peakMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

interface Row {
  size: number;
  phase: string;
  seconds: number;
  /** User + system CPU time: the machine is shared, so wall time alone over-states under load. */
  cpuSeconds: number;
  peakRssMb: number;
  note?: string;
}
const rows: Row[] = [];

async function time<T>(size: number, phase: string, fn: () => T | Promise<T>, note?: (r: T) => string): Promise<T> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = await fn();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const row: Row = { size, phase, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMb: peakMb() };
  if (note !== undefined) row.note = note(result);
  rows.push(row);
  console.log(
    `${String(size).padStart(8)}  ${phase.padEnd(26)} ${seconds.toFixed(2).padStart(7)} s (cpu ${row.cpuSeconds.toFixed(2).padStart(6)} s)  peak RSS ${String(row.peakRssMb).padStart(5)} MB${row.note ? `  ${row.note}` : ""}`,
  );
  return result;
}

async function run(size: number): Promise<{ treeSeconds: number; rewardsSeconds: number; bundleSeconds: number }> {
  const input = makeInput(size);
  const rewards = await time(size, "computeEpochRewards", () => computeEpochRewards(input), (r) => `${r.operators.length} accounts, ${r.nodes.length} nodes`);
  const leaves = treeLeaves(rewards.operators);
  const hasher = await createKeccak256();
  const t0 = rows.length;
  await time(size, "tree: check leaf values", () => checkLeafValues(leaves.accounts, leaves.amounts));
  const hashed = await time(size, "tree: leaf hashing", () => hashLeaves(hasher, leaves.accounts, leaves.amounts), () => `${leaves.accounts.length} leaves`);
  const order = await time(size, "tree: sorting", () => sortLeafOrder(hashed));
  const tree = await time(size, "tree: layers", () => assembleTree(hasher, hashed, order), (t) => `root ${t.root.slice(0, 12)}…`);
  const treeSeconds = rows.slice(t0).reduce((sum, r) => sum + r.seconds, 0);
  console.log(`${String(size).padStart(8)}  ${"tree: total".padEnd(26)} ${treeSeconds.toFixed(2).padStart(7)} s`);

  if (size <= 100_000) {
    const oz = await time(size, "StandardMerkleTree.of (OZ)", () =>
      StandardMerkleTree.of(leaves.accounts.map((a, i) => [a, leaves.amounts[i]!.toString()]), ["address", "uint256"]),
    );
    if (oz.root !== tree.root) throw new Error(`root differs from StandardMerkleTree: ${tree.root} vs ${oz.root}`);
    console.log(`${String(size).padStart(8)}  root identical to StandardMerkleTree: ${oz.root}`);
  }

  const bundle = buildBundle(
    {
      chainId: 31337,
      distributor: "0x00000000000000000000000000000000000000d1",
      staking: "0x00000000000000000000000000000000000000a5",
      minter: "0x00000000000000000000000000000000000000e1",
      epoch: 7,
      epochStart: 1_700_000_000,
      epochEnd: 1_700_086_400,
      previousBundleHash: ZERO_HASH,
      receipts: { count: rewards.nodes.length * 10, hash: EMPTY_RECEIPTS_HASH.replace(/^0xc5/, "0xaa") as `0x${string}` },
    },
    input,
    rewards,
    tree.root,
  );
  const chunks: Buffer[] = [];
  const serialized = await time(
    size,
    "bundle: serialise + hash",
    async () => {
      const h = await createKeccak256();
      h.init();
      let bytes = 0;
      for (const chunk of bundleChunks(bundle)) {
        chunks.push(chunk); // stands in for the file the job writes
        bytes += chunk.length;
        h.update(chunk);
      }
      return { bytes, hash: toHex(h.digest("binary")) };
    },
    (r) => `${(r.bytes / 1e6).toFixed(0)} MB, hash ${r.hash.slice(0, 12)}…`,
  );
  const bundleSeconds = rows[rows.length - 1]!.seconds;
  const parsed = await time(size, "bundle: parse (streaming)", async () => {
    const parser = await createBundleParser();
    for (const c of chunks) parser.write(c);
    return parser.end();
  });
  chunks.length = 0;
  if (parsed.hash !== serialized.hash) throw new Error("parsed hash differs from the serialised hash");
  const verified = await time(size, "verifyBundle", () => verifyBundle(parsed.bundle), (r) => (r.ok ? "ok" : `${r.discrepancies.length} discrepancies`));
  if (!verified.ok) throw new Error(`verifyBundle found discrepancies: ${verified.discrepancies[0]?.message}`);
  return { treeSeconds, rewardsSeconds: rows.find((r) => r.size === size && r.phase === "computeEpochRewards")!.seconds, bundleSeconds };
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const summary: string[] = [];
for (const size of sizes.length > 0 ? sizes : [100_000, 1_000_000]) {
  const r = await run(size);
  summary.push(`${size}: rewards ${r.rewardsSeconds.toFixed(2)} s, tree ${r.treeSeconds.toFixed(2)} s, bundle ${r.bundleSeconds.toFixed(2)} s`);
}
console.log(`SUMMARY ${summary.join("; ")}; peak RSS ${peakMb()} MB`);
