/**
 * Operators' stake at an epoch's snapshot without one RPC call per operator: MinerStaking's
 * `ActiveStakeUpdated(operator, activeStake, timestamp)` events are indexed into `stake_events`, and an
 * operator's stake at time t is the `activeStake` of its last event with timestamp <= t (0 without one),
 * which is what `stakeAt(operator, t)` returns. A random sample is checked against `stakeAt` on every run.
 */
import { randomInt } from "node:crypto";
import type { Db } from "../db/types.js";
import { fetchStakeEvents, type StakeEvent } from "../chain/fetchStakeEvents.js";
import { minerStakingAbi } from "../chain/abi.js";
import { OracleError, errorMessage } from "../lib/errors.js";
import type { Hex } from "../lib/hex.js";
import { withRetry } from "../lib/retry.js";
import type { JobEnv } from "./env.js";
import { readChunked } from "./sql.js";

export const STAKES_CURSOR = "miner_staking_stakes";

async function cursorOf(db: Db): Promise<number | undefined> {
  const { rows } = await db.query<{ last_block: number }>(
    "SELECT last_block FROM chain_cursors WHERE name = $1",
    [STAKES_CURSOR],
  );
  return rows[0]?.last_block;
}

/** Applies the events of blocks (from, to] and moves the cursor, unless another process moved it first. */
async function applyStakeEvents(db: Db, from: number, to: number, events: StakeEvent[]): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query(
      "INSERT INTO chain_cursors (name, last_block) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
      [STAKES_CURSOR, from],
    );
    const { rows } = await tx.query<{ last_block: number }>(
      "SELECT last_block FROM chain_cursors WHERE name = $1 FOR UPDATE",
      [STAKES_CURSOR],
    );
    if (rows[0]!.last_block !== from) return false;
    if (events.length > 0) {
      await tx.query(
        `INSERT INTO stake_events (block_number, log_index, operator, stake, "timestamp")
         SELECT b, i, decode(o, 'hex'), s::numeric, t
         FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::bigint[]) AS e(b, i, o, s, t)
         ON CONFLICT DO NOTHING`,
        [
          events.map((e) => e.blockNumber),
          events.map((e) => e.logIndex),
          events.map((e) => e.operator.slice(2)),
          events.map((e) => e.stake.toString()),
          events.map((e) => e.timestamp),
        ],
      );
    }
    await tx.query("UPDATE chain_cursors SET last_block = $2 WHERE name = $1", [STAKES_CURSOR, to]);
    return true;
  });
}

/**
 * Indexes `ActiveStakeUpdated` through block `target` (from the deployment block on the first run), in ranges
 * of `logChunkBlocks`, halving a range the provider refuses. Several processes may run it: a compare-and-set
 * on the cursor lets exactly one apply each range. Returns the indexed block.
 */
export async function syncStakeEvents(env: JobEnv, target: number): Promise<number> {
  const { db, chain, staking, logger } = env;
  let chunk = env.logChunkBlocks;
  let cursor = (await cursorOf(db)) ?? env.deploymentBlock - 1;
  while (cursor < target) {
    const to = Math.min(target, cursor + chunk);
    let events: StakeEvent[];
    try {
      events = await withRetry(
        "eth_getLogs (stake events)",
        () => fetchStakeEvents(chain, staking, cursor + 1, to),
        {
          logger,
          attempts: 3,
        },
      );
    } catch (err) {
      if (to === cursor + 1) throw err;
      chunk = Math.max(1, Math.floor((to - cursor) / 2));
      logger.warn({ err: errorMessage(err), chunk }, "eth_getLogs failed; retrying with a smaller range");
      continue;
    }
    if (await applyStakeEvents(db, cursor, to, events)) {
      if (events.length > 0)
        logger.info({ from: cursor + 1, to, events: events.length }, "indexed stake events");
      cursor = to;
    } else {
      cursor = (await cursorOf(db)) ?? cursor;
    }
  }
  return cursor;
}

/**
 * The stake at `snapshotTime` of every operator with traffic in `epoch` (from `epoch_nodes`) that has a
 * non-zero stake then, computed inside the database and returned in 256 packed chunks.
 */
export async function readStakesAt(
  db: Db,
  epoch: number,
  snapshotTime: number,
): Promise<Map<string, bigint>> {
  const stakes = new Map<string, bigint>();
  // The last event at or before the snapshot of each operator with traffic: one ordered pass over the
  // events (DISTINCT ON), joined to the epoch's operators by hash (a million index probes measured 5x slower).
  await readChunked(
    db,
    `SELECT string_agg(encode(s.operator, 'hex') || s.stake::text, ',') AS t
     FROM (
       SELECT DISTINCT ON (e.operator) e.operator, e.stake
       FROM stake_events AS e
       WHERE e."timestamp" <= $2
         AND e.operator IN (SELECT operator FROM epoch_nodes WHERE epoch = $1)
       ORDER BY e.operator, e."timestamp" DESC, e.block_number DESC, e.log_index DESC
     ) AS s
     WHERE s.stake > 0
     GROUP BY get_byte(s.operator, 0)`,
    [epoch, snapshotTime],
    (item) => stakes.set(`0x${item.slice(0, 40)}`, BigInt(item.slice(40))),
  );
  return stakes;
}

/** Picks `size` distinct items of `pool` uniformly at random (all of them when the pool is smaller). */
export function sample<T>(pool: readonly T[], size: number): T[] {
  if (size >= pool.length) return [...pool];
  const picked = new Set<number>();
  while (picked.size < size) picked.add(randomInt(pool.length));
  return [...picked].map((i) => pool[i]!);
}

/**
 * Compares the indexed stake of `operators` with `stakeAt(operator, snapshotTime)` on chain; throws on the
 * first difference (the index would be wrong, so no root may be built on it).
 */
export async function crossCheckStakes(
  env: JobEnv,
  operators: readonly string[],
  stakeOf: (operator: string) => bigint,
  snapshotTime: number,
): Promise<void> {
  const { chain, staking, logger } = env;
  let next = 0;
  const worker = async () => {
    while (next < operators.length) {
      const operator = operators[next++]!;
      const onChain = await withRetry(
        "stakeAt",
        () =>
          chain.readContract({
            address: staking,
            abi: minerStakingAbi,
            functionName: "stakeAt",
            args: [operator as Hex, BigInt(snapshotTime)],
          }),
        { logger },
      );
      const indexed = stakeOf(operator);
      if (onChain !== indexed) {
        throw new OracleError(
          "stake_mismatch",
          `stake of ${operator} at ${snapshotTime}: ${indexed} from the indexed events, ${onChain} from stakeAt on chain; the stake index is wrong, no root is built on it`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, operators.length) }, worker));
}
