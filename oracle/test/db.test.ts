import { expect } from "chai";
import fc from "fast-check";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "../src/db/types.js";
import { MIGRATIONS_DIR, migrate } from "../src/db/migrate.js";
import { checkDeploymentMeta, durabilityWarnings } from "../src/db/open.js";
import { ClientsRepository } from "../src/registry/clients.js";
import { NodeStore } from "../src/registry/nodeStore.js";
import { ReceiptStore, sealEpoch, type Candidate } from "../src/ingest/store.js";
import type { NodeEvent } from "../src/chain/fetchNodeEvents.js";
import { addr, b32 } from "./helpers/keys.js";
import { backends, truncateAll } from "./helpers/backends.js";
import { errorOf } from "./helpers/errors.js";

const h = (x: string) => x.slice(2);

function cand(over: Partial<Candidate> & { session: string }): Candidate {
  return {
    epoch: 5,
    client: h(addr("client-a")),
    node: h(addr("node-a")),
    bytes: 100,
    signature: "11".repeat(65),
    digest: h(b32(`digest:${over.session}:${over.bytes ?? 100}:${over.node ?? "a"}:${over.epoch ?? 5}`)),
    quota: 1_000_000,
    ...over,
  };
}

async function receiptRows(db: Db) {
  const { rows } = await db.query<{
    epoch: number;
    client: string;
    session: string;
    node: string;
    bytes: number;
  }>(
    `SELECT epoch, encode(client, 'hex') AS client, encode(session, 'hex') AS session, encode(node, 'hex') AS node, bytes
     FROM receipts ORDER BY epoch, client, session`,
  );
  return rows;
}

async function usageOf(db: Db, epoch: number, client: string): Promise<number | undefined> {
  const { rows } = await db.query<{ bytes: number }>(
    "SELECT bytes FROM client_usage WHERE epoch = $1 AND client = decode($2, 'hex')",
    [epoch, client],
  );
  return rows[0]?.bytes;
}

