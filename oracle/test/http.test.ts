import { expect } from "chai";
import type { Db } from "../src/db/types.js";
import { pgliteBackend, truncateAll } from "./helpers/backends.js";
import { addClients, createWorld, type World } from "./helpers/world.js";

async function count(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int8 AS n FROM receipts");
  return rows[0]!.n;
}

describe("HTTP API: bad input, limits, errors, documents", function () {
  let db: Db;
  let cleanup: () => Promise<void>;
  let w: World;
  let url: string;

  const send = async (body: string | Buffer, contentType = "application/json") => {
    const res = await fetch(`${url}/v1/receipts`, {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  };
  const receiptsJson = (rs: unknown[]) => JSON.stringify({ receipts: rs });

  /** The request was refused with `status`, stored nothing, and the server still accepts a valid batch. */
  async function refusedWith(
    request: Promise<{ status: number; json: any }>,
    status: number,
    message: RegExp,
  ) {
    const stored = await count(db);
    const res = await request;
    expect(res.status, JSON.stringify(res.json)).to.equal(status);
    expect(res.json.message).to.match(message);
    expect(await count(db)).to.equal(stored);
    const ok = await send(receiptsJson([w.receipt()]));
    expect(ok.json.results).to.deep.equal(["accepted"]);
  }

  before(async () => {
    ({ db, cleanup } = await pgliteBackend.open());
    w = await createWorld(db, { maxBatch: 10_000, bodyLimitBytes: 8 * 1024 * 1024 });
    url = await w.app.listen({ host: "127.0.0.1", port: 0 });
  });
  after(async () => {
    await w?.close();
    await cleanup?.();
  });
  beforeEach(async () => {
    await truncateAll(db);
    await addClients(w.ctx);
  });

  it("answers 400 to malformed JSON", async () => {
    await refusedWith(send('{"receipts": [{"node": '), 400, /not valid JSON/);
  });

  it("answers 413 to a 10 MB body", async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x20);
    big.write('{"receipts": [', 0);
    await refusedWith(send(big), 413, /too large/);
  });

  it("answers 400 to 10,001 receipts (the batch maximum is 10,000 here)", async () => {
    const r = w.receipt();
    const rs = Array.from({ length: 10_001 }, () => r);
    await refusedWith(send(receiptsJson(rs)), 400, /body\/receipts must have at most 10000 items, got 10001/);
  });

  it("answers 400 to an empty batch and to a body that is not an object with receipts", async () => {
    await refusedWith(send(receiptsJson([])), 400, /body\/receipts must have at least 1 item/);
    await refusedWith(send("[]"), 400, /body must be an object, got array/);
    await refusedWith(send("null"), 400, /body must be an object|null/);
    await refusedWith(send('{"receipts": {}}'), 400, /body\/receipts must be an array/);
  });

  it("answers 400 to wrong types: a string epoch, a fractional byte count, a numeric address", async () => {
    const r = w.receipt();
    await refusedWith(
      send(receiptsJson([{ ...r, epoch: String(r.epoch) }])),
      400,
      /body\/receipts\/0\/epoch must be an integer, got "10"/,
    );
    await refusedWith(
      send(receiptsJson([{ ...r, bytesServed: 1.5 }])),
      400,
      /body\/receipts\/0\/bytesServed must be an integer, got 1.5/,
    );
    await refusedWith(
      send(receiptsJson([{ ...r, node: 123 }])),
      400,
      /body\/receipts\/0\/node must be a string, got number/,
    );
  });

  it("answers 400 to negative numbers", async () => {
    const r = w.receipt();
    await refusedWith(
      send(receiptsJson([{ ...r, bytesServed: -5 }])),
      400,
      /body\/receipts\/0\/bytesServed must be >= 0, got -5/,
    );
    await refusedWith(
      send(receiptsJson([r, { ...r, epoch: -1 }])),
      400,
      /body\/receipts\/1\/epoch must be >= 0, got -1/,
    );
  });

  it("answers 400 to numbers beyond 2^53 - 1, which JSON cannot carry exactly", async () => {
    const r = w.receipt();
    const text = receiptsJson([r]).replace(/"bytesServed":\d+/, '"bytesServed":18446744073709551615');
    await refusedWith(send(text), 400, /bytesServed must be <= 9007199254740991/);
  });

  it("answers 400 to hex of the wrong length", async () => {
    const r = w.receipt();
    await refusedWith(
      send(receiptsJson([{ ...r, node: r.node.slice(0, -1) }])),
      400,
      /node must be 0x followed by 40 hex digits \(20 bytes\), got 41 characters/,
    );
    await refusedWith(
      send(receiptsJson([{ ...r, session: `${r.session}00` }])),
      400,
      /session must be 0x followed by 64 hex digits \(32 bytes\), got 68 characters/,
    );
    await refusedWith(
      send(receiptsJson([{ ...r, signature: r.signature.slice(0, 130) }])),
      400,
      /signature must be 0x followed by 130 hex digits/,
    );
    await refusedWith(
      send(receiptsJson([{ ...r, client: r.client.replace(/^0x./, "0xg") }])),
      400,
      /client must be 0x followed by 40 hex digits/,
    );
  });

  it("answers 400 to unknown fields in a receipt and in the body, and to missing fields", async () => {
    const r = w.receipt();
    await refusedWith(
      send(receiptsJson([{ ...r, operator: r.node }])),
      400,
      /body\/receipts\/0\/operator is not an allowed property/,
    );
    await refusedWith(
      send(JSON.stringify({ receipts: [r], dryRun: true })),
      400,
      /body\/dryRun is not an allowed property/,
    );
    const { signature: _s, ...unsigned } = r;
    await refusedWith(send(receiptsJson([unsigned])), 400, /body\/receipts\/0\/signature is required/);
  });

  it("answers 415 to a body of an unsupported content type, and 400 to plain text", async () => {
    await refusedWith(
      send("receipts=1", "application/x-www-form-urlencoded"),
      415,
      /Unsupported Media Type/i,
    );
    await refusedWith(send("receipts", "text/plain"), 400, /body must be an object, got string/);
  });

  it("answers 404 with a JSON message for an unknown route", async () => {
    const res = await fetch(`${url}/v2/nothing`);
    expect(res.status).to.equal(404);
    expect(await res.json()).to.deep.equal({
      statusCode: 404,
      error: "Not Found",
      code: "not_found",
      message: "no route GET /v2/nothing",
    });
  });

  it("hides the internals of a 5xx and logs them instead", async () => {
    const original = w.ctx.ingest.ingest.bind(w.ctx.ingest);
    w.ctx.ingest.ingest = async () => {
      throw new Error("connect ECONNREFUSED postgres://oracle:hunter2@db/oracle");
    };
    try {
      const res = await send(receiptsJson([w.receipt()]));
      expect(res.status).to.equal(500);
      expect(res.json).to.deep.equal({
        statusCode: 500,
        error: "Internal Server Error",
        code: "internal",
        message: "internal error",
      });
      expect(res.text).not.to.include("hunter2");
    } finally {
      w.ctx.ingest.ingest = original;
    }
    expect((await send(receiptsJson([w.receipt()]))).json.results).to.deep.equal(["accepted"]);
  });

  it("serves /health, and an OpenAPI document generated from the request and response schemas", async () => {
    const health = (await (await fetch(`${url}/health`)).json()) as any;
    expect(health).to.deep.include({ status: "ok", db: { kind: "pglite", ok: true }, chainId: 31337 });
    expect(health.registry).to.deep.equal({ source: "fixture", nodes: 3 });
    expect(health.epoch.current).to.equal(10);
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as any;
    expect(doc.openapi).to.equal("3.0.3");
    const post = doc.paths["/v1/receipts"].post;
    const body = post.requestBody.content["application/json"].schema;
    expect(body.properties.receipts.maxItems).to.equal(10_000);
    expect(body.properties.receipts.items.additionalProperties).to.equal(false);
    expect(body.properties.receipts.items.required).to.have.members([
      "node",
      "client",
      "epoch",
      "session",
      "bytesServed",
      "signature",
    ]);
    const results = post.responses["200"].content["application/json"].schema.properties.results.items;
    expect(results.enum).to.include.members([
      "accepted",
      "bad_signature",
      "quota_exceeded",
      "superseded",
      "self_dealing",
    ]);
    expect(doc.paths["/health"]).to.have.property("get");
  });
});

