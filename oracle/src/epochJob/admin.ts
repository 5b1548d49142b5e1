import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { acceptDueRoots } from "./accept.js";
import { runEpochJob, type EpochJobResult } from "./job.js";

/** An epoch job result as JSON (amounts as decimal strings). */
export function resultJson(r: EpochJobResult) {
  return {
    epoch: r.epoch,
    alreadyDone: r.alreadyDone,
    root: r.root,
    total: r.total.toString(),
    dataHash: r.dataHash,
    carryOut: r.carryOut.toString(),
    accountCount: r.accountCount,
    bundleFile: r.bundleFile,
    txHash: r.txHash ?? null,
    blockNumber: r.blockNumber ?? null,
    phases: r.phases,
  };
}
export type EpochJobResultJson = ReturnType<typeof resultJson>;

/**
 * Epoch commands on the admin socket of a server that holds the embedded database (see http/admin.ts), so
 * that `oracle epoch run|accept` work while `oracle serve` runs on PGlite.
 */
export async function epochAdminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post(
    "/admin/epochs/run",
    {
      schema: {
        body: Type.Object(
          { epoch: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const { epoch } = req.body as { epoch?: number };
      const results = await runEpochJob(ctx, epoch === undefined ? {} : { epoch });
      return results.map(resultJson);
    },
  );
  app.post("/admin/epochs/accept", async () => acceptDueRoots(ctx));
}
