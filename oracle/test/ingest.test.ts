import { expect } from "chai";
import type { Db } from "../src/db/types.js";
import { sealEpoch } from "../src/ingest/store.js";
import { hashTypedData } from "viem";
import {
  PACKED_SIZE,
  RECEIPT_TYPES,
  ReceiptSigner,
  packReceipt,
  typedDataDomain,
  type SignedReceipt,
} from "../src/receipts/index.js";
import { toHex } from "../src/lib/hex.js";
import { backends, pgliteBackend, truncateAll } from "./helpers/backends.js";
import { account, addr } from "./helpers/keys.js";
import {
  CAP_BYTES,
  DOMAIN,
  EPOCH_LENGTH,
  GENESIS,
  GRACE,
  QUOTA,
  addClients,
  clients,
  createWorld,
  nodes,
  type World,
} from "./helpers/world.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

async function storedBytes(db: Db): Promise<number[]> {
  const { rows } = await db.query<{ bytes: number }>(
    "SELECT bytes FROM receipts ORDER BY received_at, bytes",
  );
  return rows.map((r) => r.bytes);
}

for (const backend of backends) {
  describe(`POST /v1/receipts on ${backend.name}`, function () {
    let db: Db;
    let cleanup: () => Promise<void>;
    let w: World;

    before(async () => {
      ({ db, cleanup } = await backend.open());
      w = await createWorld(db);
    });
    after(async () => {
      await w?.close();
      await cleanup?.();
    });
    beforeEach(async () => {
      await truncateAll(db);
      await addClients(w.ctx);
      w.clock.now = GENESIS + 10 * EPOCH_LENGTH + 100;
    });

    it("accepts a valid receipt and stores it with its signature, digest and receipt time", async () => {
      const r = w.receipt();
      const res = await w.post([r]);
      expect(res).to.deep.equal({ status: 200, body: { accepted: 1, rejected: 0, results: ["accepted"] } });
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT epoch, encode(node, 'hex') AS node, encode(client, 'hex') AS client, encode(session, 'hex') AS session,
                bytes, encode(signature, 'hex') AS signature, encode(digest, 'hex') AS digest, received_at
         FROM receipts`,
      );
      expect(rows).to.have.length(1);
      expect(rows[0]).to.deep.include({
        epoch: 10,
        node: r.node.slice(2),
        client: r.client.slice(2).toLowerCase(),
        session: r.session.slice(2),
        bytes: 1000,
        signature: r.signature.slice(2),
        digest: digestOf(r),
      });
      expect(rows[0]!.received_at).to.be.instanceOf(Date);
    });

    it("answers epoch_in_future for a receipt of the next epoch", async () => {
      expect((await w.post([w.receipt({ epoch: 11 })])).body.results).to.deep.equal(["epoch_in_future"]);
    });

    it("accepts the previous epoch within the grace period and answers epoch_closed after it", async () => {
      w.clock.now = GENESIS + 11 * EPOCH_LENGTH + GRACE - 1; // epoch 11, grace of epoch 10 not over
      expect((await w.post([w.receipt({ epoch: 10 })])).body.results).to.deep.equal(["accepted"]);
      w.clock.now = GENESIS + 11 * EPOCH_LENGTH + GRACE;
      expect((await w.post([w.receipt({ epoch: 10 })])).body.results).to.deep.equal(["epoch_closed"]);
      expect((await w.post([w.receipt({ epoch: 9 })])).body.results).to.deep.equal(["epoch_closed"]);
    });

    it("answers epoch_closed for an epoch the epoch job has sealed, even within the grace period", async () => {
      await sealEpoch(db, 10);
      expect((await w.post([w.receipt()])).body.results).to.deep.equal(["epoch_closed"]);
    });

    it("answers over_capacity above link cap x epoch length and accepts exactly the cap", async () => {
      const res = await w.post([
        w.receipt({ bytesServed: CAP_BYTES + 1 }),
        w.receipt({ bytesServed: CAP_BYTES }),
      ]);
      expect(res.body.results).to.deep.equal(["over_capacity", "accepted"]);
    });

    it("answers unknown_node for a node not registered on chain", async () => {
      expect((await w.post([w.receipt({ node: addr("stranger") })])).body.results).to.deep.equal([
        "unknown_node",
      ]);
    });

    it("answers unknown_client for a key that is not a registered client", async () => {
      expect((await w.post([w.receipt({ client: clients.c4.address })])).body.results).to.deep.equal([
        "unknown_client",
      ]);
    });

    it("answers client_disabled for a disabled client, and accepts again once re-enabled", async () => {
      expect((await w.post([w.receipt({ client: clients.c3.address })])).body.results).to.deep.equal([
        "client_disabled",
      ]);
      await w.ctx.clients.setDisabled(clients.c3.address, false);
      expect((await w.post([w.receipt({ client: clients.c3.address })])).body.results).to.deep.equal([
        "accepted",
      ]);
    });

    it("answers self_dealing when the client belongs to the node's operator", async () => {
      const res = await w.post([
        w.receipt({ client: clients.c2.address, node: nodes.A1 }),
        w.receipt({ client: clients.c2.address, node: nodes.B1 }),
      ]);
      expect(res.body.results).to.deep.equal(["self_dealing", "accepted"]);
    });

    it("answers bad_signature for a receipt signed by another key", async () => {
      const r = w.receipt({}, account("mallory").key);
      expect((await w.post([r])).body.results).to.deep.equal(["bad_signature"]);
    });

    it("answers bad_signature for receipts signed for another chain or another contract", async () => {
      const otherChain = await ReceiptSigner.create({ ...DOMAIN, chainId: 1 });
      const otherContract = await ReceiptSigner.create({ ...DOMAIN, verifyingContract: addr("elsewhere") });
      const base = w.receipt();
      const { signature: _s, ...unsigned } = base;
      const res = await w.post([
        otherChain.sign(unsigned, clients.c1.key),
        otherContract.sign(
          { ...unsigned, session: addr("x").padEnd(66, "0") as `0x${string}` },
          clients.c1.key,
        ),
      ]);
      expect(res.body.results).to.deep.equal(["bad_signature", "bad_signature"]);
    });

    it("answers bad_signature for the high-s twin of a valid signature", async () => {
      const r = w.receipt();
      const b = Buffer.from(r.signature.slice(2), "hex");
      const s = BigInt(`0x${b.subarray(32, 64).toString("hex")}`);
      b.write((N - s).toString(16).padStart(64, "0"), 32, "hex");
      b[64] = b[64] === 27 ? 28 : 27;
      const res = await w.post([{ ...r, signature: toHex(b) }, r]);
      expect(res.body.results).to.deep.equal(["bad_signature", "accepted"]);
    });

    it("answers duplicate for a receipt already stored, in a later batch or the same one", async () => {
      const r = w.receipt();
      expect((await w.post([r, r])).body.results).to.deep.equal(["accepted", "duplicate"]);
      expect((await w.post([r])).body.results).to.deep.equal(["duplicate"]);
      expect(await storedBytes(db)).to.deep.equal([1000]);
    });

    it("lets a later receipt of the session with more bytes supersede the stored one, and answers superseded for a stale one", async () => {
      const first = w.receipt({ bytesServed: 1000 });
      const more = w.receipt({ session: first.session, bytesServed: 5000 });
      const stale = w.receipt({ session: first.session, bytesServed: 3000 });
      expect((await w.post([first])).body.results).to.deep.equal(["accepted"]);
      expect((await w.post([more])).body.results).to.deep.equal(["accepted"]);
      expect((await w.post([stale, first])).body.results).to.deep.equal(["superseded", "superseded"]);
      expect(await storedBytes(db)).to.deep.equal([5000]);
    });

    it("answers node_mismatch for a receipt of a stored session naming another node", async () => {
      const first = w.receipt({ node: nodes.B1 });
      const other = w.receipt({ session: first.session, node: nodes.A1, bytesServed: 9000 });
      expect((await w.post([first, other])).body.results).to.deep.equal(["accepted", "node_mismatch"]);
    });

    it("answers quota_exceeded past the client's per-epoch quota, counting the latest bytes per session", async () => {
      // c5's quota is 1,000 bytes.
      const a = w.receipt({ client: clients.c5.address, bytesServed: 600 });
      const a2 = w.receipt({ client: clients.c5.address, session: a.session, bytesServed: 900 }); // +300
      const b = w.receipt({ client: clients.c5.address, bytesServed: 101 }); // 900 + 101 > 1000
      const c = w.receipt({ client: clients.c5.address, bytesServed: 100 }); // exactly 1000
      expect((await w.post([a, a2, b, c])).body.results).to.deep.equal([
        "accepted",
        "accepted",
        "quota_exceeded",
        "accepted",
      ]);
      // the quota is per epoch: the next epoch starts from zero
      w.clock.now += EPOCH_LENGTH;
      const next = w.receipt({ client: clients.c5.address, bytesServed: 1000 });
      expect((await w.post([next])).body.results).to.deep.equal(["accepted"]);
    });

    it("answers each receipt of a mixed batch in request order and counts the results in /metrics", async () => {
      const before = await w.app.inject({ method: "GET", url: "/metrics" });
      const count = (text: string, result: string) =>
        Number(new RegExp(`oracle_receipts_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? NaN);
      const dup = w.receipt();
      const res = await w.post([
        dup,
        w.receipt({ node: addr("stranger") }),
        dup,
        w.receipt({ epoch: 99 }),
        w.receipt({ bytesServed: QUOTA + 1 }),
      ]);
      expect(res.body).to.deep.equal({
        accepted: 1,
        rejected: 4,
        results: ["accepted", "unknown_node", "duplicate", "epoch_in_future", "over_capacity"],
      });
      const after = await w.app.inject({ method: "GET", url: "/metrics" });
      for (const [result, n] of [
        ["accepted", 1],
        ["unknown_node", 1],
        ["duplicate", 1],
        ["epoch_in_future", 1],
        ["over_capacity", 1],
        ["quota_exceeded", 0],
      ] as const) {
        expect(count(after.body, result) - count(before.body, result), result).to.equal(n);
      }
      expect(after.body).to.match(/oracle_receipt_batch_size_count \d+/);
      expect(after.body).to.match(/oracle_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/receipts"/);
    });
  });
}

