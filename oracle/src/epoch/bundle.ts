/**
 * The epoch bundle: every input and output needed to recompute an epoch's root, in one canonical JSON
 * text whose keccak256 is the `dataHash` proposed on chain. docs/BUNDLE.md documents the format.
 *
 * Canonical form (the only form {@link createBundleParser} accepts, so the hash of a valid file is the hash
 * of its content):
 * - ASCII JSON, no spaces; the header keys in the fixed order of {@link HEADER_KEYS};
 * - the header on the first line, ending with `"nodes":[`; then one node row per line; then the line
 *   `],"operators":[`; then one operator row per line; then the line `]}`; the text ends with `\n`.
 *   Rows are JSON arrays in the column order of {@link NODE_COLUMNS} / {@link OPERATOR_COLUMNS}, each row
 *   line but the last of its array ends with `,`;
 * - addresses and hashes 0x-prefixed lowercase hex; amounts, bytes, stake, boost and weights decimal
 *   strings without leading zeros; chain id, epoch, times and counts JSON integers;
 * - node rows sorted by node address, operator rows by operator address, both strictly ascending.
 */
import type { IHasher } from "hash-wasm";
import type { BoostParams } from "./boost.js";
import {
  type Address,
  EpochInputError,
  type Hash,
  MAX_UINT256,
  createKeccak256,
  describe,
  isLowerAddress,
  isLowerHash,
  toHex,
} from "./encoding.js";
import type { NodeRow, OperatorRow } from "./rewards.js";

export const BUNDLE_FORMAT = "msn-epoch-bundle/1";
export const NODE_COLUMNS = ["node", "operator", "bytes", "cappedBytes"] as const;
export const OPERATOR_COLUMNS = [
  "operator",
  "nodes",
  "cappedBytes",
  "stake",
  "boostBps",
  "weight",
  "reward",
  "previousCumulative",
  "cumulative",
] as const;
/** Header keys in canonical order (`nodes` and `operators` follow them). */
export const HEADER_KEYS = [
  "format",
  "chainId",
  "distributor",
  "staking",
  "minter",
  "epoch",
  "epochStart",
  "epochEnd",
  "snapshotTime",
  "previousBundleHash",
  "receipts",
  "boostParams",
  "nodeCapBytes",
  "emission",
  "carryIn",
  "totalWeight",
  "carryOut",
  "root",
  "total",
  "nodeCount",
  "operatorCount",
  "nodeColumns",
  "operatorColumns",
] as const;

export interface EpochBundle {
  format: typeof BUNDLE_FORMAT;
  chainId: number;
  /** RewardsDistributor, MinerStaking and EmissionMinter addresses. */
  distributor: Address;
  staking: Address;
  minter: Address;
  epoch: number;
  /** `[epochStart, epochEnd)` in unix seconds. */
  epochStart: number;
  epochEnd: number;
  /** The stake and boost-parameter snapshot instant: `epochEnd − 1`. */
  snapshotTime: number;
  /** Hash of the previous epoch's bundle (ZERO_HASH for the first epoch). */
  previousBundleHash: Hash;
  receipts: { count: number; hash: Hash };
  boostParams: BoostParams;
  nodeCapBytes: bigint;
  emission: bigint;
  carryIn: bigint;
  totalWeight: bigint;
  carryOut: bigint;
  root: Hash;
  total: bigint;
  nodes: NodeRow[];
  operators: OperatorRow[];
}

/** A bundle text that is not a valid canonical bundle. */
export class BundleFormatError extends EpochInputError {
  constructor(message: string) {
    super(message);
    this.name = "BundleFormatError";
  }
}

/* SERIALISATION */

