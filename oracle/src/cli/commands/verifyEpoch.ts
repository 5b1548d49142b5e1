import type { Command } from "commander";
import { InputError } from "../../lib/errors.js";
import type { CommandModule } from "../shared.js";

function sampleArg(text: string): number | "all" {
  if (text === "all") return "all";
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) {
    throw new InputError(`--sample must be a positive integer or "all", got "${text}"`);
  }
  return Number(text);
}

export const verifyEpochCommand: CommandModule = (program: Command) => {
  program
    .command("verify-epoch <bundle>")
    .description(
      "recompute an epoch from its bundle alone; with --rpc, compare it with the chain (proposed root, total and dataHash; emission, boost parameters, stakes and node operators)",
    )
    .option(
      "--rpc <url>",
      "JSON-RPC endpoint of the chain to compare with (an archive node for node operators)",
    )
    .option("--previous <bundle>", "the previous epoch's bundle: also check the carry and cumulative amounts")
    .option(
      "--sample <n>",
      'stakes and nodes checked on chain: all up to n, else a random n (or "all")',
      "200",
    )
    .option("--json", "print the report as JSON")
    .action(
      async (file: string, opts: { rpc?: string; previous?: string; sample: string; json?: boolean }) => {
        const sample = sampleArg(opts.sample);
        if (opts.rpc !== undefined && !/^(https?|wss?):\/\//.test(opts.rpc)) {
          throw new InputError(`--rpc must be an http(s):// or ws(s):// URL, got "${opts.rpc}"`);
        }
        const { verifyEpoch } = await import("../../epochJob/verifyEpoch.js");
        const report = await verifyEpoch(file, {
          sample,
          ...(opts.rpc !== undefined ? { rpcUrl: opts.rpc } : {}),
          ...(opts.previous !== undefined ? { previousFile: opts.previous } : {}),
          ...(opts.json ? {} : { onCheck: (line: string) => console.log(`check: ${line}`) }),
        });
        if (opts.json) {
          console.log(JSON.stringify({ ...report, total: report.total.toString() }, null, 2));
        } else {
          for (const d of report.discrepancies) console.log(`DISCREPANCY [${d.kind}] ${d.message}`);
          if (report.omitted > 0) console.log(`... and ${report.omitted} more discrepancies`);
          console.log(
            report.ok
              ? `OK: epoch ${report.epoch} (root ${report.root}, total ${report.total}, bundle ${report.bundleHash}) verifies${opts.rpc ? " against the chain" : " (no chain comparison: pass --rpc)"}`
              : `FAILED: epoch ${report.epoch}: ${report.discrepancies.length + report.omitted} discrepancies`,
          );
        }
        if (!report.ok) process.exitCode = 1;
      },
    );
};
