import { existsSync, readFileSync } from "node:fs";
import { ConfigError } from "../lib/errors.js";
import { isAddress, normAddress, type Hex } from "../lib/hex.js";

export interface RegistryStatus {
  source: "file" | "chain" | "fixture";
  nodes: number;
  /** Chain registries: every block up to this one is reflected. */
  indexedBlock?: number;
  headBlock?: number;
  lastError?: string;
}

/**
 * Which operator owns a node, served from memory so that ingest never makes an RPC call per receipt.
 * Keys and values are lower-case 0x addresses.
 */
export interface NodeRegistry {
  operatorOf(node: string): Hex | undefined;
  /** The nodes `operator` owns now (lower-case, sorted), at most `limit` of them. */
  nodesOf(operator: Hex, limit: number): Promise<Hex[]>;
  readonly size: number;
  /** Loads the initial state (for the chain registry: catches up with the chain). */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): RegistryStatus;
}

/** A fixed node -> operator map (tests, benchmarks, chain-less development). */
export class StaticNodeRegistry implements NodeRegistry {
  private readonly map = new Map<string, Hex>();

  constructor(
    entries: Iterable<[string, string]> = [],
    private readonly source: "file" | "fixture" = "fixture",
  ) {
    for (const [node, operator] of entries) this.set(node, operator);
  }

  set(node: string, operator: string): void {
    this.map.set(normAddress(node), normAddress(operator));
  }

  delete(node: string): void {
    this.map.delete(normAddress(node));
  }

  operatorOf(node: string): Hex | undefined {
    return this.map.get(node);
  }

  async nodesOf(operator: Hex, limit: number): Promise<Hex[]> {
    const who = normAddress(operator);
    const out: Hex[] = [];
    for (const [node, op] of this.map) if (op === who) out.push(node as Hex);
    return out.sort().slice(0, limit);
  }

  get size(): number {
    return this.map.size;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  status(): RegistryStatus {
    return { source: this.source, nodes: this.map.size };
  }
}

/** Reads a nodes file: a JSON object `{ "<node address>": "<operator address>", ... }`. */
export function loadNodesFile(file: string): StaticNodeRegistry {
  if (!existsSync(file)) throw new ConfigError([`ORACLE_NODES_FILE: ${file} does not exist`]);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError([`ORACLE_NODES_FILE: ${file} is not valid JSON: ${(err as Error).message}`]);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ConfigError([`ORACLE_NODES_FILE: ${file} must hold an object { node: operator }`]);
  }
  const entries: [string, string][] = [];
  for (const [node, operator] of Object.entries(json as Record<string, unknown>)) {
    if (!isAddress(node) || typeof operator !== "string" || !isAddress(operator)) {
      throw new ConfigError([
        `ORACLE_NODES_FILE: ${file}: entry "${node}" is not an address -> address pair`,
      ]);
    }
    entries.push([node, operator]);
  }
  return new StaticNodeRegistry(entries, "file");
}
