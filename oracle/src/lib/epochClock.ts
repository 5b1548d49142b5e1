/** The oracle's view of epochs (docs/ARCHITECTURE.md): epoch e covers [T0 + e*len, T0 + (e+1)*len). */
export class EpochClock {
  constructor(
    readonly genesisTime: number,
    readonly epochLength: number,
    /** Seconds after its end during which an epoch still accepts receipts. */
    readonly graceSeconds: number,
  ) {
    if (!Number.isSafeInteger(genesisTime) || genesisTime < 0)
      throw new Error(`bad genesis time ${genesisTime}`);
    if (!Number.isSafeInteger(epochLength) || epochLength <= 0)
      throw new Error(`bad epoch length ${epochLength}`);
    if (!Number.isSafeInteger(graceSeconds) || graceSeconds < 0 || graceSeconds >= epochLength) {
      throw new Error(`grace ${graceSeconds} must be in [0, epoch length)`);
    }
  }

  /** The epoch containing unix second `t`, or -1 before genesis. */
  epochAt(t: number): number {
    if (t < this.genesisTime) return -1;
    return Math.floor((t - this.genesisTime) / this.epochLength);
  }

  epochStart(epoch: number): number {
    return this.genesisTime + epoch * this.epochLength;
  }

  /** First second after the epoch (exclusive end). */
  epochEnd(epoch: number): number {
    return this.genesisTime + (epoch + 1) * this.epochLength;
  }

  /**
   * Whether receipts for `epoch` are accepted at unix second `now`: the current epoch, or the previous
   * one until `epochEnd + grace`.
   */
  acceptance(epoch: number, now: number): "open" | "closed" | "future" {
    const current = this.epochAt(now);
    if (epoch > current) return "future";
    if (epoch === current) return "open";
    if (epoch === current - 1 && now < this.epochEnd(epoch) + this.graceSeconds) return "open";
    return "closed";
  }
}

export type Clock = () => number;

/** Wall-clock unix seconds. */
export const systemClock: Clock = () => Math.floor(Date.now() / 1000);