function headerLine(b: EpochBundle): string {
  return (
    `{"format":"${b.format}","chainId":${b.chainId},"distributor":"${b.distributor}","staking":"${b.staking}",` +
    `"minter":"${b.minter}","epoch":${b.epoch},"epochStart":${b.epochStart},"epochEnd":${b.epochEnd},` +
    `"snapshotTime":${b.snapshotTime},"previousBundleHash":"${b.previousBundleHash}",` +
    `"receipts":{"count":${b.receipts.count},"hash":"${b.receipts.hash}"},` +
    `"boostParams":{"maxBoostBps":"${b.boostParams.maxBoostBps}","fullStakePerNode":"${b.boostParams.fullStakePerNode}"},` +
    `"nodeCapBytes":"${b.nodeCapBytes}","emission":"${b.emission}","carryIn":"${b.carryIn}",` +
    `"totalWeight":"${b.totalWeight}","carryOut":"${b.carryOut}","root":"${b.root}","total":"${b.total}",` +
    `"nodeCount":${b.nodes.length},"operatorCount":${b.operators.length},` +
    `"nodeColumns":${JSON.stringify(NODE_COLUMNS)},"operatorColumns":${JSON.stringify(OPERATOR_COLUMNS)},"nodes":[`
  );
}

function nodeRowText(r: NodeRow): string {
  return `["${r.node}","${r.operator}","${r.bytes}","${r.cappedBytes}"]`;
}

function operatorRowText(r: OperatorRow): string {
  const stake = r.stake === null ? "null" : `"${r.stake}"`;
  return (
    `["${r.operator}",${r.nodes},"${r.cappedBytes}",${stake},"${r.boostBps}","${r.weight}","${r.reward}",` +
    `"${r.previousCumulative}","${r.cumulative}"]`
  );
}

const NODES_TO_OPERATORS = `],"operators":[`;
const END = `]}`;
const CHUNK_BYTES = 1 << 20;

/**
 * The canonical bytes in chunks of about 1 MB (write them to a file or a hasher in order), validating each
 * row as it goes (throws {@link BundleFormatError}). A 1,000,000-operator bundle (~300 MB) never exists as
 * one string or buffer.
 */
export function* bundleChunks(bundle: EpochBundle): Generator<Buffer> {
  checkHeader(bundle);
  const { nodes, operators } = bundle;
  // One Buffer.write per row. (Joining rows into larger strings first measured slower: one more copy.)
  // Every piece is ASCII (validated hex, decimal digits, fixed punctuation), so latin1 writes it exactly.
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let at = chunk.write(headerLine(bundle), 0, "latin1");
  let previous = "";
  for (let i = 0; i < nodes.length; i++) {
    const row = nodes[i]!;
    checkNodeRow(row, "nodes", i, previous);
    previous = row.node;
    const text = i + 1 < nodes.length ? `\n${nodeRowText(row)},` : `\n${nodeRowText(row)}`;
    if (at + text.length > CHUNK_BYTES) {
      yield chunk.subarray(0, at);
      chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      at = 0;
    }
    at += chunk.write(text, at, "latin1");
  }
  previous = "";
  for (let i = -1; i <= operators.length; i++) {
    let text: string;
    if (i === -1) text = `\n${NODES_TO_OPERATORS}`;
    else if (i === operators.length) text = `\n${END}\n`;
    else {
      const row = operators[i]!;
      checkOperatorRow(row, "operators", i, previous);
      previous = row.operator;
      text = i + 1 < operators.length ? `\n${operatorRowText(row)},` : `\n${operatorRowText(row)}`;
    }
    if (at + text.length > CHUNK_BYTES) {
      yield chunk.subarray(0, at);
      chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      at = 0;
    }
    at += chunk.write(text, at, "latin1");
  }
  yield chunk.subarray(0, at);
}

/** The canonical bytes as one buffer (fine for small bundles; use {@link bundleChunks} for large ones). */
export function bundleBytes(bundle: EpochBundle): Buffer {
  return Buffer.concat(Array.from(bundleChunks(bundle)));
}

/** The canonical text as one string (small bundles only: V8 strings stop at about 512 MB). */
export function serializeBundle(bundle: EpochBundle): string {
  return bundleBytes(bundle).toString("latin1");
}

/** `keccak256` of the canonical bytes: the on-chain `dataHash`. Streams, so it works at any size. */
export async function bundleHash(bundle: EpochBundle): Promise<Hash> {
  const hasher = await createKeccak256();
  hasher.init();
  for (const chunk of bundleChunks(bundle)) hasher.update(chunk);
  return toHex(hasher.digest("binary"));
}

