import { expect } from "chai";
import { EpochClock } from "../../src/lib/epochClock.js";
import { capacityBytes } from "../../src/ingest/service.js";
import { REJECTION_REASONS, type ReceiptResult } from "../../src/ingest/reasons.js";
import { deriveKey, Rng } from "../../devnet/random.js";
import { IngestModel, planEpochTraffic, type PlannedReceipt } from "../../devnet/traffic.js";
import {
  buildWorld,
  CLAIM_MODES,
  METERED_QUOTA,
  splitNodes,
  STAKE_PLANS,
  type World,
} from "../../devnet/world.js";

const MSN = 10n ** 18n;
const FULL = 1_000n * MSN;
const GENESIS = 1_800_000_000;
const LEN = 86_400;
const GRACE = 3_600;
const CAP = capacityBytes(10_000_000_000, LEN);

function modelFor(world: World): IngestModel {
  return new IngestModel({
    epochs: new EpochClock(GENESIS, LEN, GRACE),
    capBytes: CAP,
    nodes: new Map(world.nodes.map((n) => [n.address, world.operators[n.operator]!.address])),
    clients: new Map(
      world.clients.map((c) => [
        c.address,
        { owner: c.owner, quota: c.quota, disabled: c.kind === "disabled" },
      ]),
    ),
  });
}

function tally(results: readonly ReceiptResult[]): Map<ReceiptResult, number> {
  const out = new Map<ReceiptResult, number>();
  for (const r of results) out.set(r, (out.get(r) ?? 0) + 1);
  return out;
}

describe("devnet world", () => {
  it("derives the same keys from the same seed and different ones from another seed", () => {
    expect(deriveKey("s", "node", 3)).to.deep.equal(deriveKey("s", "node", 3));
    expect(deriveKey("s", "node", 3).key).to.not.equal(deriveKey("t", "node", 3).key);
    expect(deriveKey("s", "node", 3).address).to.match(/^0x[0-9a-f]{40}$/);
    const a = new Rng("x");
    const b = new Rng("x");
    expect([a.next(), a.int(1, 6), a.bytes32()]).to.deep.equal([b.next(), b.int(1, 6), b.bytes32()]);
  });

  it("splits nodes over operators in proportion to their weights, at least one each", () => {
    expect(splitNodes(10, [1, 1, 1])).to.deep.equal([4, 3, 3]);
    // 195 nodes beyond the first of each: 10/14 of them to the first operator (139.3), 1/14 to the others.
    expect(splitNodes(200, [10, 1, 1, 1, 1])).to.deep.equal([140, 15, 15, 15, 15]);
    expect(splitNodes(5, [100, 0.001, 0.001, 0.001, 0.001])).to.deep.equal([1, 1, 1, 1, 1]);
  });

  it("builds the default world: 200 nodes of 50 operators, every stake plan and claim mode, household and datacenter", () => {
    const world = buildWorld({ seed: "msn-devnet", nodes: 200, operators: 50, fullStakePerNode: FULL });
    expect(world).to.deep.equal(
      buildWorld({ seed: "msn-devnet", nodes: 200, operators: 50, fullStakePerNode: FULL }),
    );
    expect(world.nodes).to.have.length(200);
    expect(world.operators).to.have.length(50);
    expect(new Set(world.nodes.map((n) => n.address)).size).to.equal(200);
    for (const plan of STAKE_PLANS) expect(world.operators.some((o) => o.stakePlan === plan)).to.equal(true);
    for (const mode of CLAIM_MODES) expect(world.operators.some((o) => o.claimMode === mode)).to.equal(true);
    const dc = world.operators.filter((o) => o.profile === "datacenter");
    const hh = world.operators.filter((o) => o.profile === "household");
    expect(dc.length).to.be.greaterThan(0);
    expect(hh.length).to.be.greaterThan(dc.length);
    const avg = (ops: typeof dc) => ops.reduce((s, o) => s + o.nodes.length, 0) / ops.length;
    expect(avg(dc)).to.be.greaterThan(3 * avg(hh));
    for (const o of world.operators) {
      const full = FULL * BigInt(o.nodes.length);
      if (o.stakePlan === "none") expect(o.stake).to.equal(0n);
      if (o.stakePlan === "partial") expect(o.stake > 0n && o.stake < full).to.equal(true);
      if (o.stakePlan === "full") expect(o.stake).to.equal(full);
      if (o.stakePlan === "over") expect(o.stake > full).to.equal(true);
      expect(o.funding >= o.stake).to.equal(true);
    }
    expect(world.clients.map((c) => c.kind).filter((k) => k !== "gateway")).to.deep.equal([
      "metered",
      "self-dealing",
      "disabled",
    ]);
    const owner = world.clients.find((c) => c.kind === "self-dealing")!.owner;
    expect(world.operators.some((o) => o.address === owner)).to.equal(true);
    expect(world.stakeChanges.map((c) => c.kind)).to.deep.equal(["topUp", "unstake"]);
    expect(world.overloadedNode?.profile).to.equal("datacenter");
  });

  it("refuses fewer nodes than operators, or fewer than two operators", () => {
    expect(() => buildWorld({ seed: "s", nodes: 3, operators: 4, fullStakePerNode: FULL })).to.throw(
      /nodes must be/,
    );
    expect(() => buildWorld({ seed: "s", nodes: 3, operators: 1, fullStakePerNode: FULL })).to.throw(
      /operators must be/,
    );
  });
});

