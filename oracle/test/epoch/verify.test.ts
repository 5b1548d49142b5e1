import { expect } from "chai";
import {
  type EpochBundle,
  type EpochRewardsInput,
  type ReceiptFields,
  ZERO_HASH,
  bundleHash,
  compareWithChain,
  computeEpoch,
  createReceiptSetBuilder,
  parseBundle,
  serializeBundle,
  verifyBundle,
  verifyBundleChain,
  verifyFirstBundle,
} from "../../src/epoch/index.js";
import { BOOST, CAP, META, MSN, Rng, SEED, addr, metaFor, randomEpoch } from "./helpers.js";

const clone = (b: EpochBundle): EpochBundle => ({
  ...b,
  nodes: b.nodes.map((r) => ({ ...r })),
  operators: b.operators.map((r) => ({ ...r })),
});

function messages(report: { discrepancies: { message: string }[] }): string[] {
  return report.discrepancies.map((d) => d.message);
}

describe("epoch/verify", () => {
  let bundle: EpochBundle;
  before(async () => {
    bundle = (await randomEpoch(SEED, 40)).bundle;
  });

  it("accepts a bundle the epoch computation wrote, also after a file round trip", async () => {
    const report = await verifyBundle(bundle);
    expect(messages(report)).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    expect(report.recomputed!.root).to.equal(bundle.root);
    const parsed = (await parseBundle(serializeBundle(bundle))).bundle;
    expect((await verifyBundle(parsed)).ok).to.equal(true);
  });

  it("detects a changed reward, naming the operator and both values", async () => {
    const b = clone(bundle);
    const row = b.operators.find((o) => o.reward > 0n)!;
    row.reward += 1n;
    const report = await verifyBundle(b);
    expect(report.ok).to.equal(false);
    expect(messages(report)).to.deep.equal([
      `operator ${row.operator}: reward ${row.reward} in bundle, ${row.reward - 1n} recomputed`,
    ]);
  });

  it("detects a changed cumulative amount and a root that commits to it", async () => {
    const b = clone(bundle);
    const row = b.operators[3]!;
    row.cumulative += 10n * MSN;
    const listed = await computeEpoch(
      { ...META, receipts: b.receipts },
      {
        nodes: [],
        nodeCapBytes: CAP,
        stakes: new Map(),
        boostParams: BOOST,
        emission: 0n,
        carryIn: 0n,
        previousCumulative: new Map(b.operators.map((o) => [o.operator, o.cumulative])),
      },
    );
    b.root = listed.tree.root; // a dishonest oracle's root over the inflated column
    b.total = listed.bundle.total;
    const m = messages(await verifyBundle(b));
    expect(m).to.include(
      `operator ${row.operator}: cumulative ${row.cumulative} in bundle, ${row.cumulative - 10n * MSN} recomputed`,
    );
    expect(m).to.include(`total ${b.total} in bundle, ${b.total - 10n * MSN} recomputed`);
    expect(m.find((x) => x.startsWith("root "))).to.match(
      /it is the root of the bundle's own cumulative column, which is wrong/,
    );
  });

  it("detects a removed operator", async () => {
    const b = clone(bundle);
    const [removed] = b.operators.splice(
      b.operators.findIndex((o) => o.nodes > 0),
      1,
    );
    const m = messages(await verifyBundle(b));
    // Its stake went with its row, so the recomputation (at stake 0) also differs for the others.
    expect(m.filter((x) => x.startsWith(`operator ${removed!.operator}:`))).to.have.length(1);
    expect(m.find((x) => x.startsWith(`operator ${removed!.operator}:`))).to.match(
      /: missing from the bundle \(cumulative \d+\)$/,
    );
  });

  it("detects a changed root", async () => {
    const b = clone(bundle);
    b.root = `0x${"12".repeat(32)}`;
    const report = await verifyBundle(b);
    expect(messages(report)).to.deep.equal([`root ${b.root} in bundle, ${bundle.root} recomputed`]);
  });

  it("detects changed caps, boosts, weights, stakes and carry", async () => {
    const b = clone(bundle);
    b.nodes[0]!.cappedBytes += 1n;
    const op = b.operators.find((o) => o.nodes > 0 && o.stake !== null)!;
    op.boostBps += 1n;
    b.carryOut += 1n;
    b.totalWeight -= 1n;
    const m = messages(await verifyBundle(b));
    expect(m).to.include(
      `node ${b.nodes[0]!.node}: cappedBytes ${b.nodes[0]!.cappedBytes} in bundle, ${b.nodes[0]!.cappedBytes - 1n} recomputed`,
    );
    expect(m).to.include(
      `operator ${op.operator}: boostBps ${op.boostBps} in bundle, ${op.boostBps - 1n} recomputed`,
    );
    expect(m).to.include(`carryOut ${b.carryOut} in bundle, ${b.carryOut - 1n} recomputed`);
    expect(m).to.include(`totalWeight ${b.totalWeight} in bundle, ${b.totalWeight + 1n} recomputed`);

    const c = clone(bundle);
    const staked = c.operators.find((o) => o.nodes > 0)!;
    staked.stake = null;
    expect(messages(await verifyBundle(c))).to.include(
      `operator ${staked.operator}: has traffic but no stake`,
    );
  });

  it("recomputes rewards when the stake in the bundle differs (the stake is an input)", async () => {
    const b = clone(bundle);
    const op = b.operators.find((o) => o.nodes > 0 && o.stake === 0n)!;
    op.stake = 1_000_000n * MSN; // claims full boost without updating boost, weight and rewards
    const m = messages(await verifyBundle(b));
    expect(m).to.include(`operator ${op.operator}: boostBps ${op.boostBps} in bundle, 20000 recomputed`);
    expect(m.some((x) => x.startsWith("carryOut ") || x.includes(": reward "))).to.equal(true);
  });

  it("reports format problems instead of throwing", async () => {
    const report = await verifyBundle({ ...bundle, emission: -5n });
    expect(report.ok).to.equal(false);
    expect(report.discrepancies[0]).to.include({ kind: "format" });
    expect(report.discrepancies[0]!.message).to.match(/emission/);
  });

  it("limits the listed discrepancies and counts the rest", async () => {
    const b = clone(bundle);
    for (const o of b.operators) o.cumulative += 1n;
    const report = await verifyBundle(b, { maxDiscrepancies: 5 });
    expect(report.discrepancies).to.have.length(5);
    // one per operator (the listed total and root are the recomputed ones, unchanged)
    expect(report.omitted).to.equal(b.operators.length - 5);
  });

  it("checks the snapshot instant and the receipt count against the node count", async () => {
    const m = messages(
      await verifyBundle({
        ...bundle,
        snapshotTime: bundle.epochEnd,
        receipts: { ...bundle.receipts, count: 1 },
      }),
    );
    expect(m).to.include(
      `snapshotTime ${bundle.epochEnd} in bundle, ${bundle.epochEnd - 1} expected (epochEnd − 1)`,
    );
    expect(m).to.include(`receipts: 1 receipts cannot give bytes to ${bundle.nodes.length} nodes`);
  });

  describe("with the receipts supplied", () => {
    const domain = { chainId: META.chainId, verifyingContract: META.staking };
    let receipts: ReceiptFields[];
    let withReceipts: EpochBundle;
    before(async () => {
      // Two to three counted receipts per node, whose bytes sum to the node's bytes.
      const rng = new Rng(SEED);
      const nodes = [addr(0x101), addr(0x102), addr(0x103)];
      receipts = [];
      for (const node of nodes) {
        for (let k = 0; k < 2 + rng.int(2); k++) {
          receipts.push({
            node,
            client: rng.address(),
            epoch: META.epoch,
            session: rng.hash(),
            bytesServed: BigInt(1 + rng.int(900_000)),
          });
        }
      }
      const builder = await createReceiptSetBuilder(domain, META.epoch);
      for (const r of receipts) builder.add(r);
      const summary = await builder.finish();
      const input: EpochRewardsInput = {
        nodes: [...summary.bytesPerNode].map(([node, bytes], i) => ({
          node,
          operator: addr(0xa0 + i),
          bytes,
        })),
        nodeCapBytes: CAP,
        stakes: new Map([0, 1, 2].map((i) => [addr(0xa0 + i), BigInt(i) * 700n * MSN])),
        boostParams: BOOST,
        emission: 10n ** 22n,
        carryIn: 3n,
        previousCumulative: new Map([[addr(0xff), 9n]]),
      };
      withReceipts = (
        await computeEpoch({ ...META, receipts: { count: summary.count, hash: summary.hash } }, input)
      ).bundle;
    });

    async function summaryOf(list: ReceiptFields[]) {
      const builder = await createReceiptSetBuilder(domain, META.epoch);
      for (const r of list) builder.add(r);
      return builder.finish();
    }

    it("accepts the bundle when the receipts match", async () => {
      const report = await verifyBundle(withReceipts, { receipts: await summaryOf(receipts) });
      expect(messages(report)).to.deep.equal([]);
    });

    it("detects a changed receipts hash", async () => {
      const b = {
        ...withReceipts,
        receipts: { ...withReceipts.receipts, hash: `0x${"34".repeat(32)}` as const },
      };
      const summary = await summaryOf(receipts);
      expect(messages(await verifyBundle(b, { receipts: summary }))).to.deep.equal([
        `receipts hash mismatch: ${b.receipts.hash} in bundle, ${summary.hash} from the receipts`,
      ]);
    });

    it("detects node bytes that the receipts do not add up to, and a missing receipt", async () => {
      const b = clone(withReceipts);
      const summary = await summaryOf(receipts.slice(1));
      const m = messages(await verifyBundle(b, { receipts: summary }));
      expect(m).to.include(
        `receipts count ${receipts.length} in bundle, ${receipts.length - 1} in the receipts`,
      );
      expect(m.some((x) => x.startsWith("receipts hash mismatch"))).to.equal(true);
      const node = receipts[0]!.node;
      const listed = b.nodes.find((n) => n.node === node)!.bytes;
      expect(m).to.include(
        `node ${node}: bytes ${listed} in bundle, ${listed - receipts[0]!.bytesServed} in the receipts`,
      );
    });
  });

  describe("across epochs and against the chain", () => {
    it("checks that a bundle continues the previous one", async () => {
      const first = await randomEpoch(SEED, 10);
      expect(verifyFirstBundle(first.bundle).map((d) => d.message)).to.deep.equal([
        `carryIn ${first.bundle.carryIn} in bundle, 0 expected`,
        ...first.bundle.operators
          .filter((o) => o.previousCumulative > 0n)
          .map((o) => `operator ${o.operator}: previousCumulative in the first epoch`),
      ]);
      const firstHash = await bundleHash(first.bundle);
      const previousCumulative = new Map(first.bundle.operators.map((o) => [o.operator, o.cumulative]));
      const nextInput: EpochRewardsInput = {
        ...first.input,
        carryIn: first.bundle.carryOut,
        previousCumulative,
      };
      const next = (
        await computeEpoch(
          {
            ...metaFor(nextInput),
            epoch: META.epoch + 1,
            epochStart: META.epochEnd,
            epochEnd: META.epochEnd + 86_400,
            previousBundleHash: firstHash,
          },
          nextInput,
        )
      ).bundle;
      expect(verifyBundleChain(first.bundle, firstHash, next)).to.deep.equal([]);
      expect((await verifyBundle(next)).ok).to.equal(true);

      const tampered = clone(next);
      const row = tampered.operators.find((o) => o.previousCumulative > 0n)!;
      row.previousCumulative -= 1n;
      tampered.carryIn += 1n;
      tampered.previousBundleHash = ZERO_HASH;
      expect(verifyBundleChain(first.bundle, firstHash, tampered).map((d) => d.message)).to.deep.equal([
        `previousBundleHash ${ZERO_HASH} in bundle, ${firstHash} from the previous bundle`,
        `carryIn ${tampered.carryIn} in bundle, ${first.bundle.carryOut} expected (previous carryOut)`,
        `operator ${row.operator}: previousCumulative ${row.previousCumulative} in bundle, ${row.previousCumulative + 1n} expected (cumulative in the previous bundle)`,
      ]);
      const dropped = clone(next);
      const gone = dropped.operators.splice(0, 1)[0]!;
      expect(verifyBundleChain(first.bundle, firstHash, dropped).map((d) => d.message)).to.deep.equal([
        `operator ${gone.operator}: cumulative ${gone.previousCumulative} last epoch, missing now`,
      ]);
    });

    it("compares the bundle with the on-chain root, total and dataHash", async () => {
      const hash = await bundleHash(bundle);
      expect(
        compareWithChain(bundle, hash, {
          root: bundle.root.toUpperCase().replace("0X", "0x"),
          total: bundle.total,
          dataHash: hash,
        }),
      ).to.deep.equal([]);
      const wrong = compareWithChain(bundle, hash, {
        root: ZERO_HASH,
        total: bundle.total + 1n,
        dataHash: ZERO_HASH,
      });
      expect(wrong.map((d) => d.subject)).to.deep.equal(["root", "total", "dataHash"]);
      const emitted = bundle.total + bundle.carryOut;
      expect(
        compareWithChain(bundle, hash, {
          root: bundle.root,
          total: bundle.total,
          dataHash: hash,
          emittedThroughEpoch: emitted,
        }),
      ).to.deep.equal([]);
      expect(
        compareWithChain(bundle, hash, {
          root: bundle.root,
          total: bundle.total,
          dataHash: hash,
          emittedThroughEpoch: emitted + 1n,
        }).map((d) => d.message),
      ).to.deep.equal([
        `total + carryOut ${emitted} in bundle, ${emitted + 1n} emitted through the epoch on chain`,
      ]);
    });
  });
});
