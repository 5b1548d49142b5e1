/**
 * The traffic of one epoch: which client pays which node in which session, with which cumulative byte
 * counts, and the deliberate mistakes that show the oracle's rejections (a replayed receipt, a stale
 * one, a session moved to another node, impossible byte counts, unknown keys, self-dealing, a forged
 * signature, a future epoch, late receipts inside and outside the grace period). Pure and seeded.
 *
 * `IngestModel` predicts the oracle's answer to every receipt from the rules in docs/oracle-ingest.md,
 * so the run can check each answer the oracle gives.
 */
import { Rng } from "./random.js";
import type { SimClient, SimNode, World } from "./world.js";
import type { Receipt } from "../src/receipts/types.js";
import type { ReceiptResult } from "../src/ingest/reasons.js";
import type { Hex } from "../src/lib/hex.js";
import type { EpochClock } from "../src/lib/epochClock.js";

/** Why a receipt is in the plan. Traffic is meant to be accepted; the rest names the answer it shows. */
export type Intent = "traffic" | "metered" | "late" | Exclude<ReceiptResult, "accepted" | "quota_exceeded">;

export interface PlannedReceipt {
  receipt: Receipt;
  /** The private key that signs it (the client's, or another key for a forged one). */
  signer: Hex;
  /** Signed over other bytes than it carries: a bad signature. */
  tamper?: boolean;
  intent: Intent;
}

export interface EpochTraffic {
  epoch: number;
  /** Posted during the epoch: every session's receipts in the order the client signs them. */
  main: PlannedReceipt[];
  /** Posted during the epoch, after `main`: one or more receipts per rejection reason. */
  anomalies: PlannedReceipt[];
  /** Posted after the epoch's end but inside the grace period: accepted. */
  late: PlannedReceipt[];
  /** Posted after the grace period: epoch_closed. */
  closed: PlannedReceipt[];
}

export interface TrafficOptions {
  /** Receipts per active node per epoch, on average (sessions × receipts per session). */
  receiptsPerNode: number;
  /** Bytes one node can carry in an epoch (link cap × epoch length / 8). */
  capBytes: number;
  /** MSN quota of the metered client, bytes per epoch. */
  meteredQuota: number;
}

interface Session {
  node: SimNode;
  client: SimClient;
  id: Hex;
  /** Cumulative byte counts, strictly increasing; the last one counts. */
  steps: number[];
}

const GB = 1e9;
const TB = 1e12;
/** Probability that a node carries no traffic in an epoch (it was offline). */
const IDLE = 0.04;

/** `count` cumulative counts ending at `final`, strictly increasing (final ≥ 2·count). */
function cumulativeSteps(rng: Rng, final: number, count: number): number[] {
  const steps: number[] = [];
  for (let i = 1; i < count; i++) {
    steps.push(Math.floor((final * i) / count - (rng.next() * final) / (2 * count)));
  }
  steps.push(final);
  return steps;
}

function sessionBytes(rng: Rng, node: SimNode): number {
  return Math.floor(
    node.profile === "datacenter" ? rng.logUniform(100 * GB, 10 * TB) : rng.logUniform(0.5 * GB, 30 * GB),
  );
}

