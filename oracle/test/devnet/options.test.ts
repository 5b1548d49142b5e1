import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { formatBoost, formatBytes, formatMsn, table } from "../../devnet/format.js";
import { parseReceiptMetrics } from "../../devnet/oracleHost.js";
import { parseOptions } from "../../devnet/options.js";
import { pruneOldRuns } from "../../devnet/run.js";

describe("devnet options, formatting and housekeeping", () => {
  it("defaults to 200 nodes of 50 operators over 3 epochs on ports 8545 and 8787", () => {
    expect(parseOptions([])).to.deep.include({
      nodes: 200,
      operators: 50,
      epochs: 3,
      receiptsPerNode: 20,
      seed: "msn-devnet",
      port: 8545,
      oraclePort: 8787,
      serve: false,
      fault: undefined,
    });
    expect(
      parseOptions(["--serve", "--nodes", "20", "--operators", "6", "--fault", "skip-claim"]),
    ).to.deep.include({
      nodes: 20,
      operators: 6,
      serve: true,
      fault: "skip-claim",
    });
  });

  it("refuses bad values with a message naming the option", () => {
    const bad: [string[], RegExp][] = [
      [["--nodes", "x"], /--nodes must be an integer from 2 to 100000 \(got "x"\)/],
      [["--epochs", "0"], /--epochs must be an integer from 1 to 30/],
      [["--port", "70000"], /--port must be an integer from 1 to 65535/],
      [["--nodes", "4", "--operators", "5"], /--operators \(5\) must not exceed --nodes \(4\)/],
      [["--fault", "wrong-claim", "--epochs", "1"], /--fault wrong-claim needs --epochs 2 or more/],
      [["--log-level", "loud"], /--log-level must be one of/],
      [["--seed", " "], /--seed must not be empty/],
      [["extra"], /too many arguments/],
    ];
    for (const [args, message] of bad) expect(() => parseOptions(args), args.join(" ")).to.throw(message);
  });

  it("formats MSN exactly (truncated, never rounded up), bytes, boosts and tables", () => {
    expect(formatMsn(13_698_630_136_986_301_369_863n)).to.equal("13,698.6301");
    expect(formatMsn(999_999_999_999_999_999n, 2)).to.equal("0.99");
    expect(formatMsn(-5n * 10n ** 17n)).to.equal("-0.5");
    expect(formatMsn(0n)).to.equal("0");
    expect(formatBytes(1_500_000_000_000n)).to.equal("1.50 TB");
    expect(formatBytes(999)).to.equal("999 B");
    expect(formatBoost(15_000n)).to.equal("1.50x");
    expect(
      table(
        ["a", "bb"],
        [
          ["x", "1"],
          ["yy", "22"],
        ],
      ),
    ).to.equal("a   bb\n--  --\nx    1\nyy  22");
  });

  it("reads the receipt counters from the oracle's Prometheus text", () => {
    const text = [
      "# HELP oracle_receipts_total Receipts answered",
      "# TYPE oracle_receipts_total counter",
      'oracle_receipts_total{result="accepted"} 11531',
      'oracle_receipts_total{result="quota_exceeded"} 14',
      'oracle_receipts_total{result="not_a_result"} 3',
      'oracle_http_request_duration_seconds_bucket{le="0.1"} 4',
    ].join("\n");
    expect(parseReceiptMetrics(text)).to.deep.equal({ accepted: 11531, quota_exceeded: 14 });
  });

  it("keeps only the newest run directories under .data and nothing else is touched", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "msn-prune-"));
    try {
      const runs = ["devnet-20260101-000001", "devnet-20260101-000002", "devnet-20260102-000000"];
      for (const r of runs) mkdirSync(path.join(dir, r));
      mkdirSync(path.join(dir, "oracle"));
      writeFileSync(path.join(dir, "devnet-notes"), "");
      pruneOldRuns(dir, 1);
      expect(readdirSync(dir).sort()).to.deep.equal(["devnet-20260102-000000", "devnet-notes", "oracle"]);
      pruneOldRuns(path.join(dir, "missing"), 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
