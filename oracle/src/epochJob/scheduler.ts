import type { AppContext } from "../context.js";
import { errorMessage, OracleError } from "../lib/errors.js";
import { acceptDueRoots } from "./accept.js";
import { jobEnv } from "./env.js";
import { lastClosedEpoch, runEpochJob } from "./job.js";
import { JobBusyError } from "./lock.js";
import { EpochStore } from "./store.js";

/**
 * What `oracle serve` runs in the background: every tick, the epoch job when an epoch has closed (end + grace,
 * by the context's clock: wall or chain time) and is not proposed yet, then `acceptRoot()` for every root
 * whose challenge window has passed. Several replicas may run it; the database lock lets one work at a time
 * and the others skip. A failing job is retried with backoff (up to 10 minutes apart), logged each time.
 */
export class EpochScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;
  private notBefore = 0;
  private readonly store: EpochStore;

  constructor(
    private readonly ctx: AppContext,
    private readonly intervalMs: number,
  ) {
    this.store = new EpochStore(ctx.db);
  }

  /**
   * Starts ticking when the configuration allows the job (chain, contracts, signer); otherwise logs why the
   * job stays off and returns undefined.
   */
  static maybeStart(ctx: AppContext): EpochScheduler | undefined {
    if (!ctx.config.epochAutoRun) return undefined;
    try {
      jobEnv(ctx);
    } catch (err) {
      ctx.logger.info({ reason: errorMessage(err) }, "epoch job not scheduled");
      return undefined;
    }
    const scheduler = new EpochScheduler(ctx, Math.max(250, Math.min(ctx.config.pollIntervalMs, 60_000)));
    scheduler.schedule(0);
    ctx.logger.info({ intervalMs: scheduler.intervalMs }, "epoch job scheduled");
    return scheduler;
  }

  /** One pass: run the job if an epoch is due, then accept due roots. Exposed for tests. */
  async tick(): Promise<void> {
    const { ctx } = this;
    if (Date.now() < this.notBefore) return;
    try {
      const due = lastClosedEpoch(ctx, ctx.clock());
      if (due >= 0 && due >= (await this.store.proposedCount())) {
        const results = await runEpochJob(ctx);
        for (const r of results) {
          if (!r.alreadyDone)
            ctx.logger.info({ epoch: r.epoch, root: r.root, tx: r.txHash }, "epoch published");
        }
      }
      await acceptDueRoots(ctx);
      this.failures = 0;
    } catch (err) {
      if (err instanceof JobBusyError) return;
      this.failures++;
      const delay = Math.min(600_000, this.intervalMs * 2 ** Math.min(this.failures, 16));
      this.notBefore = Date.now() + delay;
      const retryable = err instanceof OracleError ? err.retryable : true;
      const log = retryable ? ctx.logger.warn.bind(ctx.logger) : ctx.logger.error.bind(ctx.logger);
      log({ err: errorMessage(err), retryInMs: delay }, "epoch job failed");
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => this.schedule(this.intervalMs));
    }, delay);
    this.timer.unref();
  }
}
