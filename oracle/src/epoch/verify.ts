/**
 * Recomputes an epoch from its bundle alone (what `oracle verify-epoch <bundle>` runs) and lists every
 * discrepancy precisely. Optional extra evidence: the counted receipt set ({@link ReceiptSetSummary}), the
 * previous epoch's bundle ({@link verifyBundleChain}) and the on-chain proposal ({@link compareWithChain}).
 */
import { BPS } from "./boost.js";
import { type EpochBundle, validateBundle } from "./bundle.js";
import { type Address, type Hash, ZERO_HASH } from "./encoding.js";
import { treeLeaves } from "./epoch.js";
import { buildRewardsTree } from "./merkle.js";
import { EMPTY_RECEIPTS_HASH, type ReceiptSetSummary } from "./receiptsHash.js";
import { type EpochRewardsResult, type NodeRow, type OperatorRow, splitRewards } from "./rewards.js";

export type DiscrepancyKind =
  "format" | "header" | "node" | "operator" | "total" | "root" | "receipts" | "chain" | "previous";

export interface Discrepancy {
  kind: DiscrepancyKind;
  /** The address or field concerned. */
  subject: string;
  message: string;
}

export interface VerifyOptions {
  /** The counted receipt set, when the verifier has the receipts (see `createReceiptSetBuilder`). */
  receipts?: ReceiptSetSummary;
  /** Stop listing after this many discrepancies (the rest are only counted). Default 1000. */
  maxDiscrepancies?: number;
}

export interface VerifyReport {
  ok: boolean;
  discrepancies: Discrepancy[];
  /** Discrepancies found beyond `maxDiscrepancies`. */
  omitted: number;
  /** What the bundle's inputs give (undefined when the inputs could not be evaluated). */
  recomputed?: { root: Hash; total: bigint; carryOut: bigint; totalWeight: bigint; leafCount: number };
}

class Collector {
  readonly list: Discrepancy[] = [];
  omitted = 0;
  constructor(private readonly max: number) {}
  add(kind: DiscrepancyKind, subject: string, message: string): void {
    if (this.list.length < this.max) this.list.push({ kind, subject, message });
    else this.omitted += 1;
  }
  /** Adds "<label> X in bundle, Y <source>" when the values differ. */
  compare(
    kind: DiscrepancyKind,
    subject: string,
    label: string,
    inBundle: unknown,
    other: unknown,
    source = "recomputed",
  ): void {
    if (inBundle !== other)
      this.add(kind, subject, `${label} ${show(inBundle)} in bundle, ${show(other)} ${source}`);
  }
}

function show(value: unknown): string {
  return value === null ? "null" : String(value);
}

