/**
 * `npm start` as CI runs it: the devnet's main job in a child process with a small simulation (a real
 * Hardhat node, deployment, oracle, receipts over HTTP, epoch jobs, claims). It must exit 0 with every
 * check ok; with a deliberately wrong claim it must exit 1 naming the checks that caught it; and whatever
 * happens, the chain it started must be gone afterwards.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ROOT } from "../helpers/child.js";
import { DEVNET_MAIN, smallDevnetArgs } from "../helpers/devnet.js";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The Hardhat node's PID, from the progress line. */
  nodePid: number | undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the devnet with `args`; `onOutput` may act on what it printed so far (e.g. send a signal). */
function runDevnet(
  args: string[],
  onOutput?: (stderr: string, pid: number) => void,
  timeoutMs = 110_000,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", DEVNET_MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      onOutput?.(stderr, child.pid!);
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`devnet did not finish in ${timeoutMs / 1000} s:\n${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const m = /hardhat node on \S+: \S+, pid (\d+)/.exec(stderr);
      resolve({ code, stdout, stderr, nodePid: m ? Number(m[1]) : undefined });
    });
  });
}

describe("npm start (the devnet's main job), small simulation", function () {
  this.timeout(240_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "msn-devnet-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function args(name: string, extra: string[] = []): Promise<string[]> {
    return [...(await smallDevnetArgs(path.join(dir, name))), ...extra];
  }

  it("runs the whole system, claims every reward and passes every check (exit 0)", async () => {
    const run = await runDevnet(await args("ok"));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/all \d+ checks ok\n$/);
    expect(run.stdout).to.not.contain("FAIL");
    // The genesis split, as the deploy script checked it on chain.
    expect(run.stderr).to.match(/^ {2}Private sale +\| +26,000,000 \| VestingVault 0x[0-9a-fA-F]{40} /m);
    expect(run.stderr).to.match(/^ {2}total +\| 100,000,000 \| .*\| ok$/m);
    expect(run.stdout).to.contain("Σ claimed = the last root's total");
    expect(run.stdout).to.contain("last total + carry = Σ emission of the epochs");
    expect(run.stdout).to.match(/epoch 1: the oracle answered every receipt as the simulation expects/);
    for (const reason of ["over_capacity", "self_dealing", "superseded", "quota_exceeded", "epoch_closed"]) {
      expect(run.stdout).to.contain(reason);
    }
    expect(run.nodePid).to.be.a("number");
    expect(alive(run.nodePid!), "the Hardhat node is stopped").to.equal(false);
  });

  it("fails (exit 1) naming the checks when an operator claims a wrong amount", async () => {
    const run = await runDevnet(await args("wrong-claim", ["--fault", "wrong-claim"]));
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.contain("check(s) FAILED — the accounting does not add up");
    expect(run.stderr).to.match(
      /FAIL Σ claimed = the last root's total: .* MSN claimed, .* in the root of epoch 1/,
    );
    expect(run.stderr).to.contain("FAIL each operator: claimed on chain = read API cumulative = bundle leaf");
    // Everything else still adds up: only the claim was wrong.
    const failedLines = run.stdout.split("\n").filter((l) => l.startsWith("  FAIL"));
    expect(failedLines).to.have.length(2);
    expect(alive(run.nodePid!)).to.equal(false);
  });

  it("stops the chain and the oracle it started on Ctrl-C mid-way (exit 130) and on a failed step (exit 1)", async () => {
    let sent = false;
    const interrupted = await runDevnet(await args("sigint"), (stderr, pid) => {
      if (!sent && stderr.includes("starting the oracle")) {
        sent = true;
        process.kill(pid, "SIGINT");
      }
    });
    expect(interrupted.code, interrupted.stderr).to.equal(130);
    expect(interrupted.stderr).to.contain("SIGINT: stopping the oracle and the chain");
    expect(alive(interrupted.nodePid!)).to.equal(false);

    // The deployment record cannot be written (its directory would be inside a file): the deploy step fails
    // after the chain started.
    const file = path.join(dir, "not-a-directory");
    writeFileSync(file, "");
    const failed = await runDevnet([
      ...(await args("fail")),
      "--deployments-dir",
      path.join(file, "deployments"),
    ]);
    expect(failed.code).to.equal(1);
    expect(failed.stderr).to.match(
      /devnet failed: hardhat run scripts\/deploy.ts --network localhost failed/,
    );
    expect(alive(failed.nodePid!)).to.equal(false);
  });

  it("refuses bad options with a one-line message (exit 2)", async () => {
    const run = await runDevnet(["--nodes", "3", "--operators", "5"]);
    expect(run.code).to.equal(2);
    expect(run.stderr.trim()).to.equal(
      "devnet: --operators (5) must not exceed --nodes (3): every operator runs a node",
    );
    const bad = await runDevnet(["--fault", "nope"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("--fault must be one of wrong-claim, skip-claim");
  });
});
