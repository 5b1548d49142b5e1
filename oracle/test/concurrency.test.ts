import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "../src/db/types.js";
import { openPostgres } from "../src/db/postgres.js";
import { migrate } from "../src/db/migrate.js";
import { ClientsRepository } from "../src/registry/clients.js";
import { ReceiptSigner, type SignedReceipt } from "../src/receipts/index.js";
import type { Hex } from "../src/lib/hex.js";
import { ROOT } from "./helpers/child.js";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres.js";
import { account } from "./helpers/keys.js";
import { DOMAIN, EPOCH_LENGTH, GENESIS, nodes, ops } from "./helpers/world.js";

const WORKER = path.join(ROOT, "oracle/test/fixtures/raceWorker.ts");
const NOW = GENESIS + 5 * EPOCH_LENGTH + 10;
const EPOCH = 5;

interface Worker {
  pid: number;
  ready: Promise<void>;
  go(): void;
  results: Promise<string[][]>;
}

function startWorker(inputFile: string): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, inputFile], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let onReady: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout.on("data", (d) => {
    out += d;
    if (out.startsWith("ready\n")) onReady();
  });
  child.stderr.on("data", (d) => (err += d));
  const results = new Promise<string[][]>((resolve, reject) =>
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`race worker exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.split("\n")[1]!) as string[][]);
    }),
  );
  return { pid: child.pid!, ready, go: () => child.stdin.end("go\n"), results };
}

const session = (tag: string, i: number): Hex =>
  `0x${tag}${i.toString(16).padStart(64 - tag.length, "0")}` as Hex;

describe("two ingest processes racing on one PostgreSQL", function () {
  let pg: TestDatabase;
  let db: Db;
  let dir: string;

  before(async () => {
    pg = await createTestDatabase("msn_ingest_race");
    db = await openPostgres(pg.url, 2);
    await migrate(db);
    dir = mkdtempSync(path.join(tmpdir(), "msn-race-"));
  });
  after(async () => {
    await db?.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("never exceeds a quota, keeps the highest byte count per session, and accepts each receipt once", async () => {
    const quotaClient = account("race-quota");
    const bigClient = account("race-big");
    const repo = new ClientsRepository(db);
    await repo.add({ address: quotaClient.address, operator: ops.C, quotaBytes: 10_000 });
    await repo.add({ address: bigClient.address, operator: ops.C, quotaBytes: 1e12 });
    const signer = await ReceiptSigner.create(DOMAIN);
    const sign = (client: { key: Hex; address: Hex }, s: Hex, bytes: number): SignedReceipt =>
      signer.sign(
        { node: nodes.B1, client: client.address, epoch: EPOCH, session: s, bytesServed: bytes },
        client.key,
      );

    const SHARED = 40;
    const mine = (p: 0 | 1) => {
      const batches: SignedReceipt[][] = [];
      // A: quota 10,000; each process offers 10 receipts of 1,000 bytes in its own sessions, one per batch.
      for (let i = 0; i < 10; i++) batches.push([sign(quotaClient, session(p ? "b" : "a", i), 1000)]);
      // B: the same 40 sessions from both, P0 with 100 then 300 bytes, P1 with 200 then 400, in opposite orders.
      const order = [...Array(SHARED).keys()];
      if (p === 1) order.reverse();
      for (let k = 0; k < SHARED; k += 5) {
        const chunk = order.slice(k, k + 5);
        batches.push(chunk.map((i) => sign(bigClient, session("c", i), p ? 200 : 100)));
        batches.push(chunk.map((i) => sign(bigClient, session("c", i), p ? 400 : 300)));
      }
      // C: the identical 30 receipts from both processes.
      for (let k = 0; k < 30; k += 10) {
        batches.push(Array.from({ length: 10 }, (_, j) => sign(bigClient, session("d", k + j), 777)));
      }
      return batches;
    };
    const inputs = ([0, 1] as const).map((p) => {
      const file = path.join(dir, `input${p}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          databaseUrl: pg.url,
          domain: DOMAIN,
          nodes: { [nodes.B1]: ops.B },
          genesis: GENESIS,
          epochLength: EPOCH_LENGTH,
          now: NOW,
          batches: mine(p),
        }),
      );
      return { file, batches: mine(p) };
    });
    const workers = inputs.map((i) => startWorker(i.file));
    let r0: string[][], r1: string[][];
    try {
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      [r0, r1] = await Promise.all(workers.map((w) => w.results));
    } finally {
      for (const w of workers) {
        try {
          process.kill(w.pid, "SIGKILL"); // only if still running
        } catch {
          // already exited
        }
      }
    }

    // Flatten results next to their receipts.
    const answered = (p: 0 | 1, res: string[][]) =>
      inputs[p]!.batches.flatMap((b, bi) => b.map((r, ri) => ({ r, result: res[bi]![ri]! })));
    const all = [...answered(0, r0!), ...answered(1, r1!)];
    const stored = new Map(
      (
        await db.query<{ client: string; session: string; bytes: number }>(
          "SELECT encode(client, 'hex') AS client, encode(session, 'hex') AS session, bytes FROM receipts",
        )
      ).rows.map((row) => [`${row.client}:${row.session}`, row.bytes]),
    );
    const usage = async (c: Hex) =>
      (
        await db.query<{ bytes: number }>(
          "SELECT bytes FROM client_usage WHERE epoch = $1 AND client = decode($2, 'hex')",
          [EPOCH, c.slice(2).toLowerCase()],
        )
      ).rows[0]!.bytes;

    // A: exactly the quota's worth accepted, the rest refused for quota.
    const a = all.filter((x) => x.r.client === quotaClient.address);
    expect(a.filter((x) => x.result === "accepted")).to.have.length(10);
    expect(a.filter((x) => x.result === "quota_exceeded")).to.have.length(10);
    expect(await usage(quotaClient.address)).to.equal(10_000);

    // B: every shared session ends at 400 bytes, each 400 receipt was accepted, usage is their sum.
    for (let i = 0; i < SHARED; i++) {
      expect(stored.get(`${bigClient.address.slice(2).toLowerCase()}:${session("c", i).slice(2)}`)).to.equal(
        400,
      );
    }
    const b = all.filter((x) => x.r.session.startsWith("0xc"));
    expect(b.filter((x) => x.r.bytesServed === 400).every((x) => x.result === "accepted")).to.equal(true);
    expect(b.every((x) => x.result === "accepted" || x.result === "superseded")).to.equal(true);

    // C: each identical receipt accepted by exactly one of the two processes, a duplicate for the other.
    for (let i = 0; i < 30; i++) {
      const answers = all
        .filter((x) => x.r.session === session("d", i))
        .map((x) => x.result)
        .sort();
      expect(answers).to.deep.equal(["accepted", "duplicate"]);
    }
    expect(await usage(bigClient.address)).to.equal(SHARED * 400 + 30 * 777);
  });
});