/** The digest of a receipt, computed independently with viem. */
function digestOf(r: SignedReceipt): string {
  return hashTypedData({
    domain: typedDataDomain(DOMAIN),
    types: RECEIPT_TYPES,
    primaryType: "BandwidthReceipt",
    message: { ...r, epoch: BigInt(r.epoch), bytesServed: BigInt(r.bytesServed) },
  }).slice(2);
}

describe("ingest with verification threads", () => {
  it("gives the same answers with a thread pool as on the main thread", async () => {
    const { db, cleanup } = await pgliteBackend.open();
    const inline = await createWorld(db, { verifyThreads: 0 });
    await addClients(inline.ctx);
    const pooled = await createWorld(db, { verifyThreads: 2 });
    try {
      expect(pooled.ctx.verifier.threads).to.equal(2);
      const batch = [];
      for (let i = 0; i < 300; i++) {
        const r = inline.receipt({ bytesServed: 1000 + i });
        batch.push(i % 7 === 0 ? inline.receipt({}, account(`bad${i}`).key) : r);
      }
      const viaPool = await pooled.ctx.verifier.verify(pack(batch), batch.length);
      const viaMain = await inline.ctx.verifier.verify(pack(batch), batch.length);
      expect(Buffer.from(viaPool.valid)).to.deep.equal(Buffer.from(viaMain.valid));
      expect(viaPool.digests.equals(viaMain.digests)).to.equal(true);
      expect([...viaPool.valid].filter((v) => v === 0)).to.have.length(Math.ceil(300 / 7));
      const res = await pooled.post(batch);
      expect(res.body.accepted).to.equal(300 - Math.ceil(300 / 7));
    } finally {
      await pooled.close();
      await inline.close();
      await cleanup();
    }
  });
});

function pack(rs: SignedReceipt[]): Buffer {
  const b = Buffer.alloc(rs.length * PACKED_SIZE);
  rs.forEach((r, i) => packReceipt(b, i, r));
  return b;
}
