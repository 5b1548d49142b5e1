import http from "node:http";
import type { AddressInfo } from "node:net";
import { Rng } from "../epoch/helpers.js";

export interface FlakyRpc {
  url: string;
  /** Requests failed before reaching the node / whose answer was dropped after the node handled them. */
  stats: { forwarded: number; refused: number; dropped: number };
  setFlaky(on: boolean): void;
  close(): Promise<void>;
}

/**
 * A JSON-RPC proxy on 127.0.0.1 in front of `target` that, while flaky, answers a share of the requests with
 * 503 without forwarding them (`refuse`) and cuts the connection after the node has handled another share
 * (`drop`: the caller cannot know whether a transaction was sent). Deterministic (seeded).
 */
export async function startFlakyRpc(
  target: string,
  refuse: number,
  drop: number,
  seed = 7,
): Promise<FlakyRpc> {
  const rng = new Rng(seed);
  let flaky = false;
  const stats = { forwarded: 0, refused: 0, dropped: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", async () => {
      const r = flaky ? rng.next() / 2 ** 32 : 1;
      if (r < refuse) {
        stats.refused++;
        res.writeHead(503, { "content-type": "text/plain" }).end("flaky: unavailable");
        return;
      }
      try {
        const answer = await fetch(target, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: Buffer.concat(chunks),
        });
        const body = Buffer.from(await answer.arrayBuffer());
        stats.forwarded++;
        if (r < refuse + drop) {
          stats.dropped++;
          res.destroy();
          return;
        }
        res.writeHead(answer.status, { "content-type": "application/json" }).end(body);
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    setFlaky: (on) => {
      flaky = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
