/**
 * The epoch's reward arithmetic (SPEC §6 "Epoch job"), pure and exact:
 *
 * 1. cap each node's accepted bytes at `nodeCapBytes`;
 * 2. per operator: `nodes` = nodes with bytes > 0, `cappedBytes` = Σ capped node bytes;
 * 3. `boostBps` from the operator's stake at the snapshot (SPEC §4, same formula as the chain);
 * 4. `weight = cappedBytes × boostBps`, `W = Σ weight`;
 * 5. `E = emission + carryIn`; `reward = floor(E × weight / W)`; `carryOut = E − Σ reward`
 *    (W = 0, an epoch without traffic: every reward is 0 and all of E carries);
 * 6. `cumulative = previousCumulative + reward`.
 *
 * The result lists every account of the epoch's tree: operators with traffic, plus every account with a
 * previous cumulative > 0 (they keep their unchanged cumulative so they can still claim). Rows are sorted
 * by lowercase address (node rows by node address), so the output is a function of the input set alone.
 */
import { BPS, type BoostParams, boostBpsUnchecked, checkBoostParams } from "./boost.js";
import {
  type Address,
  EpochInputError,
  MAX_UINT256,
  addressOrder,
  checkUint256,
  describe,
  normalizeAddress,
} from "./encoding.js";

/** Accepted bytes of one node in the epoch (the aggregate of its counted receipts). */
export interface NodeTraffic {
  node: string;
  /** The operator the node is registered to (receives its rewards). */
  operator: string;
  /** Accepted bytes, before the cap. Nodes with 0 bytes may be given; they are left out of the result. */
  bytes: bigint;
}

export interface EpochRewardsInput {
  nodes: readonly NodeTraffic[];
  /** Per-node byte cap for the epoch (> 0). */
  nodeCapBytes: bigint;
  /**
   * Active stake (wei) at the snapshot `epochEnd − 1`, for every operator with traffic (required: a
   * missing entry is an error, not a silent 0). Entries for other addresses are ignored.
   */
  stakes: ReadonlyMap<string, bigint>;
  boostParams: BoostParams;
  /** `epochEmission(e)` (wei). */
  emission: bigint;
  /** The previous epoch's carryOut (wei). */
  carryIn: bigint;
  /** Cumulative reward per account through the previous epoch (entries of 0 are ignored). */
  previousCumulative: ReadonlyMap<string, bigint>;
}

export interface NodeRow {
  node: Address;
  operator: Address;
  bytes: bigint;
  cappedBytes: bigint;
}

export interface OperatorRow {
  operator: Address;
  /** Nodes of this operator with bytes > 0 this epoch (the boost's n). */
  nodes: number;
  cappedBytes: bigint;
  /** Stake at the snapshot; null for an account without traffic this epoch (its stake is not used). */
  stake: bigint | null;
  boostBps: bigint;
  weight: bigint;
  reward: bigint;
  previousCumulative: bigint;
  cumulative: bigint;
}

export interface EpochRewardsResult {
  /** Nodes with bytes > 0, sorted by node address. */
  nodes: NodeRow[];
  /** Every account of the epoch's tree, sorted by address. */
  operators: OperatorRow[];
  totalWeight: bigint;
  /** E = emission + carryIn. */
  distributable: bigint;
  /** Σ reward. */
  totalReward: bigint;
  /** E − Σ reward, carried to the next epoch. */
  carryOut: bigint;
  /** Σ cumulative over `operators`: the tree's `total`. */
  total: bigint;
}

