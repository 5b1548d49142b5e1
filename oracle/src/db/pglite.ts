import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { parseInt8, type Db, type QueryResult, type Queryable } from "./types.js";
import { OracleError } from "../lib/errors.js";

const BYTEA = 17;
const INT8 = 20;

function wrap(q: PGlite | Transaction): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = await q.query<R>(sql, params as unknown[] | undefined);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
  };
}

/**
 * Embedded PostgreSQL (PGlite, WASM) on a data directory: zero set-up, one process. Files are written
 * through Emscripten's NODEFS straight to the OS (no in-memory copy), with `synchronous_commit = on`, so
 * a commit that returned has handed its WAL to the kernel: it survives the process being killed (the
 * SIGKILL test proves it). PGlite runs with fsync off (NODEFS has no fsync), so an OS crash or power loss
 * can still lose recent commits; run PostgreSQL where that matters (docs/oracle-ingest.md).
 */
export async function openPglite(dataDir: string | undefined): Promise<Db> {
  let unlock = () => {};
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  let pg: PGlite;
  try {
    pg = await createPglite(dataDir);
  } catch (err) {
    unlock();
    throw err;
  }
  const self = wrap(pg);
  return {
    kind: "pglite",
    query: self.query,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    session: (fn) => fn(self),
    exec: self.exec,
    close: async () => {
      try {
        await pg.close();
      } finally {
        unlock();
      }
    },
  };
}

function createPglite(dataDir: string | undefined): Promise<PGlite> {
  return PGlite.create({
    ...(dataDir !== undefined ? { dataDir } : {}),
    relaxedDurability: false,
    parsers: {
      [INT8]: (v: string) => parseInt8(v),
      [BYTEA]: (v: string) => Buffer.from(v.slice(2), "hex"),
    },
  });
}

/** The data directory is held by another live process (e.g. a running `oracle serve`). */
export class DataDirLockedError extends OracleError {
  constructor(
    readonly dataDir: string,
    readonly owner: number,
  ) {
    super(
      "db_locked",
      `the embedded database ${dataDir} is in use by process ${owner}; stop it first (or use PostgreSQL via DATABASE_URL)`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite is a single-process database: two processes on one data directory would corrupt it. A lock
 * file holding the owner's PID keeps a second process out; a lock left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, ".oracle.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new DataDirLockedError(dataDir, owner);
      }
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`cannot lock the embedded database ${dataDir}`);
}
