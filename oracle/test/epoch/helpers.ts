/** Shared fixtures for the epoch tests: deterministic addresses, epoch inputs and bundles. */
import fc from "fast-check";
import {
  type EpochMeta,
  type EpochRewardsInput,
  type NodeTraffic,
  ZERO_HASH,
  EMPTY_RECEIPTS_HASH,
  computeEpoch,
} from "../../src/epoch/index.js";

export const MSN = 10n ** 18n;
export const SEED = 20240607;

/** Deterministic xorshift32 generator. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let s = this.s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s >>> 0;
    return this.s;
  }
  int(max: number): number {
    return this.next() % max;
  }
  bigint(bits: number): bigint {
    let v = 0n;
    for (let i = 0; i < bits; i += 32) v = (v << 32n) | BigInt(this.next());
    return BigInt.asUintN(bits, v);
  }
  address(): `0x${string}` {
    let hex = "";
    for (let i = 0; i < 5; i++) hex += this.next().toString(16).padStart(8, "0");
    return `0x${hex}`;
  }
  hash(): `0x${string}` {
    let hex = "";
    for (let i = 0; i < 8; i++) hex += this.next().toString(16).padStart(8, "0");
    return `0x${hex}`;
  }
}

/** A lowercase address made from a small number, for readable tests. */
export function addr(n: number): `0x${string}` {
  return `0x${n.toString(16).padStart(40, "0")}`;
}

export const BOOST = { maxBoostBps: 20_000n, fullStakePerNode: 1_000n * MSN };
export const CAP = 1_000_000n;

export const META: EpochMeta = {
  chainId: 31337,
  distributor: addr(0xd1),
  staking: addr(0xa5),
  minter: addr(0xe1),
  epoch: 3,
  epochStart: 1_700_000_000,
  epochEnd: 1_700_086_400,
  previousBundleHash: ZERO_HASH,
  receipts: { count: 0, hash: EMPTY_RECEIPTS_HASH },
};

/** A random but deterministic epoch: `operators` operators with 1–3 nodes, some stake, some history. */
export function randomInput(seed: number, operators: number, extraAccounts = 2): EpochRewardsInput {
  const rng = new Rng(seed);
  const nodes: NodeTraffic[] = [];
  const stakes = new Map<string, bigint>();
  const previousCumulative = new Map<string, bigint>();
  for (let i = 0; i < operators; i++) {
    const operator = rng.address();
    const count = 1 + rng.int(3);
    for (let k = 0; k < count; k++) {
      nodes.push({
        node: rng.address(),
        operator,
        bytes: rng.int(5) === 0 ? 0n : BigInt(rng.int(2_000_000)),
      });
    }
    stakes.set(operator, [0n, 500n * MSN, 1_000n * MSN, 5_000n * MSN][rng.int(4)]!);
    if (rng.int(2) === 0) previousCumulative.set(operator, rng.bigint(70));
  }
  for (let i = 0; i < extraAccounts; i++) previousCumulative.set(rng.address(), rng.bigint(70));
  return {
    nodes,
    nodeCapBytes: CAP,
    stakes,
    boostParams: BOOST,
    emission: 13_698_630_136_986_301_369_863n,
    carryIn: rng.bigint(20),
    previousCumulative,
  };
}

/** meta with a receipts count consistent with the node count (one fictitious receipt per node). */
export function metaFor(
  input: EpochRewardsInput,
  receipts?: { count: number; hash: `0x${string}` },
): EpochMeta {
  const withTraffic = input.nodes.filter((n) => n.bytes > 0n).length;
  return {
    ...META,
    receipts:
      receipts ??
      (withTraffic === 0
        ? { count: 0, hash: EMPTY_RECEIPTS_HASH }
        : { count: withTraffic, hash: addrHash(withTraffic) }),
  };
}

function addrHash(n: number): `0x${string}` {
  return `0x${n.toString(16).padStart(64, "1")}`;
}

export async function randomEpoch(seed: number, operators: number) {
  const input = randomInput(seed, operators);
  return { input, ...(await computeEpoch(metaFor(input), input)) };
}

/** fast-check parameters: fixed seed, so a failure is reproducible. */
export const FC = { seed: SEED, numRuns: 200 } as const;
export { fc };
