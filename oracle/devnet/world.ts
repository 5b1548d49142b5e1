/**
 * The simulated world of the devnet: operators with their node keys, profiles, stakes and the way they
 * claim; clients (gateways, a metered client, a self-dealing one, a disabled one) and the keys nobody
 * registered. Pure and seeded: the same options give the same world.
 */
import { deriveKey, Rng, type KeyPair } from "./random.js";
import type { Hex } from "../src/lib/hex.js";

export type Profile = "household" | "datacenter";
/** How much an operator stakes relative to "full" (fullStakePerNode × its nodes). */
export type StakePlan = "none" | "partial" | "full" | "over";
/** How an operator's rewards are claimed at the end. */
export type ClaimMode = "claim" | "claimAndStake" | "relayer";
export type ClientKind = "gateway" | "metered" | "self-dealing" | "disabled";

export const STAKE_PLANS: readonly StakePlan[] = ["none", "partial", "full", "over"];
export const CLAIM_MODES: readonly ClaimMode[] = ["claim", "claimAndStake", "relayer"];

export interface SimNode extends KeyPair {
  /** Index over all nodes. */
  index: number;
  /** Index of its operator. */
  operator: number;
  profile: Profile;
}

export interface SimOperator extends KeyPair {
  index: number;
  profile: Profile;
  nodes: SimNode[];
  stakePlan: StakePlan;
  /** Stake at set-up (wei). */
  stake: bigint;
  /** Stake with an ERC-2612 permit (one transaction) instead of approve + stake. */
  permit: boolean;
  claimMode: ClaimMode;
  /** MSN sent to it at set-up (wei): its stake, any later top-up, and a little spare. */
  funding: bigint;
}

export interface SimClient extends KeyPair {
  index: number;
  kind: ClientKind;
  /** The operator (business) the client belongs to, for the self-dealing check. */
  owner: Hex;
  /** Per-epoch byte quota registered with the oracle. */
  quota: number;
}

/** A stake change made during epoch 1, so that boosts differ between epochs. */
export interface StakeChange {
  operator: number;
  kind: "topUp" | "unstake";
  amount: bigint;
}

export interface World {
  seed: string;
  operators: SimOperator[];
  nodes: SimNode[];
  clients: SimClient[];
  /** Sends the batch claim of the operators whose claim mode is "relayer" (claims are permissionless). */
  relayer: KeyPair;
  /** A node key nobody registered: its receipts are refused as unknown_node. */
  strangerNode: KeyPair;
  /** A client key the oracle does not know: unknown_client. */
  strangerClient: KeyPair;
  /** Gets more traffic than a node's link carries in an epoch: its bytes are capped (a datacenter node). */
  overloadedNode: SimNode | undefined;
  stakeChanges: StakeChange[];
  fullStakePerNode: bigint;
}

export interface WorldOptions {
  seed: string;
  nodes: number;
  operators: number;
  /** MinerStaking's fullStakePerNode (wei). */
  fullStakePerNode: bigint;
}

const MSN = 10n ** 18n;
/** Quota of gateways and the self-dealing client: far above anything simulated (bytes per epoch). */
export const LARGE_QUOTA = 1_000_000_000_000_000; // 1 PB
/** Quota of the metered client: its traffic is planned above it, so some receipts exceed it. */
export const METERED_QUOTA = 200_000_000_000; // 200 GB

export function checkWorldOptions(opts: WorldOptions): void {
  if (!Number.isSafeInteger(opts.operators) || opts.operators < 2) {
    throw new RangeError(`operators must be an integer >= 2 (got ${opts.operators})`);
  }
  if (!Number.isSafeInteger(opts.nodes) || opts.nodes < opts.operators) {
    throw new RangeError(`nodes must be an integer >= operators (${opts.operators}), got ${opts.nodes}`);
  }
  if (opts.nodes > 100_000) throw new RangeError(`nodes must be at most 100000 (got ${opts.nodes})`);
  if (opts.fullStakePerNode <= 0n) throw new RangeError("fullStakePerNode must be positive");
}

/** Whole-MSN amount of `full × percent / 100`, at least 1 MSN. */
function percentOf(full: bigint, percent: number): bigint {
  const wei = (full * BigInt(Math.round(percent * 100))) / 10_000n;
  const whole = (wei / MSN) * MSN;
  return whole > 0n ? whole : MSN;
}

/** Splits `total` nodes over operators in proportion to `weights`, at least one each (largest remainder). */
export function splitNodes(total: number, weights: readonly number[]): number[] {
  const extra = total - weights.length;
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (extra * w) / sum);
  const counts = exact.map((x) => 1 + Math.floor(x));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, frac: x - Math.floor(x) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) counts[order[k % order.length]!.i]! += 1;
  return counts;
}

