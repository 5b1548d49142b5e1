/**
 * The one database interface of the oracle, implemented by embedded PGlite and by a PostgreSQL pool.
 * Both speak the same SQL (PGlite is PostgreSQL compiled to WASM), so repositories are written once.
 *
 * Value mapping is the same on both: bytea -> Buffer, int8 -> number (throws above 2^53 - 1; use
 * numeric for wei amounts, which comes back as a string), int4 -> number, timestamptz -> Date,
 * text -> string, bool -> boolean, json/jsonb -> parsed value.
 */
export interface QueryResult<R> {
  rows: R[];
  /** Rows returned or affected. */
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a multi-statement SQL script (no parameters), e.g. a migration file. */
  exec(sql: string): Promise<void>;
}

export type DbKind = "pglite" | "postgres";

export interface Db extends Queryable {
  readonly kind: DbKind;
  /**
   * Runs `fn` in one transaction (READ COMMITTED) on one connection: COMMIT when it resolves, ROLLBACK
   * when it throws. When the promise resolves, the transaction is committed and durable.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one dedicated connection outside a transaction (e.g. to hold a session-level advisory
   * lock across several transactions). PGlite has a single connection, shared with everyone else.
   */
  session<T>(fn: (conn: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** int8 as a JavaScript number; refuses values that would lose precision. */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${text} is beyond 2^53 - 1; select it as text`);
  return n;
}
