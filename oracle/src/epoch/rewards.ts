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
  addressKey,
  addressOrderByKeys,
  lowerAddressKey,
  checkUint256,
  compareKeyed,
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
   * missing entry is an error, not a silent 0). Keys in any letter case. Entries for other addresses are
   * ignored (and not validated).
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
  const { rows, operatorKeys } = nodeRowsOf(input.nodes, cap);
  const previous = sortedEntries(input.previousCumulative, "previousCumulative");
  const stakeOf = stakeLookup(input.stakes, "stakes");
  return splitRewards(rows, previous, stakeOf, input.boostParams, emission, carryIn, operatorKeys);
}

/**
 * {@link computeEpochRewards} with the previous cumulative amounts given as {@link SortedAmounts} instead of a
 * Map: the epoch job reads them already sorted from the previous epoch's stored leaves, and at a million
 * accounts a Map plus its sorted copy cost ~300 MB and seconds. The arrays are validated (lowercase addresses,
 * strictly ascending, uint256 amounts > 0) in one pass; the result is the same as with the equivalent Map.
 */
export function computeEpochRewardsSorted(
  input: Omit<EpochRewardsInput, "previousCumulative">,
  previous: SortedAmounts,
): EpochRewardsResult {
  const cap = input.nodeCapBytes;
  if (typeof cap !== "bigint" || cap <= 0n) throw new EpochInputError(`nodeCapBytes must be a bigint > 0`);
  checkBoostParams(input.boostParams);
  const emission = checkUint256(input.emission, "emission");
  const carryIn = checkUint256(input.carryIn, "carryIn");
  const { addresses, amounts } = previous;
  if (!Array.isArray(addresses) || !Array.isArray(amounts) || addresses.length !== amounts.length) {
    throw new EpochInputError("previous: expected equal-length arrays of addresses and amounts");
  }
  const keys = new Uint32Array(addresses.length);
  for (let i = 0; i < addresses.length; i++) {
    const address = addresses[i]!;
    const key = lowerAddressKey(address);
    if (key < 0) throw new EpochInputError(`previous[${i}]: not a lowercase address: ${describe(address)}`);
    if (i > 0 && compareKeyed(addresses[i - 1]!, keys[i - 1]!, address, key) >= 0) {
      throw new EpochInputError(`previous: addresses must be strictly ascending (at index ${i})`);
    }
    const amount = amounts[i];
    if (typeof amount !== "bigint" || amount <= 0n || amount > MAX_UINT256) {
      throw new EpochInputError(
        `previous[${address}]: expected a uint256 bigint > 0, got ${describe(amount)}`,
      );
    }
    keys[i] = key;
  }
  const { rows, operatorKeys } = nodeRowsOf(input.nodes, cap);
  const stakeOf = stakeLookup(input.stakes, "stakes");
  return splitRewards(
    rows,
    { addresses, amounts, keys },
    stakeOf,
    input.boostParams,
    emission,
    carryIn,
    operatorKeys,
  );
}

/** Cumulative amounts per account through the previous epoch, ascending by (lowercase) address, all > 0. */
export interface SortedAmounts {
  addresses: readonly Address[];
  amounts: readonly bigint[];
  /** `addressKey` of each address (computed when absent). */
  keys?: Uint32Array;
}

/**
 * Steps 2–6 on prepared inputs (for callers whose inputs are already validated and sorted, such as
 * {@link verifyBundle} reading a parsed bundle): `nodeRows` sorted by node with bytes > 0 and capped,
 * `previous` as {@link SortedAmounts}, and `stakeOf`, called once per operator with traffic, in ascending
 * order. Parameters are not re-checked here. `operatorKeys[k]` = `addressKey(nodeRows[k].operator)` if known.
 *
 * The loops below touch the row objects in their memory order and compare addresses by their 32-bit keys
 * first: at a million rows, cache misses from random object access, not arithmetic, dominate the time.
 */