for (const backend of backends) {
  describe(`repositories on ${backend.name}`, function () {
    let db: Db;
    let cleanup: () => Promise<void>;

    before(async () => {
      ({ db, cleanup } = await backend.open());
    });
    after(async () => cleanup?.());
    beforeEach(async () => truncateAll(db));

    describe("migrations and the Db interface", () => {
      it("records each migration once and applies nothing on a second run", async () => {
        expect(await migrate(db)).to.deep.equal([]);
        const { rows } = await db.query<{ version: number; name: string }>(
          "SELECT version, name FROM schema_migrations ORDER BY version",
        );
        expect(rows[0]).to.deep.equal({ version: 1, name: "001_ingest.sql" });
      });

      it("refuses to run when an applied migration file has changed", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "msn-mig-"));
        try {
          cpSync(MIGRATIONS_DIR, dir, { recursive: true });
          writeFileSync(path.join(dir, "001_ingest.sql"), "-- edited\n", { flag: "a" });
          const err = await errorOf(migrate(db, dir));
          expect(err?.message).to.match(/001_ingest\.sql was changed after it was applied/);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it("applies a new numbered migration after the existing ones", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "msn-mig-"));
        try {
          cpSync(MIGRATIONS_DIR, dir, { recursive: true });
          writeFileSync(path.join(dir, "999_probe.sql"), "CREATE TABLE probe_t (x int); DROP TABLE probe_t;");
          expect(await migrate(db, dir)).to.deep.equal(["999_probe.sql"]);
          expect(await migrate(db, dir)).to.deep.equal([]);
        } finally {
          await db.query("DELETE FROM schema_migrations WHERE version = 999");
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it("maps bytea to Buffer and int8 to number, and refuses int8 beyond 2^53 - 1", async () => {
        const { rows } = await db.query<{ b: Buffer; n: number; t: Date }>(
          "SELECT '\\xdeadbeef'::bytea AS b, 9007199254740991::int8 AS n, now() AS t",
        );
        expect(Buffer.isBuffer(rows[0]!.b)).to.equal(true);
        expect(rows[0]!.b.toString("hex")).to.equal("deadbeef");
        expect(rows[0]!.n).to.equal(Number.MAX_SAFE_INTEGER);
        expect(rows[0]!.t).to.be.instanceOf(Date);
        const err = await errorOf(db.query("SELECT 9007199254740992::int8 AS n"));
        expect(err?.message).to.match(/beyond 2\^53 - 1/);
      });

      it("runs with synchronous commits, so a returned COMMIT survives the process", async () => {
        expect(await durabilityWarnings(db)).to.deep.equal([]);
      });

      it("rolls a transaction back when its function throws", async () => {
        await db
          .transaction(async (tx) => {
            await tx.query("INSERT INTO sealed_epochs (epoch) VALUES (77)");
            throw new Error("boom");
          })
          .catch(() => {});
        const { rows } = await db.query("SELECT * FROM sealed_epochs WHERE epoch = 77");
        expect(rows).to.have.length(0);
      });

      it("binds the database to one deployment (chain id and MinerStaking)", async () => {
        await checkDeploymentMeta(db, 31337, addr("staking"));
        await checkDeploymentMeta(db, 31337, addr("staking"));
        const err = await errorOf(checkDeploymentMeta(db, 1, addr("staking")));
        expect(err?.message).to.match(/belongs to another deployment: chain_id is 31337/);
        const err2 = await errorOf(checkDeploymentMeta(db, 31337, addr("other")));
        expect(err2?.message).to.match(/miner_staking/);
      });
    });

    describe("clients", () => {
      it("adds, reads, lists, disables, re-enables and re-quotas a client", async () => {
        const repo = new ClientsRepository(db);
        const a = addr("c1").toUpperCase().replace("0X", "0x");
        const added = await repo.add({ address: a, operator: addr("op1"), quotaBytes: 5000 });
        expect(added).to.include({
          address: addr("c1"),
          operator: addr("op1"),
          quotaBytes: 5000,
          disabled: false,
        });
        await repo.add({ address: addr("c2"), operator: addr("op2"), quotaBytes: 0 });
        expect((await repo.list()).map((c) => c.address)).to.have.members([addr("c1"), addr("c2")]);
        expect(await repo.setDisabled(addr("c1"), true)).to.equal(true);
        expect((await repo.get(addr("c1")))!.disabled).to.equal(true);
        expect(await repo.setDisabled(addr("c1"), false)).to.equal(true);
        expect(await repo.setQuota(addr("c1"), 7)).to.equal(true);
        const looked = await repo.lookup([h(addr("c1")), h(addr("nobody"))]);
        expect(looked.size).to.equal(1);
        expect(looked.get(h(addr("c1")))).to.deep.equal({
          operator: addr("op1"),
          quotaBytes: 7,
          disabled: false,
        });
      });

      it("refuses a second registration of the same address and bad addresses or quotas", async () => {
        const repo = new ClientsRepository(db);
        await repo.add({ address: addr("c1"), operator: addr("op1"), quotaBytes: 1 });
        const errs: string[] = [];
        const grab = (p: Promise<unknown>) => p.catch((e: Error) => errs.push(e.message));
        await grab(repo.add({ address: addr("c1"), operator: addr("op2"), quotaBytes: 1 }));
        await grab(repo.add({ address: "0x1234", operator: addr("op2"), quotaBytes: 1 }));
        await grab(repo.add({ address: addr("c3"), operator: "nope", quotaBytes: 1 }));
        await grab(repo.add({ address: addr("c3"), operator: addr("op2"), quotaBytes: -1 }));
        expect(errs).to.deep.equal([
          `client ${addr("c1")} is already registered`,
          'client address must be a 0x-prefixed 20-byte hex address, got "0x1234"',
          'operator address must be a 0x-prefixed 20-byte hex address, got "nope"',
          "quota must be a whole number of bytes from 0 to 2^53 - 1, got -1",
        ]);
        expect(await repo.setDisabled(addr("nobody"), true)).to.equal(false);
      });
    });

    describe("receipt store", () => {
      it("accepts a new receipt and records the client's usage", async () => {
        const store = new ReceiptStore(db);
        expect(await store.commit([cand({ session: "01".repeat(32), bytes: 100 })])).to.deep.equal([
          "accepted",
        ]);
        expect(await receiptRows(db)).to.deep.equal([
          {
            epoch: 5,
            client: h(addr("client-a")),
            session: "01".repeat(32),
            node: h(addr("node-a")),
            bytes: 100,
          },
        ]);
        expect(await usageOf(db, 5, h(addr("client-a")))).to.equal(100);
      });

      it("answers duplicate for the identical receipt, superseded for fewer bytes, and node_mismatch for another node", async () => {
        const store = new ReceiptStore(db);
        const s = "02".repeat(32);
        await store.commit([cand({ session: s, bytes: 100 })]);
        expect(
          await store.commit([
            cand({ session: s, bytes: 100 }),
            cand({ session: s, bytes: 99 }),
            cand({ session: s, bytes: 500, node: h(addr("node-b")) }),
          ]),
        ).to.deep.equal(["duplicate", "superseded", "node_mismatch"]);
        expect((await receiptRows(db))[0]!.bytes).to.equal(100);
        expect(await usageOf(db, 5, h(addr("client-a")))).to.equal(100);
      });

      it("lets a receipt with more bytes supersede the stored one, counting only the increase against the quota", async () => {
        const store = new ReceiptStore(db);
        const s = "03".repeat(32);
        expect(await store.commit([cand({ session: s, bytes: 600, quota: 1000 })])).to.deep.equal([
          "accepted",
        ]);
        // 600 -> 1000 adds 400: exactly the quota.
        expect(await store.commit([cand({ session: s, bytes: 1000, quota: 1000 })])).to.deep.equal([
          "accepted",
        ]);
        expect((await receiptRows(db))[0]!.bytes).to.equal(1000);
        expect(await usageOf(db, 5, h(addr("client-a")))).to.equal(1000);
        // one byte more in another session is over the quota
        expect(await store.commit([cand({ session: "04".repeat(32), bytes: 1, quota: 1000 })])).to.deep.equal(
          ["quota_exceeded"],
        );
      });

      it("decides the receipts of one batch in order, so a later one supersedes an earlier one", async () => {
        const store = new ReceiptStore(db);
        const s = "05".repeat(32);
        const out = await store.commit([
          cand({ session: s, bytes: 10, quota: 50 }),
          cand({ session: s, bytes: 40, quota: 50 }),
          cand({ session: s, bytes: 30, quota: 50 }),
          cand({ session: "06".repeat(32), bytes: 10, quota: 50 }),
          cand({ session: "07".repeat(32), bytes: 1, quota: 50 }),
        ]);
        expect(out).to.deep.equal(["accepted", "accepted", "superseded", "accepted", "quota_exceeded"]);
        const rows = await receiptRows(db);
        expect(rows.map((r) => r.bytes)).to.deep.equal([40, 10]);
        expect(await usageOf(db, 5, h(addr("client-a")))).to.equal(50);
      });

      it("keeps sessions of different epochs and clients apart", async () => {
        const store = new ReceiptStore(db);
        const s = "08".repeat(32);
        const out = await store.commit([
          cand({ session: s, epoch: 5 }),
          cand({ session: s, epoch: 6 }),
          cand({ session: s, client: h(addr("client-b")) }),
        ]);
        expect(out).to.deep.equal(["accepted", "accepted", "accepted"]);
        expect(await receiptRows(db)).to.have.length(3);
      });

      it("decides a batch of new and already stored sessions together (fast path), as the slow path would", async () => {
        const store = new ReceiptStore(db);
        const [s1, s2, s3, s4] = ["11", "12", "13", "14"].map((x) => x.repeat(32));
        await store.commit([
          cand({ session: s1!, bytes: 100 }),
          cand({ session: s2!, bytes: 100 }),
          cand({ session: s3!, bytes: 100 }),
        ]);
        const out = await store.commit([
          cand({ session: s1!, bytes: 100 }), // identical: duplicate
          cand({ session: s2!, bytes: 50 }), // fewer bytes: superseded
          cand({ session: s3!, bytes: 300 }), // more bytes: accepted, +200
          cand({ session: s4!, bytes: 70 }), // new: accepted
          cand({ session: "15".repeat(32), bytes: 5, node: h(addr("node-b")) }), // new, other node: accepted
        ]);
        expect(out).to.deep.equal(["duplicate", "superseded", "accepted", "accepted", "accepted"]);
        expect(await usageOf(db, 5, h(addr("client-a")))).to.equal(300 + 200 + 70 + 5);
        const rows = await receiptRows(db);
        expect(rows.map((r) => r.bytes).sort((a, b) => a - b)).to.deep.equal([5, 70, 100, 100, 300]);
      });

      it("agrees with a sequential model of the rules on random batches", async () => {
        const store = new ReceiptStore(db);
        const sessions = ["a1", "a2", "a3", "a4"].map((x) => x.repeat(32));
        const clientsHex = [h(addr("m-c1")), h(addr("m-c2"))];
        const nodesHex = [h(addr("m-n1")), h(addr("m-n2"))];
        const arbCand = fc.record({
          session: fc.constantFrom(...sessions),
          client: fc.constantFrom(...clientsHex),
          node: fc.constantFrom(...nodesHex),
          epoch: fc.constantFrom(5, 6),
          bytes: fc.integer({ min: 0, max: 400 }),
        });
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(arbCand, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
            fc.integer({ min: 0, max: 1500 }),
            async (batches, quota) => {
              await truncateAll(db);
              // the model: latest row per key and usage per (epoch, client)
              const rows = new Map<string, { node: string; bytes: number; digest: string }>();
              const use = new Map<string, number>();
              for (const batch of batches) {
                const cs = batch.map((x) =>
                  cand({
                    ...x,
                    quota,
                    digest: h(b32(`${x.session}${x.client}${x.node}${x.epoch}${x.bytes}`)),
                  }),
                );
                const expected = cs.map((c) => {
                  const key = `${c.epoch}:${c.client}:${c.session}`;
                  const prev = rows.get(key);
                  if (prev && prev.digest === c.digest) return "duplicate";
                  if (prev && prev.node !== c.node) return "node_mismatch";
                  if (prev && c.bytes <= prev.bytes) return "superseded";
                  const u = use.get(`${c.epoch}:${c.client}`) ?? 0;
                  const next = u + c.bytes - (prev?.bytes ?? 0);
                  if (next > quota) return "quota_exceeded";
                  use.set(`${c.epoch}:${c.client}`, next);
                  rows.set(key, { node: c.node, bytes: c.bytes, digest: c.digest });
                  return "accepted";
                });
                expect(await store.commit(cs)).to.deep.equal(expected);
              }
              const stored = await receiptRows(db);
              expect(stored.length).to.equal(rows.size);
              for (const r of stored)
                expect(rows.get(`${r.epoch}:${r.client}:${r.session}`)?.bytes).to.equal(r.bytes);
              for (const [k, v] of use) {
                const [e, c] = k.split(":");
                expect(await usageOf(db, Number(e), c!)).to.equal(v);
              }
            },
          ),
          { numRuns: 40, seed: 424242 },
        );
      });

      it("refuses receipts of a sealed epoch with epoch_closed, and sealing is idempotent", async () => {
        const store = new ReceiptStore(db);
        await sealEpoch(db, 5);
        await sealEpoch(db, 5);
        expect(
          await store.commit([
            cand({ session: "09".repeat(32), epoch: 5 }),
            cand({ session: "09".repeat(32), epoch: 6 }),
          ]),
        ).to.deep.equal(["epoch_closed", "accepted"]);
      });
    });

    describe("node store", () => {
      const ev = (
        block: number,
        index: number,
        node: string,
        operator: string,
        registered = true,
      ): NodeEvent => ({
        blockNumber: block,
        logIndex: index,
        txHash: b32(`tx${block}:${index}`),
        node: addr(node),
        operator: addr(operator),
        registered,
      });

      it("applies events in chain order, moves the cursor, and exposes changes by sequence", async () => {
        const store = new NodeStore(db);
        expect(await store.cursor()).to.equal(undefined);
        expect(
          await store.apply(9, 20, [
            ev(10, 0, "n1", "o1"),
            ev(12, 3, "n2", "o1"),
            ev(15, 1, "n1", "o1", false),
          ]),
        ).to.equal(true);
        expect(await store.cursor()).to.equal(20);
        const changes = await store.changesSince(0);
        expect(changes.map((c) => [c.node, c.operator])).to.deep.equal([
          [addr("n2"), addr("o1")],
          [addr("n1"), null],
        ]);
        expect(await store.apply(20, 30, [ev(25, 0, "n1", "o2")])).to.equal(true);
        const later = await store.changesSince(changes[changes.length - 1]!.seq);
        expect(later.map((c) => [c.node, c.operator])).to.deep.equal([[addr("n1"), addr("o2")]]);
        const { rows } = await db.query("SELECT * FROM node_events");
        expect(rows).to.have.length(4);
      });

      it("refuses to apply a range when another process moved the cursor first", async () => {
        const store = new NodeStore(db);
        expect(await store.apply(0, 10, [])).to.equal(true);
        expect(await store.apply(0, 10, [ev(5, 0, "n1", "o1")])).to.equal(false);
        expect(await store.changesSince(0)).to.deep.equal([]);
        expect(await store.cursor()).to.equal(10);
      });
    });
  });
}