export function buildWorld(opts: WorldOptions): World {
  checkWorldOptions(opts);
  const { seed } = opts;
  const rng = new Rng(`world:${seed}`);

  // Profiles: about a quarter of the operators run datacenters (many nodes each), the rest households.
  const profileRng = rng.fork("profiles");
  const datacenters = Math.max(1, Math.round(opts.operators / 4));
  const dcSet = new Set(profileRng.shuffle([...Array(opts.operators).keys()]).slice(0, datacenters));
  const profiles: Profile[] = [...Array(opts.operators).keys()].map((i) =>
    dcSet.has(i) ? "datacenter" : "household",
  );
  const weights = profiles.map((p) =>
    p === "datacenter" ? 8 + profileRng.next() * 8 : 0.5 + profileRng.next() * 1.5,
  );
  const counts = splitNodes(opts.nodes, weights);

  const plans = rng.fork("stake-plans").shuffle([...Array(opts.operators).keys()]);
  const planOf = new Map(plans.map((op, k) => [op, STAKE_PLANS[k % STAKE_PLANS.length]!]));
  const claims = rng.fork("claim-modes").shuffle([...Array(opts.operators).keys()]);
  const claimOf = new Map(claims.map((op, k) => [op, CLAIM_MODES[k % CLAIM_MODES.length]!]));
  const amountRng = rng.fork("stake-amounts");

  const nodes: SimNode[] = [];
  const operators: SimOperator[] = [];
  for (let i = 0; i < opts.operators; i++) {
    const owned: SimNode[] = [];
    for (let k = 0; k < counts[i]!; k++) {
      const node: SimNode = {
        ...deriveKey(seed, "node", nodes.length),
        index: nodes.length,
        operator: i,
        profile: profiles[i]!,
      };
      nodes.push(node);
      owned.push(node);
    }
    const full = opts.fullStakePerNode * BigInt(owned.length);
    const stakePlan = planOf.get(i)!;
    const stake =
      stakePlan === "none"
        ? 0n
        : stakePlan === "partial"
          ? percentOf(full, 20 + amountRng.int(0, 60))
          : stakePlan === "full"
            ? full
            : percentOf(full, 150 + amountRng.int(0, 150));
    operators.push({
      ...deriveKey(seed, "operator", i),
      index: i,
      profile: profiles[i]!,
      nodes: owned,
      stakePlan,
      stake,
      permit: i % 2 === 0,
      claimMode: claimOf.get(i)!,
      funding: 0n,
    });
  }

  // Epoch 1 changes: a partial staker tops up to full, a full or over staker unstakes half.
  const stakeChanges: StakeChange[] = [];
  const topUp = operators.find((o) => o.stakePlan === "partial");
  if (topUp) {
    const full = opts.fullStakePerNode * BigInt(topUp.nodes.length);
    if (full > topUp.stake)
      stakeChanges.push({ operator: topUp.index, kind: "topUp", amount: full - topUp.stake });
  }
  // It unstakes down to half the full stake, so its boost drops to 1.5x from epoch 1 on.
  const unstake = operators.find((o) => o.stakePlan === "over" || o.stakePlan === "full");
  if (unstake) {
    const half = (opts.fullStakePerNode * BigInt(unstake.nodes.length)) / 2n;
    stakeChanges.push({ operator: unstake.index, kind: "unstake", amount: unstake.stake - half });
  }
  for (const op of operators) {
    const extra = stakeChanges
      .filter((c) => c.operator === op.index && c.kind === "topUp")
      .reduce((s, c) => s + c.amount, 0n);
    op.funding = op.stake + extra + 10n * MSN;
  }

  // Clients: gateways owned by businesses that run no nodes; a metered client with a small quota; a
  // client owned by a (household) operator, which may pay other operators' nodes but not its owner's;
  // a client the oracle operator disabled.
  const gateways = Math.min(12, Math.max(3, Math.round(opts.nodes / 25)));
  const clients: SimClient[] = [];
  const addClient = (kind: ClientKind, owner: Hex, quota: number) =>
    clients.push({ ...deriveKey(seed, "client", clients.length), index: clients.length, kind, owner, quota });
  for (let j = 0; j < gateways; j++)
    addClient("gateway", deriveKey(seed, "client-owner", j).address, LARGE_QUOTA);
  addClient("metered", deriveKey(seed, "client-owner", gateways).address, METERED_QUOTA);
  const selfDealer = operators.find((o) => o.profile === "household") ?? operators[0]!;
  addClient("self-dealing", selfDealer.address, LARGE_QUOTA);
  addClient("disabled", deriveKey(seed, "client-owner", gateways + 1).address, LARGE_QUOTA);

  return {
    seed,
    operators,
    nodes,
    clients,
    relayer: deriveKey(seed, "relayer", 0),
    strangerNode: deriveKey(seed, "stranger-node", 0),
    strangerClient: deriveKey(seed, "stranger-client", 0),
    overloadedNode: nodes.find((n) => n.profile === "datacenter"),
    stakeChanges,
    fullStakePerNode: opts.fullStakePerNode,
  };
}

/** The operator that owns the self-dealing client. */
export function selfDealingOwner(world: World): SimOperator {
  const client = world.clients.find((c) => c.kind === "self-dealing")!;
  return world.operators.find((o) => o.address === client.owner)!;
}