export function splitRewards(
  nodeRows: NodeRow[],
  previous: SortedAmounts,
  stakeOf: (operator: Address) => bigint | undefined,
  boostParams: BoostParams,
  emission: bigint,
  carryIn: bigint,
  operatorKeys?: Uint32Array,
): EpochRewardsResult {
  const { maxBoostBps, fullStakePerNode } = boostParams;

  // 2. Operators with traffic: group the node rows by operator.
  const m = nodeRows.length;
  const operators: Address[] = new Array(m);
  const capped: bigint[] = new Array(m);
  let opKeys = operatorKeys;
  if (opKeys === undefined) {
    opKeys = new Uint32Array(m);
    for (let k = 0; k < m; k++) opKeys[k] = addressKey(nodeRows[k]!.operator);
  }
  for (let k = 0; k < m; k++) {
    const row = nodeRows[k]!;
    operators[k] = row.operator;
    capped[k] = row.cappedBytes;
  }
  const byOperator = addressOrderByKeys(operators, opKeys);
  const trafficOperators: Address[] = [];
  const trafficKeys = new Uint32Array(m);
  const trafficNodes: number[] = [];
  const trafficBytes: bigint[] = [];
  for (let k = 0; k < m;) {
    const first = byOperator[k]!;
    const operator = operators[first]!;
    const key = opKeys[first]!;
    let nodes = 1;
    let cappedBytes = capped[first]!;
    for (k++; k < m; k++) {
      const i = byOperator[k]!;
      if (opKeys[i] !== key || operators[i] !== operator) break;
      nodes += 1;
      cappedBytes += capped[i]!;
    }
    trafficKeys[trafficOperators.length] = key;
    trafficOperators.push(operator);
    trafficNodes.push(nodes);
    trafficBytes.push(cappedBytes);
  }
  const prior = previous.addresses;
  let priorKeys = previous.keys;
  if (priorKeys === undefined) {
    priorKeys = new Uint32Array(prior.length);
    for (let i = 0; i < prior.length; i++) priorKeys[i] = addressKey(prior[i]!);
  }

  // 3–4. Merge both sorted lists into the tree's accounts; boost and weight for those with traffic.
  const rows: OperatorRow[] = [];
  let totalWeight = 0n;
  let t = 0;
  let p = 0;
  const trafficCount = trafficOperators.length;
  while (t < trafficCount || p < prior.length) {
    const order =
      t === trafficCount
        ? 1
        : p === prior.length
          ? -1
          : compareKeyed(trafficOperators[t]!, trafficKeys[t]!, prior[p]!, priorKeys[p]!);
    if (order > 0) {
      const previousCumulative = previous.amounts[p]!;
      rows.push({
        operator: prior[p]!,
        nodes: 0,
        cappedBytes: 0n,
        stake: null,
        boostBps: BPS,
        weight: 0n,
        reward: 0n,
        previousCumulative,
        cumulative: previousCumulative,
      });
      p++;
      continue;
    }
    const operator = trafficOperators[t]!;
    let previousCumulative = 0n;
    if (order === 0) previousCumulative = previous.amounts[p++]!;
    const stake = stakeOf(operator);
    if (stake === undefined) {
      throw new EpochInputError(
        `stakes: no stake given for operator ${operator}, which has traffic this epoch`,
      );
    }
    const nodes = trafficNodes[t]!;
    const cappedBytes = trafficBytes[t]!;
    t++;
    const boost = boostBpsUnchecked(stake, nodes, maxBoostBps, fullStakePerNode);
    const weight = cappedBytes * boost;
    totalWeight += weight;
    rows.push({
      operator,
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
  if (totalWeight > MAX_UINT256 || distributable > MAX_UINT256) {
    // Only absurd parameters get here (a node cap near 2^240); the bundle could not record such values.
    throw new EpochInputError(
      `total weight ${totalWeight} or emission + carryIn ${distributable} exceeds uint256`,
    );
  }
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

/**
 * Step 1: validates the nodes (one pass in input order), sorts them by node (exposing duplicates), drops
 * 0-byte ones and caps. Returns the rows and the `addressKey` of each row's operator.
 */
function nodeRowsOf(
  entries: readonly NodeTraffic[],
  cap: bigint,
): { rows: NodeRow[]; operatorKeys: Uint32Array } {
  if (!Array.isArray(entries)) throw new EpochInputError("nodes: expected an array");
  const count = entries.length;
  const nodes: Address[] = new Array(count);
  const operators: Address[] = new Array(count);
  const bytes: bigint[] = new Array(count);
  const capped: (bigint | undefined)[] = new Array(count); // undefined: 0 bytes, left out
  const nodeKeys = new Uint32Array(count);
  const opKeys = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const entry = entries[i]!;
    if (typeof entry !== "object" || entry === null) {
      throw new EpochInputError(`nodes[${i}]: expected {node, operator, bytes}, got ${describe(entry)}`);
    }
    let nodeKey = lowerAddressKey(entry.node);
    let opKey = lowerAddressKey(entry.operator);
    const node = nodeKey >= 0 ? (entry.node as Address) : normalizeAddress(entry.node, `nodes[${i}].node`);
    const operator =
      opKey >= 0 ? (entry.operator as Address) : normalizeAddress(entry.operator, `nodes[${i}].operator`);
    if (nodeKey < 0) nodeKey = addressKey(node);
    if (opKey < 0) opKey = addressKey(operator);
    const b = entry.bytes;
    if (typeof b !== "bigint" || b < 0n || b > MAX_UINT256) {
      throw new EpochInputError(`nodes[${i}].bytes: expected a uint256 bigint, got ${describe(b)}`);
    }
    nodes[i] = node;
    operators[i] = operator;
    bytes[i] = b;
    capped[i] = b === 0n ? undefined : b < cap ? b : cap;
    nodeKeys[i] = nodeKey;
    opKeys[i] = opKey;
  }
  const byNode = addressOrderByKeys(nodes, nodeKeys);
  const rows: NodeRow[] = [];
  const operatorKeys = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    const i = byNode[k]!;
    if (k > 0) {
      const before = byNode[k - 1]!;
      if (nodeKeys[i] === nodeKeys[before] && nodes[i] === nodes[before]) {
        throw new EpochInputError(`nodes: node ${nodes[i]} is listed twice`);
      }
    }
    const cappedBytes = capped[i];
    if (cappedBytes === undefined) continue;
    operatorKeys[rows.length] = opKeys[i]!;
    rows.push({ node: nodes[i]!, operator: operators[i]!, bytes: bytes[i]!, cappedBytes });
  }
  return { rows, operatorKeys: operatorKeys.subarray(0, rows.length) };
}

function checkMap(map: ReadonlyMap<string, bigint>, what: string): void {
  if (!(map instanceof Map)) throw new EpochInputError(`${what}: expected a Map of address to bigint`);
}

function checkValue(value: unknown, what: string, address: string): void {
  if (typeof value !== "bigint" || value < 0n || value > MAX_UINT256) {
    throw new EpochInputError(`${what}[${address}]: expected a uint256 bigint, got ${describe(value)}`);
  }
}

/**
 * A stake lookup by lowercase operator address. Only the entries looked up are validated (the others are
 * ignored, as documented); a map keyed by checksummed addresses is copied to lowercase keys on the first miss.
 */
function stakeLookup(
  map: ReadonlyMap<string, bigint>,
  what: string,
): (operator: Address) => bigint | undefined {
  checkMap(map, what);
  let lower: ReadonlyMap<string, bigint> = map;
  let copied = false;
  return (operator) => {
    let value = lower.get(operator);
    if (value === undefined && !copied) {
      copied = true;
      const copy = new Map<string, bigint>();
      for (const [key, v] of map) {
        const address = normalizeAddress(key, `${what} key`);
        if (copy.has(address))
          throw new EpochInputError(`${what}: address ${address} is given twice (letter case)`);
        copy.set(address, v);
      }
      lower = copy;
      value = lower.get(operator);
    }
    if (value !== undefined) checkValue(value, what, operator);
    return value;
  };
}

/** The entries with a value > 0 of a map of address → uint256, sorted by lowercase address. */
function sortedEntries(map: ReadonlyMap<string, bigint>, what: string): SortedAmounts {
  checkMap(map, what);
  const found: Address[] = [];
  const values: bigint[] = [];
  for (const [key, value] of map) {
    const address = normalizeAddress(key, `${what} key`);
    checkValue(value, what, address);
    if (value === 0n) continue;
    found.push(address);
    values.push(value);
  }
  const foundKeys = new Uint32Array(found.length);
  for (let i = 0; i < found.length; i++) foundKeys[i] = addressKey(found[i]!);
  const order = addressOrderByKeys(found, foundKeys);
  const addresses: Address[] = new Array(order.length);
  const amounts: bigint[] = new Array(order.length);
  const keys = new Uint32Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    addresses[k] = found[i]!;
    amounts[k] = values[i]!;
    keys[k] = foundKeys[i]!;
    if (k > 0 && keys[k] === keys[k - 1] && addresses[k] === addresses[k - 1]) {
      throw new EpochInputError(`${what}: address ${addresses[k]} is given twice (letter case)`);
    }
  }
  return { addresses, amounts, keys };
}