export function planEpochTraffic(world: World, epoch: number, opts: TrafficOptions): EpochTraffic {
  const rng = new Rng(`traffic:${world.seed}:${epoch}`);
  const gateways = world.clients.filter((c) => c.kind === "gateway");
  const metered = world.clients.find((c) => c.kind === "metered")!;
  const selfDealing = world.clients.find((c) => c.kind === "self-dealing")!;
  const disabled = world.clients.find((c) => c.kind === "disabled")!;
  const owner = world.operators.find((o) => o.address === selfDealing.owner)!;
  const sessions: Session[] = [];

  // Ordinary traffic: each active node has a few sessions with gateways, 1-4 receipts each.
  const perSession = 2.5;
  const trafficRng = rng.fork("sessions");
  for (const node of world.nodes) {
    if (node === world.overloadedNode) {
      // Two sessions of 55% of the link's capacity each: both valid, together above the cap.
      const [a, b] = trafficRng.shuffle(gateways);
      for (const client of [a!, b!]) {
        sessions.push({ node, client, id: trafficRng.bytes32(), steps: [Math.floor(opts.capBytes * 0.55)] });
      }
      continue;
    }
    if (trafficRng.chance(IDLE)) continue;
    const count = Math.max(
      1,
      Math.round((opts.receiptsPerNode / perSession) * (0.7 + 0.6 * trafficRng.next())),
    );
    for (let s = 0; s < count; s++) {
      // Now and then the operator-owned client pays someone else's node: that is allowed.
      const client =
        node.operator !== owner.index && trafficRng.chance(0.03) ? selfDealing : trafficRng.pick(gateways);
      const steps = cumulativeSteps(trafficRng, sessionBytes(trafficRng, node), trafficRng.int(1, 4));
      sessions.push({ node, client, id: trafficRng.bytes32(), steps });
    }
  }

  // The metered client buys about 1.5 times its quota: the receipts beyond it are refused.
  const meteredRng = rng.fork("metered");
  for (let total = 0; total < opts.meteredQuota * 1.5;) {
    const final = Math.floor(meteredRng.logUniform(0.05, 0.3) * opts.meteredQuota);
    total += final;
    sessions.push({
      node: meteredRng.pick(world.nodes),
      client: metered,
      id: meteredRng.bytes32(),
      steps: cumulativeSteps(meteredRng, final, meteredRng.int(1, 2)),
    });
  }

  // Receipts go out in rounds: the first receipt of every session, then the second, ... (clients sign
  // growing counts as data arrives), shuffled within a round.
  const main: PlannedReceipt[] = [];
  const rounds = Math.max(...sessions.map((s) => s.steps.length));
  const orderRng = rng.fork("order");
  for (let r = 0; r < rounds; r++) {
    const round = sessions
      .filter((s) => s.steps.length > r)
      .map((s) =>
        plan(
          s.node.address,
          s.client,
          epoch,
          s.id,
          s.steps[r]!,
          s.client === metered ? "metered" : "traffic",
        ),
      );
    main.push(...orderRng.shuffle(round));
  }

  // Deliberate mistakes, each with the answer it must get.
  const a = rng.fork("anomalies");
  const ordinary = sessions.filter((s) => s.client.kind === "gateway" && s.node !== world.overloadedNode);
  const anomalies: PlannedReceipt[] = [];
  const anyNode = () => a.pick(world.nodes);
  const freshSession = (client: SimClient, node: Hex, bytes: number, intent: Intent, at = epoch) =>
    plan(node, client, at, a.bytes32(), bytes, intent);
  if (ordinary.length > 0) {
    for (const s of pickSome(a, ordinary, 2)) {
      anomalies.push(plan(s.node.address, s.client, epoch, s.id, s.steps.at(-1)!, "duplicate"));
    }
    for (const s of pickSome(
      a,
      ordinary.filter((x) => x.steps.length > 1),
      2,
    )) {
      anomalies.push(plan(s.node.address, s.client, epoch, s.id, s.steps[0]!, "superseded"));
    }
    const moved = a.pick(ordinary);
    const other = world.nodes.find((n) => n !== moved.node && n !== world.overloadedNode) ?? moved.node;
    if (other !== moved.node) {
      anomalies.push(
        plan(other.address, moved.client, epoch, moved.id, moved.steps.at(-1)! + 1000, "node_mismatch"),
      );
    }
  }
  anomalies.push(freshSession(a.pick(gateways), anyNode().address, opts.capBytes + 1, "over_capacity"));
  for (let i = 0; i < 2; i++) {
    anomalies.push(
      freshSession(a.pick(gateways), world.strangerNode.address, Math.floor(5 * GB), "unknown_node"),
    );
  }
  anomalies.push({
    receipt: {
      node: anyNode().address,
      client: world.strangerClient.address,
      epoch,
      session: a.bytes32(),
      bytesServed: Math.floor(3 * GB),
    },
    signer: world.strangerClient.key,
    intent: "unknown_client",
  });
  anomalies.push(freshSession(disabled, anyNode().address, Math.floor(2 * GB), "client_disabled"));
  for (const node of pickSome(a, world.operators[owner.index]!.nodes, 2)) {
    anomalies.push(freshSession(selfDealing, node.address, Math.floor(40 * GB), "self_dealing"));
  }
  anomalies.push({
    ...freshSession(a.pick(gateways), anyNode().address, Math.floor(8 * GB), "bad_signature"),
    tamper: true,
  });
  anomalies.push(
    freshSession(a.pick(gateways), anyNode().address, Math.floor(1 * GB), "epoch_in_future", epoch + 1),
  );

  // After the epoch's end: a few nodes report a last session inside the grace period, two too late.
  const lateRng = rng.fork("late");
  const candidates = world.nodes.filter((n) => n !== world.overloadedNode);
  const late = pickSome(lateRng, candidates, Math.max(1, Math.round(world.nodes.length / 20))).map((node) =>
    plan(node.address, lateRng.pick(gateways), epoch, lateRng.bytes32(), sessionBytes(lateRng, node), "late"),
  );
  const closed = pickSome(lateRng, candidates, 2).map((node) =>
    plan(
      node.address,
      lateRng.pick(gateways),
      epoch,
      lateRng.bytes32(),
      sessionBytes(lateRng, node),
      "epoch_closed",
    ),
  );
  return { epoch, main, anomalies, late, closed };
}

