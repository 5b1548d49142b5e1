import { expect } from "chai";
import { keccak256, toHex } from "viem";
import Fastify from "fastify";
import { PGlite } from "@electric-sql/pglite";
import secp256k1 from "secp256k1";
import pg from "pg";

describe("toolchain smoke", () => {
  it("loads the oracle dependencies", async () => {
    expect(keccak256(toHex("x"))).to.match(/^0x/);
    const app = Fastify();
    app.get("/", async () => ({ ok: true }));
    const res = await app.inject({ method: "GET", url: "/" });
    expect(res.json()).to.deep.equal({ ok: true });
    const db = new PGlite();
    const r = await db.query<{ n: number }>("select 1 as n");
    expect(r.rows[0]!.n).to.equal(1);
    expect(typeof secp256k1.ecdsaRecover).to.equal("function");
    expect(typeof pg.Pool).to.equal("function");
  });
});