/** Recomputes caps, sums, boosts, weights, rewards, carry, cumulative totals, root and total from the bundle. */
export async function verifyBundle(bundle: EpochBundle, options: VerifyOptions = {}): Promise<VerifyReport> {
  const out = new Collector(options.maxDiscrepancies ?? 1000);
  try {
    validateBundle(bundle);
  } catch (err) {
    out.add("format", "bundle", (err as Error).message);
    return report(out);
  }
  const b = bundle;

  // Header facts that need no computation.
  if (b.epochEnd <= b.epochStart)
    out.add("header", "epochEnd", `epochEnd ${b.epochEnd} is not after epochStart ${b.epochStart}`);
  out.compare(
    "header",
    "snapshotTime",
    "snapshotTime",
    b.snapshotTime,
    b.epochEnd - 1,
    "expected (epochEnd − 1)",
  );
  if ((b.receipts.count === 0) !== (b.receipts.hash === EMPTY_RECEIPTS_HASH)) {
    out.add(
      "receipts",
      "receipts",
      `receipts: count ${b.receipts.count} does not fit hash ${b.receipts.hash}`,
    );
  }
  if (b.receipts.count < b.nodes.length) {
    out.add(
      "receipts",
      "receipts",
      `receipts: ${b.receipts.count} receipts cannot give bytes to ${b.nodes.length} nodes`,
    );
  }
  let evaluable = true;
  if (b.boostParams.maxBoostBps < BPS) {
    out.add("header", "boostParams", `boostParams.maxBoostBps ${b.boostParams.maxBoostBps} is below 10000`);
    evaluable = false;
  }
  if (b.boostParams.fullStakePerNode === 0n) {
    out.add("header", "boostParams", "boostParams.fullStakePerNode is 0");
    evaluable = false;
  }
  if (b.nodeCapBytes === 0n) {
    out.add("header", "nodeCapBytes", "nodeCapBytes is 0");
    evaluable = false;
  }

  // Node rows: only nodes with traffic are listed, capped at the node cap. (Rows are sorted and unique:
  // validateBundle checked that.) A row with a wrong cap is replaced by a corrected copy for the recomputation.
  const nodeRows: NodeRow[] = [];
  for (let i = 0; i < b.nodes.length; i++) {
    const row = b.nodes[i]!;
    if (row.bytes === 0n) {
      out.add("node", row.node, `node ${row.node}: listed with 0 bytes`);
      continue;
    }
    const capped = row.bytes < b.nodeCapBytes ? row.bytes : b.nodeCapBytes;
    if (row.cappedBytes === capped) nodeRows.push(row);
    else {
      out.compare("node", row.node, `node ${row.node}: cappedBytes`, row.cappedBytes, capped);
      nodeRows.push({ ...row, cappedBytes: capped });
    }
  }
  if (options.receipts !== undefined) checkReceipts(b, options.receipts, out);
  if (!evaluable) return report(out);

  // Recompute from the inputs: node bytes, stakes, previous cumulative, emission, carry-in, parameters.
  const listed = b.operators;
  const previous: { addresses: Address[]; amounts: bigint[] } = { addresses: [], amounts: [] };
  for (const row of listed) {
    if (row.previousCumulative > 0n) {
      previous.addresses.push(row.operator);
      previous.amounts.push(row.previousCumulative);
    }
  }
  // Stakes are read in ascending operator order, so a cursor over the sorted rows replaces a map. A missing
  // row or a null stake counts as 0 here and is reported by the row comparison.
  let cursor = 0;
  const stakeOf = (operator: string): bigint => {
    while (cursor < listed.length && listed[cursor]!.operator < operator) cursor++;
    const row = listed[cursor];
    return row !== undefined && row.operator === operator ? (row.stake ?? 0n) : 0n;
  };
  let recomputed: EpochRewardsResult;
  try {
    recomputed = splitRewards(nodeRows, previous, stakeOf, b.boostParams, b.emission, b.carryIn);
  } catch (err) {
    out.add("total", "rewards", `the bundle's inputs cannot be evaluated: ${(err as Error).message}`);
    return report(out);
  }

  const rowsMatch = compareOperators(b.operators, recomputed.operators, out);
  out.compare("total", "totalWeight", "totalWeight", b.totalWeight, recomputed.totalWeight);
  out.compare("total", "carryOut", "carryOut", b.carryOut, recomputed.carryOut);
  out.compare("total", "total", "total", b.total, recomputed.total);

  const leaves = treeLeaves(recomputed.operators);
  const tree = await buildRewardsTree(leaves.accounts, leaves.amounts);
  if (tree.root !== b.root) {
    let detail = "";
    if (!rowsMatch) {
      // Tell whether the listed root at least commits to the listed (wrong) cumulative column.
      const listed = treeLeaves(b.operators);
      const listedTree = await buildRewardsTree(listed.accounts, listed.amounts);
      detail =
        listedTree.root === b.root
          ? " (it is the root of the bundle's own cumulative column, which is wrong)"
          : " (nor is it the root of the bundle's own cumulative column)";
    }
    out.add("root", "root", `root ${b.root} in bundle, ${tree.root} recomputed${detail}`);
  }
  return report(out, {
    root: tree.root,
    total: recomputed.total,
    carryOut: recomputed.carryOut,
    totalWeight: recomputed.totalWeight,
    leafCount: tree.leafCount,
  });
}

