/**
 * A small, fully consistent devnet record (three operators, two epochs), built with the oracle's own pure
 * epoch code the way a correct run would produce it; the checks tests break one fact at a time.
 */
import {
  boostBps,
  bundleHash,
  computeEpoch,
  createReceiptSetBuilder,
  ZERO_HASH,
  type EpochBundle,
  type Hash,
  type ReceiptFields,
} from "../../src/epoch/index.js";
import { REJECTION_REASONS } from "../../src/ingest/reasons.js";
import type { Hex } from "../../src/lib/hex.js";
import type { ClaimRecord, DevnetRecord, EpochRecord, ResultCounts } from "../../devnet/record.js";

export const MSN = 10n ** 18n;
const CHAIN_ID = 31337;
const STAKING = "0x00000000000000000000000000000000000000a5";
const DISTRIBUTOR = "0x00000000000000000000000000000000000000d1";
const MINTER = "0x00000000000000000000000000000000000000e1";
const GENESIS = 1_800_000_000;
const LEN = 86_400;
const BOOST = { maxBoostBps: 20_000n, fullStakePerNode: 1_000n * MSN };
const CAP = 108_000_000_000_000n;

const a = (n: number): Hex => `0x${n.toString(16).padStart(40, "0")}` as Hex;
export const OPS = { A: a(0xa1), B: a(0xb2), C: a(0xc3) };
const NODES = { A1: a(0x1a1), A2: a(0x1a2), B1: a(0x1b1), C1: a(0x1c1) };
const OWNER: Record<string, Hex> = {
  [NODES.A1]: OPS.A,
  [NODES.A2]: OPS.A,
  [NODES.B1]: OPS.B,
  [NODES.C1]: OPS.C,
};
const CLIENT = a(0xc11e);
const STAKES: Record<string, bigint> = { [OPS.A]: 2_000n * MSN, [OPS.B]: 300n * MSN, [OPS.C]: 0n };
const EMISSION = [13_698_630_136_986_301_369_863n, 13_698_630_136_986_301_369_863n];

function receipts(epoch: number): ReceiptFields[] {
  const sessions: [Hex, number][] =
    epoch === 0
      ? [
          [NODES.A1, 5e12],
          [NODES.A2, 2e12],
          [NODES.B1, 7e11],
          [NODES.C1, 3e9],
        ]
      : [
          [NODES.A1, 4e12],
          [NODES.B1, 9e11],
          [NODES.C1, 6e9],
        ];
  return sessions.map(([node, bytes], i) => ({
    node,
    client: CLIENT,
    epoch,
    session: `0x${(epoch * 100 + i + 1).toString(16).padStart(64, "0")}`,
    bytesServed: BigInt(bytes),
  }));
}

