import { rewardsDistributorAbi } from "../chain/abi.js";
import { TxSender } from "../chain/txSender.js";
import type { AppContext } from "../context.js";
import { withRetry } from "../lib/retry.js";
import { jobEnv } from "./env.js";
import { withJobLock } from "./lock.js";
import { readEpochRoot, readNextEpochs } from "./publish.js";

export interface AcceptResult {
  /** The epochs accepted by this call, oldest first. */
  accepted: number[];
  /** The oldest pending epoch that is not due yet, and when it is. */
  next?: { epoch: number; claimableAt: number };
}

/**
 * Calls the permissionless `acceptRoot()` for every pending root whose challenge window has passed (by the
 * chain's latest block time), oldest first, under the epoch-job lock (the job and this share one sender
 * account and its nonces). `oracle serve` calls it on its schedule; `oracle epoch accept` once.
 */
export async function acceptDueRoots(ctx: AppContext): Promise<AcceptResult> {
  const env = jobEnv(ctx);
  const { chain, distributor, logger } = env;
  return withJobLock(env.db, async () => {
    const sender = new TxSender({
      db: env.db,
      chain,
      chainId: env.chainId,
      account: env.signers[0]!,
      logger,
      timeoutMs: env.txTimeoutMs,
    });
    const accepted: number[] = [];
    for (;;) {
      const { nextToPropose, nextToAccept } = await withRetry("read the distributor", () =>
        readNextEpochs(chain, distributor),
      );
      if (nextToAccept >= nextToPropose) return { accepted };
      const epoch = nextToAccept;
      const info = await withRetry("epochRoot", () => readEpochRoot(chain, distributor, epoch));
      const head = await withRetry("eth_getBlockByNumber", () => chain.getBlock({ blockTag: "latest" }));
      if (Number(head.timestamp) < info.claimableAt) {
        return { accepted, next: { epoch, claimableAt: info.claimableAt } };
      }
      await sender.send({
        kind: "accept",
        epoch,
        address: distributor,
        abi: rewardsDistributorAbi,
        functionName: "acceptRoot",
        args: [],
        isDone: async () => (await readNextEpochs(chain, distributor)).nextToAccept > epoch,
      });
      logger.info({ epoch, root: info.root }, "root accepted");
      accepted.push(epoch);
    }
  });
}
