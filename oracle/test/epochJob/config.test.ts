import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig, redactConfig } from "../../src/config/load.js";
import { resolveRuntime } from "../../src/config/runtime.js";
import { DEFAULTS } from "../../src/config/schema.js";
import { createContext } from "../../src/context.js";
import { jobEnv } from "../../src/epochJob/env.js";
import { ConfigError } from "../../src/lib/errors.js";
import { createLogger } from "../../src/lib/logger.js";
import { errorOf } from "../helpers/errors.js";
import { addr } from "../helpers/keys.js";
import { testConfig } from "../helpers/world.js";
import { backends } from "../helpers/backends.js";

const KEY_A = `0x${"11".repeat(32)}`;
const KEY_B = `0x${"22".repeat(32)}`;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("epoch job configuration", () => {
  it("has defaults: wall clock, auto-run in serve, 16 stakes checked, bundles under the data directory", () => {
    const c = loadConfig({ env: {} });
    expect(c).to.include({ clock: "system", epochAutoRun: true, stakeCheckSample: 16, txTimeoutMs: 120_000 });
    expect(c.signerKeys).to.equal(undefined);
    expect(c.bundleDir).to.equal(undefined);
  });

  it("reads one or several signer keys and never shows them", () => {
    const c = loadConfig({
      env: { ORACLE_SIGNER_KEY: `${KEY_A}, ${KEY_B.toUpperCase().replace("0X", "0x")}` },
    });
    expect(c.signerKeys).to.deep.equal([KEY_A, KEY_B]);
    const shown = JSON.stringify(redactConfig(c));
    expect(shown).to.include('"signerKeys":["***","***"]');
    expect(shown).not.to.include("1111");
  });

  it("names every bad value, without echoing a key", () => {
    expect(
      problemsOf(() =>
        loadConfig({
          env: {
            ORACLE_CLOCK: "moon",
            ORACLE_SIGNER_KEY: `${KEY_A},0x1234`,
            ORACLE_STAKE_CHECK_SAMPLE: "-1",
            ORACLE_REWARDS_DISTRIBUTOR: "0xabc",
            ORACLE_EPOCH_AUTORUN: "perhaps",
          },
        }),
      ),
    ).to.deep.equal([
      'ORACLE_REWARDS_DISTRIBUTOR: must be a 0x-prefixed 20-byte hex address (got "0xabc")',
      "ORACLE_SIGNER_KEY: must be one or more comma-separated 0x-prefixed 32-byte hex private keys",
      'ORACLE_CLOCK: must be one of system, chain (got "moon")',
      'ORACLE_EPOCH_AUTORUN: must be true or false (got "perhaps")',
      'ORACLE_STAKE_CHECK_SAMPLE: must be an integer from 0 to 100000 (got "-1")',
    ]);
    expect(problemsOf(() => loadConfig({ env: { ORACLE_SIGNER_KEY: `${KEY_A},${KEY_A}` } }))).to.deep.equal([
      "ORACLE_SIGNER_KEY: lists the same key twice",
    ]);
  });

  it("takes the RewardsDistributor from the deployments file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "msn-epochcfg-"));
    try {
      const file = path.join(dir, "dep.json");
      writeFileSync(
        file,
        JSON.stringify({
          chainId: 5,
          deploymentBlock: 1,
          contracts: { MinerStaking: addr("s"), RewardsDistributor: addr("d") },
        }),
      );
      const rt = await resolveRuntime({
        ...DEFAULTS,
        verifyThreads: 0,
        deploymentsFile: file,
        epochLength: 86400,
        genesisTime: 1,
        nodesFile: "n.json",
      });
      expect(rt.rewardsDistributor).to.equal(addr("d"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses the chain clock without a chain", async () => {
    const err = await errorOf(
      createContext(
        { ...testConfig(), nodesFile: "nodes.json", clock: "chain" },
        { logger: createLogger("silent") },
      ),
    );
    expect(err?.message).to.equal(
      "invalid configuration: ORACLE_CLOCK=chain needs RPC_URL (the clock is the chain's latest block time)",
    );
  });

  it("lists everything the epoch job lacks at once; the read API still documents itself and answers 503", async () => {
    const { db, cleanup } = await backends[0]!.open();
    const ctx = await createContext(
      { ...testConfig(), nodesFile: undefined },
      {
        db,
        logger: createLogger("silent"),
        registry: {
          operatorOf: () => undefined,
          nodesOf: async () => [],
          size: 0,
          start: async () => {},
          stop: async () => {},
          status: () => ({ source: "fixture", nodes: 0 }),
        },
      },
    );
    try {
      expect(problemsOf(() => jobEnv(ctx))).to.deep.equal([
        "the epoch job needs a chain: set RPC_URL",
        "RewardsDistributor address unknown: set ORACLE_DEPLOYMENTS_FILE (contracts.RewardsDistributor) or ORACLE_REWARDS_DISTRIBUTOR",
        "EmissionMinter address unknown: set ORACLE_DEPLOYMENTS_FILE or ORACLE_EMISSION_MINTER",
        "deployment block unknown: set ORACLE_DEPLOYMENTS_FILE or ORACLE_DEPLOYMENT_BLOCK",
        "no oracle signer: set ORACLE_SIGNER_KEY (private key of a member of the oracle set)",
      ]);
      // The read API answers 503 without a chain instead of failing.
      const { buildApp } = await import("../../src/http/app.js");
      const app = await buildApp(ctx);
      const res = await app.inject({ method: "GET", url: `/v1/rewards/${addr("x")}` });
      expect(res.statusCode).to.equal(503);
      expect(res.json()).to.include({
        code: "unavailable",
        message: "this oracle has no chain configured (RPC_URL, RewardsDistributor)",
      });
      const list = await app.inject({ method: "GET", url: "/v1/epochs" });
      expect(list.json()).to.deep.equal({ epochs: [], next: null });
      const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json() as {
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      };
      expect(Object.keys(doc.paths)).to.include.members([
        "/v1/rewards/{account}",
        "/v1/epochs",
        "/v1/epochs/{n}",
        "/v1/epochs/{n}/bundle",
      ]);
      expect(Object.keys(doc.paths["/v1/rewards/{account}"]!.get!.responses)).to.include.members([
        "200",
        "4XX",
        "5XX",
      ]);
      await app.close();
    } finally {
      const { closeContext } = await import("../../src/context.js");
      await closeContext(ctx, { keepDb: true });
      await cleanup();
    }
  });
});
