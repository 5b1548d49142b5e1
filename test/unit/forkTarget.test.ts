import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

import {
  CONTRACT_NAMES,
  ForkSetupError,
  preflight,
  readForkInputs,
  redactUrl,
  ROOT_DIR,
} from "../../scripts/lib/forkTarget";

/** A fake deployed chain: answers eth_chainId, eth_blockNumber and eth_getCode like a node would. */
interface FakeChain {
  chainId: number;
  latest: number;
  /** Lower-case addresses with code. */
  code: Set<string>;
  /** Answer every request with this HTTP status instead. */
  status?: number;
}

const addresses = CONTRACT_NAMES.map((_, i) => "0x" + (i + 1).toString(16).padStart(40, "a"));

describe("fork suite target (FORK_* inputs and preflight)", () => {
  let server: http.Server;
  let url: string;
  let chain: FakeChain;
  let dir: string;

  const record = (overrides: Record<string, unknown> = {}) => ({
    network: "localhost",
    chainId: 31337,
    deploymentBlock: 3,
    contracts: Object.fromEntries(CONTRACT_NAMES.map((n, i) => [n, addresses[i]])),
    ...overrides,
  });
  const writeRecord = (value: unknown, name = "deployment.json") => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
    return file;
  };
  const run = (env: Record<string, string>) => preflight(readForkInputs(env));

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "msn-fork-target-"));
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (chain.status) {
          res.writeHead(chain.status).end("nope");
          return;
        }
        const { id, method, params } = JSON.parse(body);
        const result =
          method === "eth_chainId"
            ? "0x" + chain.chainId.toString(16)
            : method === "eth_blockNumber"
              ? "0x" + chain.latest.toString(16)
              : chain.code.has(String(params[0]).toLowerCase())
                ? "0x6000"
                : "0x";
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", id, result }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    chain = { chainId: 31337, latest: 10, code: new Set(addresses) };
  });

  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("inputs", () => {
    it("refuses to run without FORK_URL, saying how to set it", () => {
      expect(() => readForkInputs({})).to.throw(ForkSetupError, "fork suite: FORK_URL is not set");
    });

    it("refuses a FORK_URL that is not an http(s) URL, a bad FORK_BLOCK, and FORK_DEPLOYMENT with FORK_NETWORK", () => {
      expect(() => readForkInputs({ FORK_URL: "ws://x" })).to.throw(ForkSetupError, "http(s) JSON-RPC URL");
      expect(() => readForkInputs({ FORK_URL: url, FORK_BLOCK: "-1" })).to.throw(
        ForkSetupError,
        "FORK_BLOCK",
      );
      expect(() => readForkInputs({ FORK_URL: url, FORK_BLOCK: "12abc" })).to.throw(
        ForkSetupError,
        "FORK_BLOCK",
      );
      expect(() =>
        readForkInputs({ FORK_URL: url, FORK_DEPLOYMENT: "a.json", FORK_NETWORK: "sepolia" }),
      ).to.throw(ForkSetupError, "not both");
      expect(() => readForkInputs({ FORK_URL: url, FORK_NETWORK: "../x" })).to.throw(
        ForkSetupError,
        "network name",
      );
    });

    it("reads deployments/localhost.json by default and deployments/<FORK_NETWORK>.json when named", () => {
      expect(readForkInputs({ FORK_URL: url }).deploymentFile).to.equal(
        path.join(ROOT_DIR, "deployments", "localhost.json"),
      );
      const inputs = readForkInputs({ FORK_URL: url, FORK_NETWORK: "sepolia", FORK_BLOCK: "42" });
      expect(inputs.deploymentFile).to.equal(path.join(ROOT_DIR, "deployments", "sepolia.json"));
      expect(inputs.block).to.equal(42);
    });

    it("never shows an RPC URL's path, query or credentials (where providers put API keys)", () => {
      expect(redactUrl("https://eth-mainnet.g.alchemy.com/v2/SECRETKEY")).to.equal(
        "https://eth-mainnet.g.alchemy.com/…",
      );
      expect(redactUrl("https://user:pass@rpc.example.org/?key=SECRET")).to.equal(
        "https://rpc.example.org/…",
      );
      expect(redactUrl("http://127.0.0.1:8545")).to.equal("http://127.0.0.1:8545");
      let message = "";
      try {
        readForkInputs({ FORK_URL: "ftp://u:SECRET@h/k" });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).to.include("must be an http(s) JSON-RPC URL").and.not.include("SECRET");
    });
  });

  describe("preflight", () => {
    it("fails with a one-line reason when FORK_URL is unreachable", async () => {
      const file = writeRecord(record());
      const error = await run({ FORK_URL: "http://127.0.0.1:1", FORK_DEPLOYMENT: file }).catch(
        (e: Error) => e,
      );
      expect(error).to.be.instanceOf(ForkSetupError);
      expect((error as Error).message).to.equal(
        "fork suite: FORK_URL http://127.0.0.1:1 is unreachable (ECONNREFUSED)",
      );
      expect((error as Error).stack).to.not.include("\n");
    });

    it("fails when the node answers with an HTTP error", async () => {
      chain.status = 503;
      const error = await run({ FORK_URL: url, FORK_DEPLOYMENT: writeRecord(record()) }).catch(
        (e: Error) => e,
      );
      expect((error as Error).message).to.include("is unreachable (HTTP 503");
    });

    it("fails when the deployments file is missing, not JSON, or lacks an address", async () => {
      const missing = path.join(dir, "none.json");
      await expectFailure(
        run({ FORK_URL: url, FORK_DEPLOYMENT: missing }),
        `deployments file ${missing} does not exist`,
      );
      await expectFailure(run({ FORK_URL: url, FORK_DEPLOYMENT: writeRecord("{oops") }), "is not valid JSON");
      const noStaking = record();
      delete (noStaking.contracts as Record<string, string>).MinerStaking;
      await expectFailure(
        run({ FORK_URL: url, FORK_DEPLOYMENT: writeRecord(noStaking) }),
        "has no address for MinerStaking",
      );
    });

    it("fails when the deployments file is for another chain id", async () => {
      await expectFailure(
        run({ FORK_URL: url, FORK_DEPLOYMENT: writeRecord(record({ chainId: 11155111 })) }),
        `is for chain id 11155111, but FORK_URL ${url} serves chain id 31337`,
      );
    });

    it("fails when a recorded address has no code on the chain at the fork block", async () => {
      chain.code.delete(addresses[4]);
      await expectFailure(
        run({ FORK_URL: url, FORK_DEPLOYMENT: writeRecord(record()) }),
        "no contract at RewardsDistributor",
      );
    });

    it("fails when FORK_BLOCK is after the latest block or before the deployment block", async () => {
      const file = writeRecord(record());
      await expectFailure(
        run({ FORK_URL: url, FORK_DEPLOYMENT: file, FORK_BLOCK: "11" }),
        "after the chain's latest block 10",
      );
      await expectFailure(
        run({ FORK_URL: url, FORK_DEPLOYMENT: file, FORK_BLOCK: "2" }),
        "before the deployment block 3",
      );
    });

    it("accepts a matching chain: forks at the latest block unless FORK_BLOCK says otherwise", async () => {
      const file = writeRecord(record());
      const latest = await run({ FORK_URL: url, FORK_DEPLOYMENT: file });
      expect([latest.chainId, latest.latestBlock, latest.forkBlock]).to.deep.equal([31337, 10, 10]);
      expect(Object.keys(latest.contracts)).to.deep.equal([...CONTRACT_NAMES]);
      expect((await run({ FORK_URL: url, FORK_DEPLOYMENT: file, FORK_BLOCK: "3" })).forkBlock).to.equal(3);
    });
  });
});

async function expectFailure(promise: Promise<unknown>, reason: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, `expected a failure: ${reason}`).to.be.instanceOf(ForkSetupError);
  expect((error as Error).message).to.include(reason);
}
