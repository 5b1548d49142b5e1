/**
 * What the devnet prints while it works: one line per step with its duration, and a progress bar for
 * the long steps when stderr is a terminal (in CI and in pipes: the step lines only).
 */
import cliProgress from "cli-progress";

export interface Reporter {
  /** A step line ("deploying contracts"); `done()` appends the elapsed time. */
  step(text: string): { done(detail?: string): void };
  /** A progress bar for `total` units of work; a plain line when not on a terminal. */
  bar(text: string, total: number, unit: string): Bar;
  /** A line of information. */
  info(text: string): void;
}

export interface Bar {
  increment(n?: number): void;
  stop(detail?: string): void;
}

function seconds(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

export function createReporter(opts: { tty?: boolean; quiet?: boolean } = {}): Reporter {
  const tty = opts.tty ?? Boolean(process.stderr.isTTY);
  // On a terminal, a line first clears what a step left on it ("… doing x").
  const clear = tty ? "\r\x1b[2K" : "";
  const write = (line: string) => {
    if (!opts.quiet) process.stderr.write(`${clear}${line}\n`);
  };
  return {
    info: write,
    step(text) {
      const start = performance.now();
      if (tty) process.stderr.write(opts.quiet ? "" : `… ${text}\r`);
      return {
        done(detail) {
          write(`✓ ${text}${detail ? `: ${detail}` : ""} (${seconds(start)})`);
        },
      };
    },
    bar(text, total, unit) {
      const start = performance.now();
      if (!tty || opts.quiet || total === 0) {
        return {
          increment() {},
          stop(detail) {
            write(`✓ ${text}: ${detail ?? `${total} ${unit}`} (${seconds(start)})`);
          },
        };
      }
      const bar = new cliProgress.SingleBar(
        {
          format: `  ${text} [{bar}] {value}/{total} ${unit} {percentage}% {duration}s`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      return {
        increment(n = 1) {
          bar.increment(n);
        },
        stop(detail) {
          bar.stop();
          write(`✓ ${text}: ${detail ?? `${total} ${unit}`} (${seconds(start)})`);
        },
      };
    },
  };
}
