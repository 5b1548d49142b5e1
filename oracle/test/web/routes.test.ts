import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Db } from "../../src/db/types.js";
import { NodeStore } from "../../src/registry/nodeStore.js";
import { scheduleYear, YEAR_SECONDS } from "../../src/web/overview.js";
import { pgliteBackend } from "../helpers/backends.js";
import { CHAIN_ID, createWorld, nodes, ops, STAKING, type World } from "../helpers/world.js";

describe("web app routes: /, /v1/config, /v1/overview, /v1/operators/:account/nodes", () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let dir: string;
  const worlds: World[] = [];

  before(async () => {
    ({ db, cleanup } = await pgliteBackend.open());
    dir = mkdtempSync(path.join(tmpdir(), "msn-webdir-"));
  });
  after(async () => {
    for (const w of worlds) await w.close();
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });

  async function world(webDir: string): Promise<World> {
    const w = await createWorld(db, { webDir, webRpcUrl: "http://127.0.0.1:8545/" });
    worlds.push(w);
    return w;
  }

  it("serves the built page at / and says how to build it when it is not", async () => {
    const empty = path.join(dir, "empty");
    const notBuilt = await world(empty);
    const res = await notBuilt.app.inject({ method: "GET", url: "/" });
    expect(res.statusCode).to.equal(503);
    expect(res.json()).to.include({ code: "web_app_not_built" });
    expect(res.json().message).to.match(/the web app is not built: run npm run build:web/);

    const built = path.join(dir, "built");
    rmSync(built, { recursive: true, force: true });
    mkdirSync(built);
    writeFileSync(path.join(built, "index.html"), "<!doctype html><title>MSN miner</title>");
    writeFileSync(path.join(built, "app.js"), "export {};");
    writeFileSync(path.join(built, "style.css"), "body { color: red; }");
    writeFileSync(path.join(built, "style.css.gz"), gzipSync("body { color: red; }"));
    writeFileSync(path.join(built, "index.html.gz"), gzipSync("<!doctype html><title>MSN miner</title>"));
    const w = await world(built);
    const page = await w.app.inject({ method: "GET", url: "/" });
    expect(page.statusCode).to.equal(200);
    expect(page.headers["content-type"]).to.match(/^text\/html/);
    expect(page.body).to.contain("MSN miner");
    // What a browser sends: the compressed copy of the page.
    const compressed = await w.app.inject({
      method: "GET",
      url: "/",
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    expect(compressed.statusCode).to.equal(200);
    expect(compressed.headers["content-encoding"]).to.equal("gzip");
    const js = await w.app.inject({ method: "GET", url: "/app.js" });
    expect(js.statusCode).to.equal(200);
    expect(js.headers["content-type"]).to.match(/javascript/);
    // A compressed copy goes to browsers that accept it.
    const gz = await w.app.inject({
      method: "GET",
      url: "/style.css",
      headers: { "accept-encoding": "gzip" },
    });
    expect(gz.statusCode).to.equal(200);
    expect(gz.headers["content-encoding"]).to.equal("gzip");
    const plain = await w.app.inject({ method: "GET", url: "/style.css" });
    expect(plain.headers["content-encoding"]).to.equal(undefined);
    expect(plain.body).to.equal("body { color: red; }");
    const missing = await w.app.inject({ method: "GET", url: "/nope.js" });
    expect(missing.statusCode).to.equal(404);
  });

  it("answers the deployment a wallet needs; without a chain, the overview is 503 with the reason", async () => {
    const w = await world(path.join(dir, "empty"));
    const cfg = await w.app.inject({ method: "GET", url: "/v1/config" });
    expect(cfg.statusCode).to.equal(200);
    expect(cfg.json()).to.deep.include({
      chainId: CHAIN_ID,
      rpcUrl: "http://127.0.0.1:8545/",
      challengeWindow: null,
      contracts: {
        MSNToken: null,
        MinerStaking: STAKING.toLowerCase(),
        RewardsDistributor: null,
        EmissionMinter: null,
      },
    });
    const ov = await w.app.inject({ method: "GET", url: "/v1/overview" });
    expect(ov.statusCode).to.equal(503);
    expect(ov.json()).to.include({ code: "no_chain" });
    expect(ov.json().message).to.match(/needs RPC_URL/);
  });

  it("lists an operator's nodes, sorted and limited, and refuses a malformed address or limit", async () => {
    const w = await world(path.join(dir, "empty"));
    const res = await w.app.inject({
      method: "GET",
      url: `/v1/operators/${ops.A.toUpperCase().replace("0X", "0x")}/nodes`,
    });
    expect(res.statusCode).to.equal(200);
    expect(res.json()).to.deep.equal({
      operator: ops.A.toLowerCase(),
      nodes: [nodes.A1, nodes.A2].map((n) => n.toLowerCase()).sort(),
      indexedBlock: null,
    });
    const one = await w.app.inject({ method: "GET", url: `/v1/operators/${ops.A}/nodes?limit=1` });
    expect(one.json().nodes).to.have.length(1);
    const none = await w.app.inject({ method: "GET", url: `/v1/operators/${ops.C}/nodes` });
    expect(none.json().nodes).to.deep.equal([]);
    for (const url of [
      "/v1/operators/0x1234/nodes",
      `/v1/operators/${ops.A}/nodes?limit=0`,
      `/v1/operators/${ops.A}/nodes?limit=1001`,
      `/v1/operators/${ops.A}/nodes?other=1`,
    ]) {
      const bad = await w.app.inject({ method: "GET", url });
      expect(bad.statusCode, url).to.equal(400);
      expect(bad.json().code).to.equal("invalid_request");
    }
  });

  it("looks an operator's nodes up in the chain registry's table, without deregistered ones", async () => {
    const store = new NodeStore(db);
    const tx = `0x${"11".repeat(32)}` as const;
    const n = (i: number) => `0x${i.toString(16).padStart(40, "0")}` as const;
    const op = n(0xaa);
    const other = n(0xbb);
    await store.apply(0, 5, [
      { blockNumber: 1, logIndex: 0, txHash: tx, node: n(3), operator: op, registered: true },
      { blockNumber: 1, logIndex: 1, txHash: tx, node: n(1), operator: op, registered: true },
      { blockNumber: 2, logIndex: 0, txHash: tx, node: n(2), operator: op, registered: true },
      { blockNumber: 3, logIndex: 0, txHash: tx, node: n(4), operator: other, registered: true },
      { blockNumber: 4, logIndex: 0, txHash: tx, node: n(2), operator: op, registered: false },
    ]);
    expect(await store.nodesOf(op, 100)).to.deep.equal([n(1), n(3)]);
    expect(await store.nodesOf(op, 1)).to.deep.equal([n(1)]);
    expect(await store.nodesOf(other, 100)).to.deep.equal([n(4)]);
    expect(await store.nodesOf(n(0xcc), 100)).to.deep.equal([]);
  });

  it("places a time in the emission schedule's 365-day years", () => {
    const g = 1_800_000_000;
    expect(scheduleYear(g - 1, g)).to.deep.equal({ year: null, yearStart: g });
    expect(scheduleYear(g, g)).to.deep.equal({ year: 0, yearStart: g });
    expect(scheduleYear(g + YEAR_SECONDS - 1, g)).to.deep.equal({ year: 0, yearStart: g });
    expect(scheduleYear(g + YEAR_SECONDS, g)).to.deep.equal({ year: 1, yearStart: g + YEAR_SECONDS });
    expect(scheduleYear(g + 10 * YEAR_SECONDS + 5, g)).to.deep.equal({
      year: 10,
      yearStart: g + 10 * YEAR_SECONDS,
    });
  });
});
