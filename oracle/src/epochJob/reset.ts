import type { AppContext } from "../context.js";
import { InputError } from "../lib/errors.js";
import { withRetry } from "../lib/retry.js";
import { jobEnv } from "./env.js";
import { withJobLock } from "./lock.js";
import { readNextEpochs } from "./publish.js";

/**
 * Forgets the job's work for epochs >= `from` (job rows, aggregates, stored trees), so that the next run
 * computes them again — after the guardian vetoed a root and the cause was removed from the inputs (e.g. a
 * fraudulent client's receipts deleted). Receipts and their sealing, sent-transaction records and bundle files
 * stay. Refused for an epoch whose root is pending or accepted on chain (the distributor would not take a new
 * one: only a veto makes an epoch proposable again).
 */
export async function resetEpochs(ctx: AppContext, from: number): Promise<{ removed: number[] }> {
  if (!Number.isSafeInteger(from) || from < 0) throw new InputError(`--from must be a non-negative integer`);
  const env = jobEnv(ctx, { needSigner: false });
  return withJobLock(env.db, async () => {
    const { nextToPropose } = await withRetry("read the distributor", () =>
      readNextEpochs(env.chain, env.distributor),
    );
    if (from < nextToPropose) {
      throw new InputError(
        `epoch ${from} has a pending or accepted root on chain (the distributor expects epoch ${nextToPropose} next); only epochs from ${nextToPropose} on can be reset`,
      );
    }
    return env.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ epoch: number }>(
        "DELETE FROM epoch_jobs WHERE epoch >= $1 RETURNING epoch",
        [from],
      );
      await tx.query("DELETE FROM epoch_nodes WHERE epoch >= $1", [from]);
      await tx.query("DELETE FROM epoch_leaves WHERE epoch >= $1", [from]);
      await tx.query("DELETE FROM epoch_tree WHERE epoch >= $1", [from]);
      return { removed: rows.map((r) => r.epoch).sort((a, b) => a - b) };
    });
  });
}
