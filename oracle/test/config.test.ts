import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig, redactConfig } from "../src/config/load.js";
import { resolveRuntime } from "../src/config/runtime.js";
import { DEFAULTS } from "../src/config/schema.js";
import { ConfigError } from "../src/lib/errors.js";
import { addr } from "./helpers/keys.js";
import { errorOf } from "./helpers/errors.js";

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "msn-config-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("has safe defaults: 127.0.0.1, embedded database, batches of 1,000, 10 Gbit/s link cap", () => {
    const c = loadConfig({ env: {} });
    expect(c).to.include({
      host: "127.0.0.1",
      dataDir: ".data/oracle",
      maxBatch: 1000,
      linkCapBitsPerSecond: 10_000_000_000,
      logLevel: "info",
    });
    expect(c.databaseUrl).to.equal(undefined);
    expect(c.verifyThreads).to.be.greaterThan(0);
  });

  const cases: [string, string, string][] = [
    ["ORACLE_PORT", "http", 'ORACLE_PORT: must be an integer from 0 to 65535 (got "http")'],
    ["ORACLE_PORT", "70000", 'ORACLE_PORT: must be an integer from 0 to 65535 (got "70000")'],
    [
      "LOG_LEVEL",
      "loud",
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    ["DATABASE_URL", "mysql://u:secret@h/db", "DATABASE_URL: must be a postgres:// or postgresql:// URL"],
    ["DATABASE_URL", "not a url secret", "DATABASE_URL: must be a valid URL"],
    ["RPC_URL", "ftp://node", "RPC_URL: must be an http(s):// or ws(s):// URL"],
    [
      "ORACLE_MINER_STAKING",
      "0x1234",
      'ORACLE_MINER_STAKING: must be a 0x-prefixed 20-byte hex address (got "0x1234")',
    ],
    ["ORACLE_CHAIN_ID", "0", 'ORACLE_CHAIN_ID: must be an integer from 1 to 9007199254740991 (got "0")'],
    ["ORACLE_MAX_BATCH", "0", 'ORACLE_MAX_BATCH: must be an integer from 1 to 10000 (got "0")'],
    ["ORACLE_MAX_BATCH", "10001", 'ORACLE_MAX_BATCH: must be an integer from 1 to 10000 (got "10001")'],
    [
      "ORACLE_BODY_LIMIT_BYTES",
      "10",
      'ORACLE_BODY_LIMIT_BYTES: must be an integer from 1024 to 67108864 (got "10")',
    ],
    [
      "ORACLE_RATE_LIMIT_MAX",
      "-1",
      'ORACLE_RATE_LIMIT_MAX: must be an integer from 1 to 9007199254740991 (got "-1")',
    ],
    [
      "ORACLE_LINK_CAP_BPS",
      "1.5",
      'ORACLE_LINK_CAP_BPS: must be an integer from 1 to 9007199254740991 (got "1.5")',
    ],
    [
      "ORACLE_GRACE_SECONDS",
      "soon",
      'ORACLE_GRACE_SECONDS: must be an integer from 0 to 9007199254740991 (got "soon")',
    ],
    ["ORACLE_EPOCH_LENGTH", "0", 'ORACLE_EPOCH_LENGTH: must be an integer from 1 to 31536000 (got "0")'],
    ["ORACLE_VERIFY_THREADS", "100", 'ORACLE_VERIFY_THREADS: must be an integer from 0 to 64 (got "100")'],
    [
      "ORACLE_DEFAULT_QUOTA_BYTES",
      "1e99",
      'ORACLE_DEFAULT_QUOTA_BYTES: must be an integer from 0 to 9007199254740991 (got "1e99")',
    ],
    ["ORACLE_DOCS_UI", "maybe", 'ORACLE_DOCS_UI: must be true or false (got "maybe")'],
  ];
  for (const [name, value, message] of cases) {
    it(`refuses ${name}=${value} with a clear message`, () => {
      expect(problemsOf(() => loadConfig({ env: { [name]: value } }))).to.deep.equal([message]);
    });
  }

  it("never echoes the value of a secret (database or RPC URL)", () => {
    const [p] = problemsOf(() => loadConfig({ env: { DATABASE_URL: "mysql://u:hunter2@h/db" } }));
    expect(p).not.to.include("hunter2");
  });

  it("reports every bad value at once, one line each", () => {
    const err = (() => {
      try {
        loadConfig({ env: { ORACLE_PORT: "x", LOG_LEVEL: "y", ORACLE_MAX_BATCH: "z" } });
      } catch (e) {
        return e as ConfigError;
      }
    })()!;
    expect(err.problems).to.have.length(3);
    expect(err.message.split("\n")).to.have.length(4);
    expect(err.message).to.match(/^invalid configuration:\n {2}ORACLE_PORT/);
  });

  it("refuses a grace period as long as the epoch, and both a deployments file and a network", () => {
    expect(
      problemsOf(() => loadConfig({ env: { ORACLE_EPOCH_LENGTH: "600", ORACLE_GRACE_SECONDS: "600" } })),
    ).to.deep.equal(["ORACLE_GRACE_SECONDS: must be shorter than the epoch length (600 >= 600)"]);
    expect(
      problemsOf(() => loadConfig({ env: { ORACLE_DEPLOYMENTS_FILE: "x.json", ORACLE_NETWORK: "sepolia" } })),
    ).to.deep.equal(["ORACLE_DEPLOYMENTS_FILE and ORACLE_NETWORK: set one, not both"]);
  });

  it("reads a JSON config file, lets the environment override it and CLI flags override both", () => {
    const file = path.join(dir, "oracle.json");
    writeFileSync(file, JSON.stringify({ port: 9000, maxBatch: 50, logLevel: "warn" }));
    const c = loadConfig({
      env: { ORACLE_CONFIG: file, ORACLE_MAX_BATCH: "60" },
      overrides: { logLevel: "debug" },
    });
    expect(c).to.include({ port: 9000, maxBatch: 60, logLevel: "debug" });
  });

  it("refuses a config file with unknown keys, bad values, bad JSON, or that does not exist", () => {
    const file = path.join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ port: "eighty", colour: "red" }));
    expect(problemsOf(() => loadConfig({ env: {}, file }))).to.deep.equal([
      `${file}: unknown key "colour"`,
      `${file}: port: must be an integer from 0 to 65535 (got "eighty")`,
    ]);
    writeFileSync(file, "{ port: 1 ");
    expect(problemsOf(() => loadConfig({ env: {}, file }))[0]).to.match(/is not valid JSON/);
    writeFileSync(file, "[1]");
    expect(problemsOf(() => loadConfig({ env: {}, file }))).to.deep.equal([
      `config file ${file} must hold a JSON object`,
    ]);
    expect(problemsOf(() => loadConfig({ env: {}, file: path.join(dir, "missing.json") }))[0]).to.match(
      /does not exist/,
    );
  });

  it("redacts credentials, paths and query strings of URLs for logging", () => {
    const c = loadConfig({
      env: {
        DATABASE_URL: "postgres://oracle:hunter2@db.internal:5432/oracle",
        RPC_URL: "https://eth.example/v2/API-KEY?x=1",
      },
    });
    const r = redactConfig(c);
    expect(r.databaseUrl).to.equal("postgres://db.internal:5432/***");
    expect(r.rpcUrl).to.equal("https://eth.example/***");
    expect(JSON.stringify(r)).not.to.match(/hunter2|API-KEY/);
  });

  describe("runtime parameters (deployments file and chain)", () => {
    const deployments = (content: unknown) => {
      const file = path.join(dir, `dep-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(content));
      return file;
    };
    const base = { ...DEFAULTS, verifyThreads: 0 };

    it("reads chain id, MinerStaking and the deployment block from the deployments file", async () => {
      const file = deployments({
        chainId: 11155111,
        deploymentBlock: 1234,
        contracts: { MinerStaking: addr("s"), EmissionMinter: addr("e") },
      });
      const rt = await resolveRuntime({
        ...base,
        deploymentsFile: file,
        epochLength: 86400,
        genesisTime: 1,
        nodesFile: "n.json",
      });
      expect(rt).to.deep.include({
        chainId: 11155111,
        minerStaking: addr("s"),
        emissionMinter: addr("e"),
        deploymentBlock: 1234,
      });
      expect(rt.domain).to.deep.equal({ chainId: 11155111, verifyingContract: addr("s") });
    });

    it("says what is missing when there is neither a chain nor explicit values", async () => {
      const err = (await errorOf(resolveRuntime(base))) as ConfigError;
      expect(err.problems).to.deep.equal([
        "chain id unknown: set ORACLE_DEPLOYMENTS_FILE (or ORACLE_NETWORK) or ORACLE_CHAIN_ID",
        "MinerStaking address unknown (it is the receipts' EIP-712 verifying contract): set ORACLE_DEPLOYMENTS_FILE with contracts.MinerStaking, or ORACLE_MINER_STAKING",
        "epoch length and genesis time unknown: set RPC_URL and an EmissionMinter (deployments file or ORACLE_EMISSION_MINTER), or both ORACLE_EPOCH_LENGTH and ORACLE_GENESIS_TIME",
        "no node registry: set RPC_URL and a deployments file (MinerStaking events are indexed from deploymentBlock), or ORACLE_NODES_FILE",
      ]);
    });

    it("refuses a deployments file that is missing or has bad fields", async () => {
      const missing = await errorOf(
        resolveRuntime({ ...base, deploymentsFile: path.join(dir, "none.json") }),
      );
      expect(missing?.message).to.match(
        /deployments file .*none\.json does not exist \(run the deploy script first\)/,
      );
      const bad = deployments({ chainId: "one", deploymentBlock: -1, contracts: { MinerStaking: "0x12" } });
      const err = (await errorOf(resolveRuntime({ ...base, deploymentsFile: bad }))) as ConfigError;
      expect(err.problems).to.deep.equal([
        `deployments file ${bad}: chainId must be a positive integer`,
        `deployments file ${bad}: deploymentBlock must be a non-negative integer`,
        `deployments file ${bad}: contracts.MinerStaking must be an address`,
      ]);
    });

    it("maps ORACLE_NETWORK to deployments/<network>.json", () => {
      expect(loadConfig({ env: { ORACLE_NETWORK: "sepolia" } }).deploymentsFile).to.equal(
        path.join("deployments", "sepolia.json"),
      );
    });
  });
});
