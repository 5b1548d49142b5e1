import type { PublicClient } from "viem";
import { errorMessage } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Clock } from "./epochClock.js";

/**
 * "Now" as the chain's latest block timestamp, polled every `pollMs` (ORACLE_CLOCK=chain). On a devnet that
 * moves chain time (evm_increaseTime + evm_mine), epochs then close when the chain says so, for ingest and the
 * epoch scheduler alike. Never goes backwards.
 */
export class ChainClock {
  private latest = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly chain: PublicClient,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {}

  /** Reads the head once (errors propagate: the oracle does not start without a clock), then polls. */
  async start(): Promise<void> {
    await this.poll();
    this.schedule();
  }

  readonly now: Clock = () => this.latest;

  /** Reads the latest block timestamp now (also used by tests right after moving chain time). */
  async poll(): Promise<number> {
    const block = await this.chain.getBlock({ blockTag: "latest" });
    this.latest = Math.max(this.latest, Number(block.timestamp));
    return this.latest;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poll()
        .catch((err) =>
          this.logger.warn({ err: errorMessage(err) }, "chain clock: reading the latest block failed"),
        )
        .finally(() => this.schedule());
    }, this.pollMs);
    this.timer.unref();
  }
}