describe("devnet traffic and ingest model", () => {
  const world = buildWorld({ seed: "model", nodes: 40, operators: 10, fullStakePerNode: FULL });
  const opts = { receiptsPerNode: 12, capBytes: CAP, meteredQuota: METERED_QUOTA };

  it("plans the same traffic for the same seed and epoch, and other traffic for the next epoch", () => {
    const a = planEpochTraffic(world, 0, opts);
    expect(a).to.deep.equal(planEpochTraffic(world, 0, opts));
    expect(planEpochTraffic(world, 1, opts).main[0]).to.not.deep.equal(a.main[0]);
    expect(a.main.length).to.be.within(40 * 12 * 0.5, 40 * 12 * 1.5 + 100);
  });

  it("expects every ordinary receipt accepted, the metered client cut at its quota, and each mistake refused for its reason", () => {
    const model = modelFor(world);
    const t = planEpochTraffic(world, 0, opts);
    const during = GENESIS + 600;
    const main = model.predict(t.main, during);
    const ordinary = t.main.map((p, i) => [p, main[i]!] as const).filter(([p]) => p.intent === "traffic");
    expect(ordinary.every(([, r]) => r === "accepted")).to.equal(true);
    const metered = tally(t.main.filter((p) => p.intent === "metered").map((p) => main[t.main.indexOf(p)]!));
    expect(metered.get("accepted")).to.be.greaterThan(0);
    expect(metered.get("quota_exceeded")).to.be.greaterThan(0);

    const anomalies = model.predict(t.anomalies, during);
    t.anomalies.forEach((p: PlannedReceipt, i) => expect(anomalies[i], p.intent).to.equal(p.intent));
    const shown = new Set([...main, ...anomalies]);
    expect(model.predict(t.late, GENESIS + LEN + 60).every((r) => r === "accepted")).to.equal(true);
    const closed = model.predict(t.closed, GENESIS + LEN + GRACE + 60);
    expect(closed.every((r) => r === "epoch_closed")).to.equal(true);
    for (const r of closed) shown.add(r);
    expect(REJECTION_REASONS.filter((r) => !shown.has(r))).to.deep.equal([]);
  });

  it("counts one receipt per session, the latest, and caps nothing itself (the overloaded node exceeds the cap)", () => {
    const model = modelFor(world);
    const t = planEpochTraffic(world, 0, opts);
    model.predict(t.main, GENESIS + 600);
    const counted = model.counted(0);
    const sessions = new Set(counted.map((r) => `${r.client}:${r.session}`));
    expect(sessions.size).to.equal(counted.length);
    const overloaded = model.bytesPerNode(0).get(world.overloadedNode!.address)!;
    expect(overloaded > BigInt(CAP)).to.equal(true);
    for (const p of t.main.filter((x) => x.intent === "traffic")) {
      const latest = counted.find((r) => r.client === p.receipt.client && r.session === p.receipt.session)!;
      expect(latest.bytesServed).to.be.at.least(p.receipt.bytesServed);
    }
  });

  it("answers receipts of a session in order: a later count supersedes, an equal one is a duplicate, a lower one superseded", () => {
    const model = modelFor(world);
    const client = world.clients[0]!;
    const node = world.nodes[1]!.address;
    const r = (bytes: number, n = node): PlannedReceipt => ({
      receipt: {
        node: n,
        client: client.address,
        epoch: 0,
        session: `0x${"ab".repeat(32)}`,
        bytesServed: bytes,
      },
      signer: client.key,
      intent: "traffic",
    });
    expect(
      model.predict([r(10), r(20), r(20), r(15), r(25, world.nodes[2]!.address)], GENESIS),
    ).to.deep.equal(["accepted", "accepted", "duplicate", "superseded", "node_mismatch"]);
    expect(model.counted(0).map((x) => x.bytesServed)).to.deep.equal([20]);
  });
});