/** Computes one epoch's rewards. Throws {@link EpochInputError} (and computes nothing) on bad input. */
export function computeEpochRewards(input: EpochRewardsInput): EpochRewardsResult {
  const cap = input.nodeCapBytes;
  if (typeof cap !== "bigint" || cap <= 0n) throw new EpochInputError(`nodeCapBytes must be a bigint > 0`);
  checkBoostParams(input.boostParams);
  const emission = checkUint256(input.emission, "emission");
  const carryIn = checkUint256(input.carryIn, "carryIn");
  const { maxBoostBps, fullStakePerNode } = input.boostParams;

  // 1. Nodes: validate, sort by node (which also exposes duplicates), cap.
  const count = input.nodes.length;
  const nodeAddresses: Address[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const entry = input.nodes[i]!;
    nodeAddresses[i] = normalizeAddress(entry.node, `nodes[${i}].node`);
    const bytes = entry.bytes;
    if (typeof bytes !== "bigint" || bytes < 0n || bytes > MAX_UINT256) {
      throw new EpochInputError(`nodes[${i}].bytes: expected a uint256 bigint, got ${describe(bytes)}`);
    }
  }
  const byNode = addressOrder(nodeAddresses);
  const nodeRows: NodeRow[] = [];
  for (let k = 0; k < count; k++) {
    const i = byNode[k]!;
    const node = nodeAddresses[i]!;
    if (k > 0 && node === nodeAddresses[byNode[k - 1]!]) throw new EpochInputError(`nodes: node ${node} is listed twice`);
    const entry = input.nodes[i]!;
    const operator = normalizeAddress(entry.operator, `nodes[${i}].operator`);
    const bytes = entry.bytes;
    if (bytes === 0n) continue;
    nodeRows.push({ node, operator, bytes, cappedBytes: bytes < cap ? bytes : cap });
  }

  // 2. Operators with traffic: group the node rows by operator.
  const byOperator = addressOrder(nodeRows.map((r) => r.operator));
  const trafficOperators: Address[] = [];
  const trafficNodes: number[] = [];
  const trafficBytes: bigint[] = [];
  for (let k = 0; k < byOperator.length; ) {
    const first = nodeRows[byOperator[k]!]!;
    let nodes = 0;
    let cappedBytes = 0n;
    for (; k < byOperator.length && nodeRows[byOperator[k]!]!.operator === first.operator; k++) {
      nodes += 1;
      cappedBytes += nodeRows[byOperator[k]!]!.cappedBytes;
    }
    trafficOperators.push(first.operator);
    trafficNodes.push(nodes);
    trafficBytes.push(cappedBytes);
  }

  // Accounts with a previous cumulative > 0, sorted.
  const previous = sortedEntries(input.previousCumulative, "previousCumulative");
  const stakes = lowercaseKeys(input.stakes, "stakes");

  // 3–4. Merge both sorted lists into the tree's accounts; boost and weight for those with traffic.
  const rows: OperatorRow[] = [];
  let totalWeight = 0n;
  let t = 0;
  let p = 0;
  while (t < trafficOperators.length || p < previous.addresses.length) {
    const traffic = trafficOperators[t];
    const prior = previous.addresses[p];
    if (traffic === undefined || (prior !== undefined && prior < traffic)) {
      const previousCumulative = previous.amounts[p++]!;
      rows.push({
        operator: prior!,
        nodes: 0,
        cappedBytes: 0n,
        stake: null,
        boostBps: BPS,
        weight: 0n,
        reward: 0n,
        previousCumulative,
        cumulative: previousCumulative,
      });
      continue;
    }
    let previousCumulative = 0n;
    if (prior === traffic) previousCumulative = previous.amounts[p++]!;
    const stake = stakes.get(traffic);
    if (stake === undefined) {
      throw new EpochInputError(`stakes: no stake given for operator ${traffic}, which has traffic this epoch`);
    }
    const nodes = trafficNodes[t]!;
    const cappedBytes = trafficBytes[t]!;
    t++;
    const boost = boostBpsUnchecked(stake, nodes, maxBoostBps, fullStakePerNode);
    const weight = cappedBytes * boost;
    totalWeight += weight;
    rows.push({
      operator: traffic,
      nodes,
      cappedBytes,
      stake,
      boostBps: boost,
      weight,
      reward: 0n,
      previousCumulative,
      cumulative: previousCumulative,
    });
  }

  // 5–6. Pro-rata split with floor division; the remainder carries.
  const distributable = emission + carryIn;
  let totalReward = 0n;
  let total = 0n;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.weight > 0n) {
      const reward = (distributable * row.weight) / totalWeight;
      row.reward = reward;
      row.cumulative = row.previousCumulative + reward;
      totalReward += reward;
    }
    if (row.cumulative > MAX_UINT256) {
      throw new EpochInputError(`operator ${row.operator}: cumulative ${row.cumulative} exceeds uint256`);
    }
    total += row.cumulative;
  }
  return {
    nodes: nodeRows,
    operators: rows,
    totalWeight,
    distributable,
    totalReward,
    carryOut: distributable - totalReward,
    total,
  };
}

function checkMap(map: ReadonlyMap<string, bigint>, what: string): void {
  if (!(map instanceof Map)) throw new EpochInputError(`${what}: expected a Map of address to bigint`);
}

function checkValue(value: unknown, what: string, address: string): void {
  if (typeof value !== "bigint" || value < 0n || value > MAX_UINT256) {
    throw new EpochInputError(`${what}[${address}]: expected a uint256 bigint, got ${describe(value)}`);
  }
}

/** Validates a map of address → uint256; returns it as is when its keys are lowercase, else a lowercase copy. */
function lowercaseKeys(map: ReadonlyMap<string, bigint>, what: string): ReadonlyMap<string, bigint> {
  checkMap(map, what);
  let copy: Map<string, bigint> | undefined;
  for (const [key, value] of map) {
    const address = normalizeAddress(key, `${what} key`);
    checkValue(value, what, address);
    if (address !== key && copy === undefined) copy = new Map();
  }
  if (copy === undefined) return map;
  for (const [key, value] of map) {
    const address = key.toLowerCase();
    if (copy.has(address)) throw new EpochInputError(`${what}: address ${address} is given twice (letter case)`);
    copy.set(address, value);
  }
  return copy;
}

/** The entries with a value > 0 of a map of address → uint256, sorted by lowercase address. */
function sortedEntries(map: ReadonlyMap<string, bigint>, what: string): { addresses: Address[]; amounts: bigint[] } {
  checkMap(map, what);
  const keys: Address[] = [];
  const values: bigint[] = [];
  for (const [key, value] of map) {
    const address = normalizeAddress(key, `${what} key`);
    checkValue(value, what, address);
    if (value === 0n) continue;
    keys.push(address);
    values.push(value);
  }
  const order = addressOrder(keys);
  const addresses: Address[] = new Array(order.length);
  const amounts: bigint[] = new Array(order.length);
  for (let k = 0; k < order.length; k++) {
    addresses[k] = keys[order[k]!]!;
    amounts[k] = values[order[k]!]!;
    if (k > 0 && addresses[k] === addresses[k - 1]) {
      throw new EpochInputError(`${what}: address ${addresses[k]} is given twice (letter case)`);
    }
  }
  return { addresses, amounts };
}