function plan(
  node: Hex,
  client: SimClient,
  epoch: number,
  session: Hex,
  bytesServed: number,
  intent: Intent,
): PlannedReceipt {
  return {
    receipt: { node, client: client.address, epoch, session, bytesServed },
    signer: client.key,
    intent,
  };
}

function pickSome<T>(rng: Rng, items: readonly T[], n: number): T[] {
  return rng.shuffle(items).slice(0, Math.min(n, items.length));
}

/* ---------------------------------------------------------------------------------------------- */
/* The oracle's ingest rules, as the simulation expects them                                        */
/* ---------------------------------------------------------------------------------------------- */

export interface ModelClient {
  owner: Hex;
  quota: number;
  disabled: boolean;
}

export interface ModelConfig {
  epochs: EpochClock;
  /** Bytes a node can carry in an epoch. */
  capBytes: number;
  /** Registered node → its operator (lower-case). */
  nodes: ReadonlyMap<string, string>;
  /** Registered clients by lower-case address. */
  clients: ReadonlyMap<string, ModelClient>;
}

interface StoredReceipt {
  receipt: Receipt;
}

/**
 * What the oracle should answer (docs/oracle-ingest.md, "Answers per receipt"): the stateless checks in
 * their documented order, then duplicate / node mismatch / superseded / quota against what it stored,
 * receipt by receipt in request order.
 */
export class IngestModel {
  private readonly stored = new Map<string, StoredReceipt>();
  private readonly usage = new Map<string, number>();

  constructor(private readonly cfg: ModelConfig) {}

  predict(batch: readonly PlannedReceipt[], now: number): ReceiptResult[] {
    return batch.map((p) => this.decide(p, now));
  }

  private decide(p: PlannedReceipt, now: number): ReceiptResult {
    const r = p.receipt;
    const acceptance = this.cfg.epochs.acceptance(r.epoch, now);
    if (acceptance === "future") return "epoch_in_future";
    if (acceptance === "closed") return "epoch_closed";
    if (r.bytesServed > this.cfg.capBytes) return "over_capacity";
    const operator = this.cfg.nodes.get(r.node.toLowerCase());
    if (operator === undefined) return "unknown_node";
    const client = this.cfg.clients.get(r.client.toLowerCase());
    if (client === undefined) return "unknown_client";
    if (client.disabled) return "client_disabled";
    if (client.owner.toLowerCase() === operator) return "self_dealing";
    if (p.tamper || p.signer.length === 0) return "bad_signature";

    const key = `${r.epoch}:${r.client.toLowerCase()}:${r.session.toLowerCase()}`;
    const prev = this.stored.get(key)?.receipt;
    let delta = r.bytesServed;
    if (prev !== undefined) {
      const sameNode = prev.node.toLowerCase() === r.node.toLowerCase();
      if (sameNode && prev.bytesServed === r.bytesServed) return "duplicate";
      if (!sameNode) return "node_mismatch";
      if (r.bytesServed <= prev.bytesServed) return "superseded";
      delta = r.bytesServed - prev.bytesServed;
    }
    const ukey = `${r.epoch}:${r.client.toLowerCase()}`;
    const used = this.usage.get(ukey) ?? 0;
    if (used + delta > client.quota) return "quota_exceeded";
    this.usage.set(ukey, used + delta);
    this.stored.set(key, { receipt: r });
    return "accepted";
  }

  /** The epoch's counted set: the stored (latest) receipt of every session. */
  counted(epoch: number): Receipt[] {
    const out: Receipt[] = [];
    for (const { receipt } of this.stored.values()) if (receipt.epoch === epoch) out.push(receipt);
    return out;
  }

  /** Accepted bytes per node in `epoch` (lower-case node → bytes). */
  bytesPerNode(epoch: number): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const r of this.counted(epoch)) {
      const node = r.node.toLowerCase();
      out.set(node, (out.get(node) ?? 0n) + BigInt(r.bytesServed));
    }
    return out;
  }
}
