import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.js";
import type { SignedReceipt } from "../../receipts/types.js";
import { ErrorReply, ReceiptBatchReply, receiptBatchBody, type ReceiptBatchBody } from "../schemas.js";

/** POST /v1/receipts: a batch of signed receipts in, one answer per receipt out. */
export async function receiptsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post<{ Body: ReceiptBatchBody }>(
    "/v1/receipts",
    {
      schema: {
        summary: "Submit signed bandwidth receipts",
        description:
          "Checks each receipt (signature, client, node, epoch window, link capacity, self-dealing, quota, duplicates) " +
          "and stores the accepted ones. A 200 is sent only after they are durably committed. The answer lists, in " +
          "request order, `accepted` or the reason each receipt was rejected. A malformed request gets a 4xx and " +
          "stores nothing.",
        tags: ["receipts"],
        body: receiptBatchBody(ctx.config.maxBatch),
        response: { 200: ReceiptBatchReply, "4xx": ErrorReply, "5xx": ErrorReply },
      },
    },
    async (req) => {
      const receipts = req.body.receipts as SignedReceipt[];
      ctx.metrics.batchSize.observe(receipts.length);
      const outcome = await ctx.ingest.ingest(receipts);
      ctx.metrics.countResults(outcome.results);
      req.log.debug({ receipts: receipts.length, accepted: outcome.accepted }, "receipt batch");
      return outcome;
    },
  );
}