describe("HTTP API: per-IP rate limit and docs UI", () => {
  it("answers 429 past the per-IP request limit, while /health stays available", async () => {
    const { db, cleanup } = await pgliteBackend.open();
    const w = await createWorld(db, { rateLimitMax: 3, rateLimitWindowMs: 60_000, docsUi: true });
    try {
      await addClients(w.ctx);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await w.post([w.receipt()])).status);
      expect(statuses).to.deep.equal([200, 200, 200, 429]);
      const limited = await w.post([w.receipt()]);
      expect(limited.body.message).to.match(/Rate limit exceeded/);
      expect((await w.app.inject({ method: "GET", url: "/health" })).statusCode).to.equal(200);
      const docs = await w.app.inject({ method: "GET", url: "/docs/" });
      expect(docs.statusCode).to.equal(200);
      expect(docs.body).to.match(/swagger/i);
    } finally {
      await w.close();
      await cleanup();
    }
  });
});

describe("HTTP API: behind a trusted proxy", () => {
  it("limits each client address from X-Forwarded-For separately when ORACLE_TRUST_PROXY is set", async () => {
    const { db, cleanup } = await pgliteBackend.open();
    const w = await createWorld(db, { rateLimitMax: 1, trustProxy: true });
    try {
      await addClients(w.ctx);
      const send = (ip: string) =>
        w.app.inject({
          method: "POST",
          url: "/v1/receipts",
          headers: { "x-forwarded-for": ip },
          payload: { receipts: [w.receipt()] },
        });
      expect((await send("203.0.113.1")).statusCode).to.equal(200);
      expect((await send("203.0.113.2")).statusCode).to.equal(200);
      expect((await send("203.0.113.1")).statusCode).to.equal(429);
    } finally {
      await w.close();
      await cleanup();
    }
  });
});