/* VALIDATION */

function fail(where: string, message: string): never {
  throw new BundleFormatError(`${where}: ${message}`);
}

function checkSafeInt(value: unknown, where: string, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    fail(where, `expected an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}

function isAmount(value: unknown): value is bigint {
  return typeof value === "bigint" && value >= 0n && value <= MAX_UINT256;
}

function checkAmount(value: unknown, where: string): bigint {
  if (!isAmount(value)) fail(where, `expected a uint256 amount, got ${describe(value)}`);
  return value;
}

function checkAddress(value: unknown, where: string): Address {
  if (!isLowerAddress(value)) fail(where, `expected a lowercase 0x address, got ${describe(value)}`);
  return value;
}

function checkHash(value: unknown, where: string): Hash {
  if (!isLowerHash(value))
    fail(where, `expected a lowercase 0x-prefixed 32-byte hash, got ${describe(value)}`);
  return value;
}

function checkHeader(b: EpochBundle): void {
  if (typeof b !== "object" || b === null) fail("bundle", "expected an object");
  if (b.format !== BUNDLE_FORMAT) fail("format", `expected "${BUNDLE_FORMAT}", got ${describe(b.format)}`);
  checkSafeInt(b.chainId, "chainId", 1);
  checkAddress(b.distributor, "distributor");
  checkAddress(b.staking, "staking");
  checkAddress(b.minter, "minter");
  checkSafeInt(b.epoch, "epoch", 0);
  checkSafeInt(b.epochStart, "epochStart", 0);
  checkSafeInt(b.epochEnd, "epochEnd", 0);
  checkSafeInt(b.snapshotTime, "snapshotTime", 0);
  checkHash(b.previousBundleHash, "previousBundleHash");
  if (typeof b.receipts !== "object" || b.receipts === null) fail("receipts", "expected {count, hash}");
  checkSafeInt(b.receipts.count, "receipts.count", 0);
  checkHash(b.receipts.hash, "receipts.hash");
  if (typeof b.boostParams !== "object" || b.boostParams === null) {
    fail("boostParams", "expected {maxBoostBps, fullStakePerNode}");
  }
  checkAmount(b.boostParams.maxBoostBps, "boostParams.maxBoostBps");
  checkAmount(b.boostParams.fullStakePerNode, "boostParams.fullStakePerNode");
  checkAmount(b.nodeCapBytes, "nodeCapBytes");
  checkAmount(b.emission, "emission");
  checkAmount(b.carryIn, "carryIn");
  checkAmount(b.totalWeight, "totalWeight");
  checkAmount(b.carryOut, "carryOut");
  checkHash(b.root, "root");
  checkAmount(b.total, "total");
  if (!Array.isArray(b.nodes)) fail("nodes", "expected an array");
  if (!Array.isArray(b.operators)) fail("operators", "expected an array");
}

/** Checks one node row (`where` is built only on failure: this runs a million times). */
function checkNodeRow(r: NodeRow, list: string, i: number, previous: string): void {
  if (
    typeof r === "object" &&
    r !== null &&
    isLowerAddress(r.node) &&
    r.node > previous &&
    isLowerAddress(r.operator) &&
    isAmount(r.bytes) &&
    isAmount(r.cappedBytes)
  ) {
    return;
  }
  const where = `${list}[${i}]`;
  if (typeof r !== "object" || r === null) fail(where, "expected a node row");
  const node = checkAddress(r.node, `${where} node`);
  if (node <= previous)
    fail(where, `node ${node} is not after ${previous} (rows must be sorted by node, no duplicates)`);
  checkAddress(r.operator, `${where} operator`);
  checkAmount(r.bytes, `${where} bytes`);
  checkAmount(r.cappedBytes, `${where} cappedBytes`);
}

function checkOperatorRow(r: OperatorRow, list: string, i: number, previous: string): void {
  if (
    typeof r === "object" &&
    r !== null &&
    isLowerAddress(r.operator) &&
    r.operator > previous &&
    typeof r.nodes === "number" &&
    Number.isSafeInteger(r.nodes) &&
    r.nodes >= 0 &&
    isAmount(r.cappedBytes) &&
    (r.stake === null || isAmount(r.stake)) &&
    isAmount(r.boostBps) &&
    isAmount(r.weight) &&
    isAmount(r.reward) &&
    isAmount(r.previousCumulative) &&
    isAmount(r.cumulative)
  ) {
    return;
  }
  const where = `${list}[${i}]`;
  if (typeof r !== "object" || r === null) fail(where, "expected an operator row");
  const operator = checkAddress(r.operator, `${where} operator`);
  if (operator <= previous) {
    fail(
      where,
      `operator ${operator} is not after ${previous} (rows must be sorted by operator, no duplicates)`,
    );
  }
  checkSafeInt(r.nodes, `${where} nodes`, 0);
  checkAmount(r.cappedBytes, `${where} cappedBytes`);
  if (r.stake !== null) checkAmount(r.stake, `${where} stake`);
  checkAmount(r.boostBps, `${where} boostBps`);
  checkAmount(r.weight, `${where} weight`);
  checkAmount(r.reward, `${where} reward`);
  checkAmount(r.previousCumulative, `${where} previousCumulative`);
  checkAmount(r.cumulative, `${where} cumulative`);
}

/** Throws {@link BundleFormatError} unless the header fields (everything but the rows) are well-formed. */
export function validateBundleHeader(b: EpochBundle): void {
  checkHeader(b);
}

/**
 * Throws {@link BundleFormatError} unless every field has its type and range and the rows are sorted.
 * (Whether the numbers are *right* is {@link verifyBundle}'s job.)
 */
export function validateBundle(b: EpochBundle): void {
  checkHeader(b);
  let previous = "";
  for (let i = 0; i < b.nodes.length; i++) {
    checkNodeRow(b.nodes[i]!, "nodes", i, previous);
    previous = b.nodes[i]!.node;
  }
  previous = "";
  for (let i = 0; i < b.operators.length; i++) {
    checkOperatorRow(b.operators[i]!, "operators", i, previous);
    previous = b.operators[i]!.operator;
  }
}

/* PARSING */

const DECIMAL_RE = /^(0|[1-9][0-9]{0,77})$/;

function decimal(value: unknown, where: string): bigint {
  if (typeof value !== "string" || !DECIMAL_RE.test(value)) {
    fail(where, `expected a decimal string without leading zeros, got ${describe(value)}`);
  }
  const n = BigInt(value);
  if (n > MAX_UINT256) fail(where, `${value} is larger than uint256`);
  return n;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    fail(where, `not JSON (${(err as Error).message})`);
  }
}

function objectWithKeys(value: unknown, keys: readonly string[], where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail(where, "expected a JSON object");
  const actual = Object.keys(value);
  if (actual.length !== keys.length || actual.some((k, i) => k !== keys[i])) {
    fail(where, `expected the keys ${keys.join(",")} in this order, got ${actual.join(",")}`);
  }
  return value as Record<string, unknown>;
}

function parseHeader(line: string): { header: EpochBundle; nodeCount: number; operatorCount: number } {
  const where = "line 1 (header)";
  const tail = `,"nodes":[`;
  if (!line.startsWith("{") || !line.endsWith(tail)) {
    fail(where, `a canonical bundle starts with a one-line header ending in ${tail}`);
  }
  const raw = objectWithKeys(parseJson(`${line.slice(0, -tail.length)}}`, where), HEADER_KEYS, where);
  const receipts = objectWithKeys(raw.receipts, ["count", "hash"], `${where} receipts`);
  const boost = objectWithKeys(raw.boostParams, ["maxBoostBps", "fullStakePerNode"], `${where} boostParams`);
  if (JSON.stringify(raw.nodeColumns) !== JSON.stringify(NODE_COLUMNS)) fail(where, "unexpected nodeColumns");
  if (JSON.stringify(raw.operatorColumns) !== JSON.stringify(OPERATOR_COLUMNS)) {
    fail(where, "unexpected operatorColumns");
  }
  const header: EpochBundle = {
    format: raw.format as typeof BUNDLE_FORMAT,
    chainId: raw.chainId as number,
    distributor: raw.distributor as Address,
    staking: raw.staking as Address,
    minter: raw.minter as Address,
    epoch: raw.epoch as number,
    epochStart: raw.epochStart as number,
    epochEnd: raw.epochEnd as number,
    snapshotTime: raw.snapshotTime as number,
    previousBundleHash: raw.previousBundleHash as Hash,
    receipts: { count: receipts.count as number, hash: receipts.hash as Hash },
    boostParams: {
      maxBoostBps: decimal(boost.maxBoostBps, `${where} boostParams.maxBoostBps`),
      fullStakePerNode: decimal(boost.fullStakePerNode, `${where} boostParams.fullStakePerNode`),
    },
    nodeCapBytes: decimal(raw.nodeCapBytes, `${where} nodeCapBytes`),
    emission: decimal(raw.emission, `${where} emission`),
    carryIn: decimal(raw.carryIn, `${where} carryIn`),
    totalWeight: decimal(raw.totalWeight, `${where} totalWeight`),
    carryOut: decimal(raw.carryOut, `${where} carryOut`),
    root: raw.root as Hash,
    total: decimal(raw.total, `${where} total`),
    nodes: [],
    operators: [],
  };
  try {
    checkHeader(header);
  } catch (err) {
    fail(where, (err as Error).message);
  }
  const nodeCount = checkSafeInt(raw.nodeCount, `${where} nodeCount`, 0);
  const operatorCount = checkSafeInt(raw.operatorCount, `${where} operatorCount`, 0);
  const canonical = headerLine({
    ...header,
    nodes: { length: nodeCount },
    operators: { length: operatorCount },
  } as EpochBundle);
  if (canonical !== line)
    fail(where, "valid JSON, but not in canonical form (spacing, number format or key order)");
  return { header, nodeCount, operatorCount };
}

/**
 * A strict scanner for one canonical row line held in `buf[start, end)`: it accepts exactly the bytes the
 * serialiser writes, so a parsed file is canonical by construction (no re-serialisation needed).
 */
class RowScanner {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  private line = 0;
  private kind = "";
  private index = 0;

  /** Starts on row `index` of kind `kind` ("node" or "operator"), at file line `line`. */
  reset(buf: Buffer, start: number, end: number, line: number, kind: string, index: number): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.line = line;
    this.kind = kind;
    this.index = index;
  }

  private fail(column: string, message: string): never {
    fail(`line ${this.line} (${this.kind} row ${this.index}), column ${column}`, message);
  }

  byte(expected: number, column: string): void {
    if (this.pos >= this.end || this.buf[this.pos] !== expected) {
      const found =
        this.pos >= this.end ? "end of line" : JSON.stringify(String.fromCharCode(this.buf[this.pos]!));
      this.fail(column, `expected ${JSON.stringify(String.fromCharCode(expected))}, found ${found}`);
    }
    this.pos += 1;
  }

  /** `"0x` + 40 lowercase hex digits + `"`. */
  address(column: string): Address {
    const { buf } = this;
    const start = this.pos + 1;
    if (
      this.end - this.pos < 44 ||
      buf[this.pos] !== 0x22 ||
      buf[start] !== 0x30 ||
      buf[start + 1] !== 0x78 ||
      buf[start + 42] !== 0x22
    ) {
      this.fail(column, "expected a quoted lowercase 0x address");
    }
    for (let i = start + 2; i < start + 42; i++) {
      const c = buf[i]!;
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)))
        this.fail(column, "expected a lowercase 0x address");
    }
    this.pos = start + 43;
    return buf.toString("latin1", start, start + 42) as Address;
  }

  /** A quoted decimal without leading zeros, at most 2^256 − 1. */
  amount(column: string): bigint {
    this.byte(0x22, column);
    const value = this.digits(column, 78);
    this.byte(0x22, column);
    return value;
  }

  amountOrNull(column: string): bigint | null {
    const { buf, pos } = this;
    if (buf[pos] === 0x6e && buf[pos + 1] === 0x75 && buf[pos + 2] === 0x6c && buf[pos + 3] === 0x6c) {
      this.pos += 4;
      return null;
    }
    return this.amount(column);
  }

  /** An unquoted JSON integer without leading zeros, a safe integer. */
  count(column: string): number {
    const value = this.digits(column, 15);
    return Number(value);
  }

  private digits(column: string, maxDigits: number): bigint {
    const { buf } = this;
    const start = this.pos;
    let small = 0;
    let i = start;
    for (; i < this.end; i++) {
      const c = buf[i]!;
      if (c < 0x30 || c > 0x39) break;
      if (i - start < 15) small = small * 10 + (c - 0x30);
    }
    const length = i - start;
    if (length === 0) this.fail(column, "expected a decimal number");
    if (length > 1 && buf[start] === 0x30) this.fail(column, "leading zeros are not canonical");
    if (length > maxDigits) this.fail(column, `more than ${maxDigits} digits`);
    this.pos = i;
    if (length <= 15) return BigInt(small);
    const value = BigInt(buf.toString("latin1", start, i));
    if (value > MAX_UINT256) this.fail(column, "larger than uint256");
    return value;
  }

  /** `]`, then `,` unless this is the array's last row, then the end of the line. */
  close(isLast: boolean): void {
    this.byte(0x5d, "end");
    if (!isLast) this.byte(0x2c, "end");
    if (this.pos !== this.end)
      this.fail("end", isLast ? "unexpected text after the last row" : "unexpected text after ','");
  }
}

const NODES_TO_OPERATORS_BYTES = Buffer.from(NODES_TO_OPERATORS, "latin1");
const END_BYTES = Buffer.from(END, "latin1");

/** Incremental parser of a canonical bundle: feed it the file's bytes in order. */
export interface BundleParser {
  /** Feeds the next piece of the file. Throws {@link BundleFormatError} at the first problem. */
  write(chunk: Uint8Array | string): void;
  /** Ends the input: the bundle and the keccak256 of the exact bytes fed (equal to {@link bundleHash} of it). */
  end(): { bundle: EpochBundle; hash: Hash };
}

const MAX_LINE = 1 << 20;

/**
 * Creates a {@link BundleParser}. It reads line by line from the bytes, so a 1,000,000-operator file never
 * becomes one string, and it accepts only the canonical form (so the hash of an accepted file is the hash
 * of the bundle it describes).
 */
export async function createBundleParser(): Promise<BundleParser> {
  const hasher: IHasher = await createKeccak256();
  hasher.init();
  const scanner = new RowScanner();
  let carry: Buffer | undefined;
  let lineNo = 0;
  let stage: "header" | "nodes" | "separator" | "operators" | "end" | "done" = "header";
  let bundle: EpochBundle | undefined;
  let nodeCount = 0;
  let operatorCount = 0;
  let previous = "";

  const onLine = (buf: Buffer, start: number, end: number): void => {
    lineNo += 1;
    const line = lineNo;
    switch (stage) {
      case "header": {
        const parsed = parseHeader(buf.toString("utf8", start, end));
        bundle = parsed.header;
        nodeCount = parsed.nodeCount;
        operatorCount = parsed.operatorCount;
        stage = nodeCount > 0 ? "nodes" : "separator";
        return;
      }
      case "nodes": {
        const nodes = bundle!.nodes;
        const index = nodes.length;
        scanner.reset(buf, start, end, line, "node", index);
        scanner.byte(0x5b, "start");
        const node = scanner.address("node");
        scanner.byte(0x2c, "node");
        const operator = scanner.address("operator");
        scanner.byte(0x2c, "operator");
        const bytes = scanner.amount("bytes");
        scanner.byte(0x2c, "bytes");
        const cappedBytes = scanner.amount("cappedBytes");
        scanner.close(index + 1 === nodeCount);
        if (node <= previous)
          fail(`line ${line}`, `node ${node} is not after ${previous} (rows must be sorted by node)`);
        previous = node;
        nodes.push({ node, operator, bytes, cappedBytes });
        if (nodes.length === nodeCount) stage = "separator";
        return;
      }
      case "separator":
        if (!NODES_TO_OPERATORS_BYTES.equals(buf.subarray(start, end))) {
          fail(`line ${line}`, `expected ${NODES_TO_OPERATORS} after ${nodeCount} node rows`);
        }
        previous = "";
        stage = operatorCount > 0 ? "operators" : "end";
        return;
      case "operators": {
        const operators = bundle!.operators;
        const index = operators.length;
        scanner.reset(buf, start, end, line, "operator", index);
        scanner.byte(0x5b, "start");
        const operator = scanner.address("operator");
        scanner.byte(0x2c, "operator");
        const nodes = scanner.count("nodes");
        scanner.byte(0x2c, "nodes");
        const cappedBytes = scanner.amount("cappedBytes");
        scanner.byte(0x2c, "cappedBytes");
        const stake = scanner.amountOrNull("stake");
        scanner.byte(0x2c, "stake");
        const boostBps = scanner.amount("boostBps");
        scanner.byte(0x2c, "boostBps");
        const weight = scanner.amount("weight");
        scanner.byte(0x2c, "weight");
        const reward = scanner.amount("reward");
        scanner.byte(0x2c, "reward");
        const previousCumulative = scanner.amount("previousCumulative");
        scanner.byte(0x2c, "previousCumulative");
        const cumulative = scanner.amount("cumulative");
        scanner.close(index + 1 === operatorCount);
        if (operator <= previous) {
          fail(
            `line ${line}`,
            `operator ${operator} is not after ${previous} (rows must be sorted by operator)`,
          );
        }
        previous = operator;
        operators.push({
          operator,
          nodes,
          cappedBytes,
          stake,
          boostBps,
          weight,
          reward,
          previousCumulative,
          cumulative,
        });
        if (operators.length === operatorCount) stage = "end";
        return;
      }
      case "end":
        if (!END_BYTES.equals(buf.subarray(start, end)))
          fail(`line ${line}`, `expected ${END} after ${operatorCount} operator rows`);
        stage = "done";
        return;
      case "done":
        fail(`line ${line}`, "unexpected content after the end of the bundle");
    }
  };

  return {
    write(chunk) {
      const bytes =
        typeof chunk === "string"
          ? Buffer.from(chunk, "utf8")
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      hasher.update(bytes);
      let start = 0;
      if (carry !== undefined) {
        const newline = bytes.indexOf(0x0a);
        if (newline < 0) {
          carry = Buffer.concat([carry, bytes]);
          if (carry.length > MAX_LINE)
            fail(`line ${lineNo + 1}`, `longer than ${MAX_LINE} bytes: not a canonical bundle`);
          return;
        }
        const line = Buffer.concat([carry, bytes.subarray(0, newline)]);
        carry = undefined;
        onLine(line, 0, line.length);
        start = newline + 1;
      }
      for (;;) {
        const newline = bytes.indexOf(0x0a, start);
        if (newline < 0) break;
        onLine(bytes, start, newline);
        start = newline + 1;
      }
      if (start < bytes.length) {
        if (bytes.length - start > MAX_LINE)
          fail(`line ${lineNo + 1}`, `longer than ${MAX_LINE} bytes: not a canonical bundle`);
        carry = Buffer.from(bytes.subarray(start)); // a copy: the caller may reuse its buffer
      }
    },
    end() {
      if (carry !== undefined) fail(`line ${lineNo + 1}`, "the bundle must end with a newline");
      if (stage !== "done") fail("end of input", `truncated bundle (still expecting the ${stage} part)`);
      return { bundle: bundle!, hash: toHex(hasher.digest("binary")) };
    },
  };
}

/** Parses a whole canonical bundle (bytes or string). */
export async function parseBundle(text: Uint8Array | string): Promise<{ bundle: EpochBundle; hash: Hash }> {
  const parser = await createBundleParser();
  parser.write(text);
  return parser.end();
}
