import type { Queryable } from "../db/types.js";
import { InputError } from "../lib/errors.js";
import { isAddress, normAddress, type Hex } from "../lib/hex.js";

/** A registered client (consumer key). */
export interface Client {
  address: Hex;
  /** The operator this client belongs to (self-dealing check). */
  operator: Hex;
  quotaBytes: number;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What ingest needs per client, keyed by lower-case address. */
export interface ClientInfo {
  operator: Hex;
  quotaBytes: number;
  disabled: boolean;
}

interface Row {
  address: string;
  operator: string;
  quota_bytes: number;
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const hexOf = (s: string): Hex => `0x${s}` as Hex;

function checkAddress(what: string, value: string): Hex {
  if (!isAddress(value))
    throw new InputError(`${what} must be a 0x-prefixed 20-byte hex address, got "${value}"`);
  return normAddress(value);
}

/** The clients table. */
export class ClientsRepository {
  constructor(private readonly db: Queryable) {}

  async add(input: { address: string; operator: string; quotaBytes: number }): Promise<Client> {
    const address = checkAddress("client address", input.address);
    const operator = checkAddress("operator address", input.operator);
    if (!Number.isSafeInteger(input.quotaBytes) || input.quotaBytes < 0) {
      throw new InputError(
        `quota must be a whole number of bytes from 0 to 2^53 - 1, got ${input.quotaBytes}`,
      );
    }
    const { rows } = await this.db.query<Row>(
      `INSERT INTO clients (address, operator, quota_bytes)
       VALUES (decode($1, 'hex'), decode($2, 'hex'), $3)
       ON CONFLICT (address) DO NOTHING
       RETURNING encode(address, 'hex') AS address, encode(operator, 'hex') AS operator,
                 quota_bytes, disabled, created_at, updated_at`,
      [address.slice(2), operator.slice(2), input.quotaBytes],
    );
    if (rows.length === 0) throw new InputError(`client ${address} is already registered`);
    return toClient(rows[0]!);
  }

  /** Sets `disabled`; returns false when the client does not exist. */
  async setDisabled(address: string, disabled: boolean): Promise<boolean> {
    const a = checkAddress("client address", address);
    const { rowCount } = await this.db.query(
      "UPDATE clients SET disabled = $2, updated_at = now() WHERE address = decode($1, 'hex')",
      [a.slice(2), disabled],
    );
    return rowCount > 0;
  }

  async setQuota(address: string, quotaBytes: number): Promise<boolean> {
    const a = checkAddress("client address", address);
    if (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0) {
      throw new InputError(`quota must be a whole number of bytes from 0 to 2^53 - 1, got ${quotaBytes}`);
    }
    const { rowCount } = await this.db.query(
      "UPDATE clients SET quota_bytes = $2, updated_at = now() WHERE address = decode($1, 'hex')",
      [a.slice(2), quotaBytes],
    );
    return rowCount > 0;
  }

  async list(): Promise<Client[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT encode(address, 'hex') AS address, encode(operator, 'hex') AS operator,
              quota_bytes, disabled, created_at, updated_at
       FROM clients ORDER BY created_at, address`,
    );
    return rows.map(toClient);
  }

  async get(address: string): Promise<Client | undefined> {
    const a = checkAddress("client address", address);
    const { rows } = await this.db.query<Row>(
      `SELECT encode(address, 'hex') AS address, encode(operator, 'hex') AS operator,
              quota_bytes, disabled, created_at, updated_at
       FROM clients WHERE address = decode($1, 'hex')`,
      [a.slice(2)],
    );
    return rows[0] === undefined ? undefined : toClient(rows[0]);
  }

  /**
   * The clients among `addresses` (lower-case hex without 0x), keyed the same way. One query per
   * ingest batch, so a client added, disabled or re-quota'd by the CLI counts from the next batch on.
   */
  async lookup(addresses: readonly string[]): Promise<Map<string, ClientInfo>> {
    const out = new Map<string, ClientInfo>();
    if (addresses.length === 0) return out;
    const { rows } = await this.db.query<{
      address: string;
      operator: string;
      quota_bytes: number;
      disabled: boolean;
    }>(
      `SELECT encode(address, 'hex') AS address, encode(operator, 'hex') AS operator, quota_bytes, disabled
       FROM clients WHERE address IN (SELECT decode(a, 'hex') FROM unnest($1::text[]) AS a)`,
      [addresses],
    );
    for (const r of rows) {
      out.set(r.address, { operator: hexOf(r.operator), quotaBytes: r.quota_bytes, disabled: r.disabled });
    }
    return out;
  }
}

function toClient(r: Row): Client {
  return {
    address: hexOf(r.address),
    operator: hexOf(r.operator),
    quotaBytes: r.quota_bytes,
    disabled: r.disabled,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