function report(out: Collector, recomputed?: VerifyReport["recomputed"]): VerifyReport {
  const result: VerifyReport = { ok: out.list.length === 0, discrepancies: out.list, omitted: out.omitted };
  if (recomputed !== undefined) result.recomputed = recomputed;
  return result;
}

/** Merge-walks the two address-sorted row lists; returns true when they agree exactly. */
function compareOperators(
  listed: readonly OperatorRow[],
  computed: readonly OperatorRow[],
  out: Collector,
): boolean {
  const before = out.list.length + out.omitted;
  let i = 0;
  let j = 0;
  while (i < listed.length || j < computed.length) {
    const a = listed[i];
    const c = computed[j];
    if (c === undefined || (a !== undefined && a.operator < c.operator)) {
      out.add(
        "operator",
        a!.operator,
        `operator ${a!.operator}: listed, but has no traffic and no previous cumulative`,
      );
      i++;
      continue;
    }
    if (a === undefined || c.operator < a.operator) {
      out.add(
        "operator",
        c.operator,
        `operator ${c.operator}: missing from the bundle (cumulative ${c.cumulative})`,
      );
      j++;
      continue;
    }
    const who = a.operator;
    const hasTraffic = c.nodes > 0;
    if (hasTraffic && a.stake === null) out.add("operator", who, `operator ${who}: has traffic but no stake`);
    out.compare("operator", who, `operator ${who}: nodes`, a.nodes, c.nodes);
    out.compare("operator", who, `operator ${who}: cappedBytes`, a.cappedBytes, c.cappedBytes);
    if (a.stake !== null && !hasTraffic) {
      out.add(
        "operator",
        who,
        `operator ${who}: stake ${a.stake} in bundle for an account without traffic (must be null)`,
      );
    }
    out.compare("operator", who, `operator ${who}: boostBps`, a.boostBps, c.boostBps);
    out.compare("operator", who, `operator ${who}: weight`, a.weight, c.weight);
    out.compare("operator", who, `operator ${who}: reward`, a.reward, c.reward);
    out.compare("operator", who, `operator ${who}: cumulative`, a.cumulative, c.cumulative);
    i++;
    j++;
  }
  return out.list.length + out.omitted === before;
}

function checkReceipts(b: EpochBundle, receipts: ReceiptSetSummary, out: Collector): void {
  out.compare("receipts", "receipts", "receipts count", b.receipts.count, receipts.count, "in the receipts");
  if (b.receipts.hash !== receipts.hash) {
    out.add(
      "receipts",
      "receipts",
      `receipts hash mismatch: ${b.receipts.hash} in bundle, ${receipts.hash} from the receipts`,
    );
  }
  const listed = new Set<string>();
  for (const row of b.nodes) {
    listed.add(row.node);
    const summed = receipts.bytesPerNode.get(row.node) ?? 0n;
    out.compare("receipts", row.node, `node ${row.node}: bytes`, row.bytes, summed, "in the receipts");
  }
  for (const [node, bytes] of receipts.bytesPerNode) {
    if (bytes > 0n && !listed.has(node))
      out.add("receipts", node, `node ${node}: ${bytes} bytes in the receipts, not in the bundle`);
  }
}

/** The on-chain proposal of an epoch (`RewardsDistributor` pending or accepted root) and chain facts. */
export interface OnChainEpoch {
  root: string;
  total: bigint;
  dataHash: string;
  /**
   * Optional: `EmissionMinter.emitted(epochEnd)`, everything emitted through the epoch. For an oracle that
   * has run since genesis, `total + carryOut` must equal it exactly (every emitted wei is either in some
   * account's cumulative amount or carried).
   */
  emittedThroughEpoch?: bigint;
}

