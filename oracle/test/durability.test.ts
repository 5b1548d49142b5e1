import { expect } from "chai";
import { ReceiptSigner, type SignedReceipt } from "../src/receipts/index.js";
import { ClientsRepository } from "../src/registry/clients.js";
import { startServerProcess, type ServerProcess } from "./helpers/child.js";
import { serverSetup } from "./helpers/serverEnv.js";
import { DOMAIN, QUOTA, clients, nodes, ops } from "./helpers/world.js";

const BATCHES = 24;
const PER_BATCH = 100;
const KILL_AFTER = 6;

for (const backend of ["pglite", "postgres"] as const) {
  describe(`durability on ${backend}`, function () {
    it("loses none of the receipts it acknowledged when killed with SIGKILL right after a 2xx", async () => {
      const setup = await serverSetup(backend, { [nodes.B1]: ops.B });
      const started: ServerProcess[] = [];
      const start = async () => {
        const p = await startServerProcess(setup.env);
        started.push(p);
        return p;
      };
      try {
        await setup.withDb(async (db) => {
          await new ClientsRepository(db).add({
            address: clients.c1.address,
            operator: ops.C,
            quotaBytes: QUOTA * 100,
          });
        });
        const epoch = Math.floor((Date.now() / 1000 - Number(setup.env.ORACLE_GENESIS_TIME)) / 3600);
        const signer = await ReceiptSigner.create(DOMAIN);
        const batches: SignedReceipt[][] = [];
        for (let b = 0; b < BATCHES; b++) {
          const batch: SignedReceipt[] = [];
          for (let i = 0; i < PER_BATCH; i++) {
            const session = `0x${(b * PER_BATCH + i + 1).toString(16).padStart(64, "0")}` as const;
            batch.push(
              signer.sign(
                { node: nodes.B1, client: clients.c1.address, epoch, session, bytesServed: 1000 + i },
                clients.c1.key,
              ),
            );
          }
          batches.push(batch);
        }

        const server = await start();
        const acknowledged = new Set<string>();
        let killed = false;
        let oks = 0;
        let next = 0;
        // Four senders keep batches in flight; the KILL_AFTER-th 200 triggers SIGKILL at once, while
        // other batches are being verified or committed.
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            while (!killed && next < batches.length) {
              const batch = batches[next++]!;
              try {
                const res = await fetch(`${server.url}/v1/receipts`, {
                  method: "POST",
                  headers: { "content-type": "application/json" },
                  body: JSON.stringify({ receipts: batch }),
                });
                if (res.status !== 200) continue;
                // The server sent 200: the batch is acknowledged, whatever happens next.
                for (const r of batch) acknowledged.add(r.session.slice(2));
                if (++oks === KILL_AFTER && !killed) {
                  killed = true;
                  process.kill(server.pid, "SIGKILL");
                }
                const body = (await res.json().catch(() => undefined)) as { accepted: number } | undefined;
                if (body !== undefined) expect(body.accepted).to.equal(PER_BATCH);
              } catch {
                // connection cut by the kill: not acknowledged
              }
            }
          }),
        );
        expect(await server.stop()).to.equal(-1); // died of the signal
        expect(acknowledged.size).to.be.at.least(KILL_AFTER * PER_BATCH);
        expect(acknowledged.size).to.be.lessThan(BATCHES * PER_BATCH); // the kill did interrupt work

        // Restart on the same data: recovery succeeds and the service works.
        const again = await start();
        const health = (await (await fetch(`${again.url}/health`)).json()) as { status: string };
        expect(health.status).to.equal("ok");
        expect(await again.stop("SIGTERM")).to.equal(0); // graceful shutdown

        const stored = await setup.withDb(async (db) => {
          const { rows } = await db.query<{ s: string }>("SELECT encode(session, 'hex') AS s FROM receipts");
          return new Set(rows.map((r) => r.s));
        });
        const lost = [...acknowledged].filter((s) => !stored.has(s));
        expect(lost, `${lost.length} acknowledged receipts lost`).to.deep.equal([]);
      } finally {
        for (const p of started) await p.stop("SIGKILL"); // no-op for those already stopped
        await setup.cleanup();
      }
    });
  });
}
