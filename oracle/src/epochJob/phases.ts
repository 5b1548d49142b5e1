/** Wall time and peak memory of each phase of an epoch job (reported by the CLI and the benchmark). */
export type PhaseName = "aggregate" | "stakes" | "rewards" | "tree" | "bundle" | "proofs" | "publish";

export interface PhaseTiming {
  phase: PhaseName;
  seconds: number;
  /** The process's peak resident set size so far (bytes), read at the end of the phase. */
  peakRssBytes: number;
}

/** Times phases; a phase run twice (e.g. aggregation, then loading the aggregate) adds up. */
export class PhaseRecorder {
  readonly timings: PhaseTiming[] = [];

  constructor(private readonly onPhase?: (t: PhaseTiming) => void) {}

  async run<T>(phase: PhaseName, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    const result = await fn();
    const seconds = (performance.now() - start) / 1000;
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    let timing = this.timings.find((t) => t.phase === phase);
    if (timing === undefined) {
      timing = { phase, seconds, peakRssBytes };
      this.timings.push(timing);
    } else {
      timing.seconds += seconds;
      timing.peakRssBytes = peakRssBytes;
    }
    this.onPhase?.({ phase, seconds, peakRssBytes });
    return result;
  }
}