/** Compares a bundle (and its hash) with what was proposed on chain for its epoch. */
export function compareWithChain(
  bundle: EpochBundle,
  bundleHash: Hash,
  onChain: OnChainEpoch,
): Discrepancy[] {
  const out = new Collector(Number.MAX_SAFE_INTEGER);
  if (onChain.root.toLowerCase() !== bundle.root)
    out.add("chain", "root", `root ${bundle.root} in bundle, ${onChain.root} on chain`);
  out.compare("chain", "total", "total", bundle.total, onChain.total, "on chain");
  if (onChain.dataHash.toLowerCase() !== bundleHash) {
    out.add("chain", "dataHash", `bundle hash ${bundleHash}, dataHash ${onChain.dataHash} on chain`);
  }
  if (onChain.emittedThroughEpoch !== undefined) {
    const accounted = bundle.total + bundle.carryOut;
    out.compare(
      "chain",
      "emitted",
      "total + carryOut",
      accounted,
      onChain.emittedThroughEpoch,
      "emitted through the epoch on chain",
    );
  }
  return out.list;
}

/**
 * Checks that `current` continues `previous` (whose exact-bytes hash is `previousHash`): same deployment,
 * next epoch, carry-in = previous carry-out, and every account's previous cumulative = its cumulative there.
 */
export function verifyBundleChain(
  previous: EpochBundle,
  previousHash: Hash,
  current: EpochBundle,
): Discrepancy[] {
  const out = new Collector(1000);
  const from = "from the previous bundle";
  out.compare(
    "previous",
    "previousBundleHash",
    "previousBundleHash",
    current.previousBundleHash,
    previousHash,
    from,
  );
  out.compare("previous", "epoch", "epoch", current.epoch, previous.epoch + 1, "expected (previous + 1)");
  out.compare(
    "previous",
    "epochStart",
    "epochStart",
    current.epochStart,
    previous.epochEnd,
    "expected (previous epochEnd)",
  );
  for (const key of ["chainId", "distributor", "staking", "minter"] as const) {
    out.compare("previous", key, key, current[key], previous[key], from);
  }
  out.compare(
    "previous",
    "carryIn",
    "carryIn",
    current.carryIn,
    previous.carryOut,
    "expected (previous carryOut)",
  );
  const was = previous.operators.filter((r) => r.cumulative > 0n);
  const now = current.operators.filter((r) => r.previousCumulative > 0n);
  let i = 0;
  let j = 0;
  while (i < was.length || j < now.length) {
    const p = was[i];
    const c = now[j];
    if (c === undefined || (p !== undefined && p.operator < c.operator)) {
      out.add(
        "previous",
        p!.operator,
        `operator ${p!.operator}: cumulative ${p!.cumulative} last epoch, missing now`,
      );
      i++;
    } else if (p === undefined || c.operator < p.operator) {
      out.add(
        "previous",
        c.operator,
        `operator ${c.operator}: previousCumulative ${c.previousCumulative}, not in the previous bundle`,
      );
      j++;
    } else {
      const label = `operator ${c.operator}: previousCumulative`;
      out.compare(
        "previous",
        c.operator,
        label,
        c.previousCumulative,
        p.cumulative,
        "expected (cumulative in the previous bundle)",
      );
      i++;
      j++;
    }
  }
  return out.list;
}

/** Checks the first epoch an oracle publishes: no previous bundle, nothing carried, nothing earned before. */
export function verifyFirstBundle(bundle: EpochBundle): Discrepancy[] {
  const out = new Collector(1000);
  out.compare(
    "previous",
    "previousBundleHash",
    "previousBundleHash",
    bundle.previousBundleHash,
    ZERO_HASH,
    "expected",
  );
  out.compare("previous", "carryIn", "carryIn", bundle.carryIn, 0n, "expected");
  for (const row of bundle.operators) {
    if (row.previousCumulative !== 0n)
      out.add("previous", row.operator, `operator ${row.operator}: previousCumulative in the first epoch`);
  }
  return out.list;
}
