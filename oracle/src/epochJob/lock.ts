import type { Db } from "../db/types.js";
import { OracleError } from "../lib/errors.js";

/** Advisory-lock key of the epoch job (class, 0): one job (or root acceptance) at a time per database. */
export const EPOCH_JOB_LOCK_CLASS = 0x4d534e02;

/** Another epoch job holds the lock (in this process or another replica). */
export class JobBusyError extends OracleError {
  constructor() {
    super("job_busy", "another epoch job is running on this database; try again when it has finished", {
      retryable: true,
    });
  }
}

const running = new WeakMap<Db, true>();

/**
 * Runs `fn` holding the epoch-job lock: a session-level PostgreSQL advisory lock (so replicas sharing one
 * database exclude each other) plus an in-process flag (PGlite has a single session, in which advisory locks
 * are re-entrant). Throws {@link JobBusyError} at once when it is taken.
 */
export async function withJobLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  if (running.has(db)) throw new JobBusyError();
  running.set(db, true);
  try {
    return await db.session(async (conn) => {
      const { rows } = await conn.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::int, 0) AS ok", [
        EPOCH_JOB_LOCK_CLASS,
      ]);
      if (!rows[0]!.ok) throw new JobBusyError();
      try {
        return await fn();
      } finally {
        await conn.query("SELECT pg_advisory_unlock($1::int, 0)", [EPOCH_JOB_LOCK_CLASS]).catch(() => {});
      }
    });
  } finally {
    running.delete(db);
  }
}