export async function consistentRecord(): Promise<DevnetRecord> {
  const epochs: EpochRecord[] = [];
  let previous: EpochBundle | undefined;
  let previousHash: Hash = ZERO_HASH;
  let emitted = 0n;
  // Epoch 0 shows one rejection of every kind.
  const answers: ResultCounts[] = [
    { accepted: 6, ...Object.fromEntries(REJECTION_REASONS.map((k) => [k, 1])) },
    { accepted: 4, superseded: 2 },
  ];
  for (let e = 0; e < 2; e++) {
    const builder = await createReceiptSetBuilder({ chainId: CHAIN_ID, verifyingContract: STAKING }, e);
    for (const r of receipts(e)) builder.add(r);
    const expected = await builder.finish();
    const previousCumulative = new Map((previous?.operators ?? []).map((r) => [r.operator, r.cumulative]));
    const { bundle } = await computeEpoch(
      {
        chainId: CHAIN_ID,
        distributor: DISTRIBUTOR,
        staking: STAKING,
        minter: MINTER,
        epoch: e,
        epochStart: GENESIS + e * LEN,
        epochEnd: GENESIS + (e + 1) * LEN,
        previousBundleHash: previousHash,
        receipts: { count: expected.count, hash: expected.hash },
      },
      {
        nodes: [...expected.bytesPerNode].map(([node, bytes]) => ({ node, operator: OWNER[node]!, bytes })),
        nodeCapBytes: CAP,
        stakes: new Map(Object.entries(STAKES)),
        boostParams: BOOST,
        emission: EMISSION[e]!,
        carryIn: previous?.carryOut ?? 0n,
        previousCumulative,
      },
    );
    const hash = await bundleHash(bundle);
    emitted += EMISSION[e]!;
    epochs.push({
      epoch: e,
      emission: EMISSION[e]!,
      emittedThrough: emitted,
      receiptsPosted: Object.values(answers[e]!).reduce((s, v) => s + v, 0),
      answers: answers[e]!,
      mismatches: [],
      mismatchCount: 0,
      expected,
      bundle,
      bundleHash: hash,
      onChain: { root: bundle.root, total: bundle.total, dataHash: hash, status: "Accepted" },
      chainStakes: new Map(Object.entries(STAKES)),
      chainBoosts: new Map(
        bundle.operators
          .filter((r) => r.nodes > 0)
          .map((r) => [r.operator, boostBps(STAKES[r.operator]!, r.nodes, BOOST)]),
      ),
      // After epoch e's job: epoch e − 1 accepted, epoch e pending.
      readApi: new Map(
        Object.values(OPS).map((op) => {
          const pending = bundle.operators.find((r) => r.operator === op)?.cumulative ?? 0n;
          const accepted = previous?.operators.find((r) => r.operator === op)?.cumulative ?? 0n;
          if (pending === 0n && accepted === 0n) return [op, undefined];
          return [
            op,
            {
              epoch: accepted > 0n ? e - 1 : null,
              cumulativeAmount: accepted,
              pending: pending > 0n ? { epoch: e, cumulativeAmount: pending } : undefined,
            },
          ];
        }),
      ),
    });
    previous = bundle;
    previousHash = hash;
  }
  const last = epochs.at(-1)!.bundle;
  const modes = { [OPS.A]: "claimAndStake", [OPS.B]: "claim", [OPS.C]: "relayer" } as const;
  const claims: ClaimRecord[] = last.operators.map((row) => {
    const mode = modes[row.operator]!;
    const staked = mode === "claimAndStake";
    return {
      operator: row.operator,
      mode,
      paid: row.cumulative,
      claimedOnChain: row.cumulative,
      readApiCumulative: row.cumulative,
      bundleCumulative: row.cumulative,
      stakeBefore: STAKES[row.operator]!,
      stakeAfter: STAKES[row.operator]! + (staked ? row.cumulative : 0n),
      balanceBefore: 10n * MSN,
      balanceAfter: 10n * MSN + (staked ? 0n : row.cumulative),
    };
  });
  const claimed = claims.reduce((s, c) => s + c.claimedOnChain, 0n);
  const funded = emitted + EMISSION[1]!; // the minter also minted the epoch after
  return {
    info: {
      seed: "test",
      nodes: 4,
      operators: 3,
      epochs: 2,
      rpcUrl: "http://127.0.0.1:8545",
      chainId: CHAIN_ID,
      oracleUrl: "http://127.0.0.1:8787",
      dataDir: "/tmp/devnet",
      deploymentsFile: "/tmp/devnet/localhost.json",
      fault: undefined,
    },
    operators: [
      {
        index: 0,
        address: OPS.A,
        profile: "datacenter",
        nodes: 2,
        stakePlan: "over",
        claimMode: "claimAndStake",
      },
      { index: 1, address: OPS.B, profile: "household", nodes: 1, stakePlan: "partial", claimMode: "claim" },
      { index: 2, address: OPS.C, profile: "household", nodes: 1, stakePlan: "none", claimMode: "relayer" },
    ],
    epochs,
    final: {
      claims,
      distributorBalance: funded - claimed,
      funded,
      currentRoot: { epoch: 1, root: last.root },
      nextEpochToAccept: 2,
      metrics: { ...answers[0], accepted: 10, superseded: 3 },
    },
  };
}
