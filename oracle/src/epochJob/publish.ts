/**
 * Steps 3–4 of the epoch job: sign the root (every configured oracle key, EIP-712 `EpochRoot`), then publish
 * it: `mint()` first when the epoch's emission is not minted yet, then `proposeRoot`, waiting for each. The
 * chain is asked before each send, so a rerun never proposes twice.
 */
import type { PublicClient } from "viem";
import { emissionMinterAbi, rewardsDistributorAbi, ROOT_STATUS, type RootStatus } from "../chain/abi.js";
import { epochRootDigest, signEpochRoot } from "../chain/signEpochRoot.js";
import type { TxSender } from "../chain/txSender.js";
import type { Hash } from "../epoch/index.js";
import { OracleError } from "../lib/errors.js";
import type { Hex } from "../lib/hex.js";
import { withRetry } from "../lib/retry.js";
import type { JobEnv } from "./env.js";
import type { EpochJobRow } from "./store.js";

export interface OnChainRoot {
  root: Hash;
  total: bigint;
  proposedAt: number;
  claimableAt: number;
  status: RootStatus;
}

export async function readEpochRoot(
  chain: PublicClient,
  distributor: Hex,
  epoch: number,
): Promise<OnChainRoot> {
  const info = await chain.readContract({
    address: distributor,
    abi: rewardsDistributorAbi,
    functionName: "epochRoot",
    args: [BigInt(epoch)],
  });
  return {
    root: info.root.toLowerCase() as Hash,
    total: info.total,
    proposedAt: Number(info.proposedAt),
    claimableAt: Number(info.claimableAt),
    status: ROOT_STATUS[info.status] ?? "none",
  };
}

export async function readNextEpochs(
  chain: PublicClient,
  distributor: Hex,
): Promise<{ nextToPropose: number; nextToAccept: number }> {
  const [p, a] = await Promise.all([
    chain.readContract({
      address: distributor,
      abi: rewardsDistributorAbi,
      functionName: "nextEpochToPropose",
    }),
    chain.readContract({
      address: distributor,
      abi: rewardsDistributorAbi,
      functionName: "nextEpochToAccept",
    }),
  ]);
  return { nextToPropose: Number(p), nextToAccept: Number(a) };
}

/** Signs the computed root with every configured key and records the signatures (step `signed`). */
export async function signRoot(env: JobEnv, row: EpochJobRow): Promise<Hex[]> {
  const { chain, distributor, logger } = env;
  const message = { epoch: row.epoch, root: row.root!, total: row.total!, dataHash: row.dataHash! };
  const [onChainDigest, threshold, ...members] = await withRetry(
    "read the oracle set",
    () =>
      Promise.all([
        chain.readContract({
          address: distributor,
          abi: rewardsDistributorAbi,
          functionName: "hashEpochRoot",
          args: [BigInt(row.epoch), row.root!, row.total!, row.dataHash!],
        }),
        chain.readContract({ address: distributor, abi: rewardsDistributorAbi, functionName: "threshold" }),
        ...env.signers.map((s) =>
          chain.readContract({
            address: distributor,
            abi: rewardsDistributorAbi,
            functionName: "isOracle",
            args: [s.address],
          }),
        ),
      ]),
    { logger },
  );
  const digest = epochRootDigest(env.chainId, distributor, message);
  if ((onChainDigest as string).toLowerCase() !== digest) {
    throw new OracleError(
      "domain_mismatch",
      `the distributor's hashEpochRoot is ${String(onChainDigest)}, ours ${digest}: wrong chain id or distributor address`,
    );
  }
  const outsiders = env.signers.filter((_, i) => members[i] !== true).map((s) => s.address);
  if (outsiders.length > 0) {
    throw new OracleError(
      "not_oracle",
      `not in the distributor's oracle set: ${outsiders.join(", ")} (ORACLE_SIGNER_KEY)`,
    );
  }
  if (BigInt(env.signers.length) < (threshold as bigint)) {
    throw new OracleError(
      "threshold",
      `the distributor needs ${String(threshold)} oracle signatures; ORACLE_SIGNER_KEY holds ${env.signers.length} key(s)`,
    );
  }
  const signed = await signEpochRoot(env.signers, env.chainId, distributor, message);
  const signatures = signed.map((s) => s.signature);
  await env.store.setSigned(row.epoch, signatures);
  return signatures;
}

export type PublishHook = "minted" | "proposed";

/**
 * Mints the epoch's emission if needed, proposes the signed root and waits for the confirmation; records
 * step `proposed` with the transaction. Safe to repeat at any point (the chain is checked first).
 */
export async function publishRoot(
  env: JobEnv,
  row: EpochJobRow,
  sender: TxSender,
  hook?: (point: PublishHook) => void | Promise<void>,
): Promise<{ txHash: Hex | undefined; blockNumber: number | undefined }> {
  const { chain, distributor, logger } = env;
  const epoch = row.epoch;
  const ours = row.root!;
  const retry = <T>(what: string, fn: () => Promise<T>) => withRetry(what, fn, { logger });

  const { nextToPropose } = await retry("read the distributor", () => readNextEpochs(chain, distributor));
  const info = await retry("epochRoot", () => readEpochRoot(chain, distributor, epoch));
  if (nextToPropose < epoch) {
    throw new OracleError(
      "chain_behind",
      `the distributor expects epoch ${nextToPropose} next, not ${epoch}: an earlier root was vetoed (see docs/oracle-epoch-job.md, "After a veto")`,
    );
  }
  if (nextToPropose === epoch && info.status === "vetoed" && info.root === ours) {
    throw new OracleError(
      "vetoed",
      `the guardian vetoed this root (${ours}) for epoch ${epoch}; it is not proposed again automatically (see docs/oracle-epoch-job.md, "After a veto")`,
    );
  }
  if (nextToPropose > epoch && info.root !== ours) {
    throw new OracleError(
      "conflicting_root",
      `epoch ${epoch} was proposed on chain with root ${info.root}; this oracle computed ${ours}`,
    );
  }

  await sender.send({
    kind: "mint",
    epoch,
    address: env.minter,
    abi: emissionMinterAbi,
    functionName: "mint",
    args: [],
    isDone: async () =>
      (await chain.readContract({
        address: env.minter,
        abi: emissionMinterAbi,
        functionName: "mintedThroughEpoch",
      })) > BigInt(epoch),
  });
  await hook?.("minted");

  const outcome = await sender.send({
    kind: "propose",
    epoch,
    address: distributor,
    abi: rewardsDistributorAbi,
    functionName: "proposeRoot",
    args: [BigInt(epoch), ours, row.total!, row.dataHash!, row.signatures!],
    isDone: async () => {
      const { nextToPropose } = await readNextEpochs(chain, distributor);
      if (nextToPropose <= epoch) return false;
      const now = await readEpochRoot(chain, distributor, epoch);
      return now.root === ours && (now.status === "pending" || now.status === "accepted");
    },
  });
  await hook?.("proposed");

  let txHash: Hex | undefined;
  let blockNumber: number | undefined;
  if (outcome.status === "mined") {
    txHash = outcome.txHash;
    blockNumber = outcome.blockNumber;
  } else {
    ({ txHash, blockNumber } = await findProposal(env, epoch, ours, row.snapshotBlock));
  }
  const proposed = await retry("epochRoot", () => readEpochRoot(chain, distributor, epoch));
  if (proposed.root !== ours) {
    throw new OracleError(
      "conflicting_root",
      `epoch ${epoch}: the chain holds root ${proposed.root} after proposing ${ours}`,
    );
  }
  await env.store.setProposed(epoch, { txHash, blockNumber, proposedAt: proposed.proposedAt });
  logger.info({ epoch, root: ours, tx: txHash, block: blockNumber }, "root proposed");
  return { txHash, blockNumber };
}

/** The transaction that proposed `root` for `epoch`, from the `RootProposed` logs (when we did not send it). */
async function findProposal(
  env: JobEnv,
  epoch: number,
  root: Hash,
  fromBlock: number,
): Promise<{ txHash: Hex | undefined; blockNumber: number | undefined }> {
  const logs = await withRetry(
    "RootProposed logs",
    () =>
      env.chain.getLogs({
        address: env.distributor,
        event: rewardsDistributorAbi.find((x) => x.type === "event" && x.name === "RootProposed") as Extract<
          (typeof rewardsDistributorAbi)[number],
          { name: "RootProposed" }
        >,
        args: { epoch: BigInt(epoch) },
        fromBlock: BigInt(Math.max(0, fromBlock)),
        toBlock: "latest",
        strict: true,
      }),
    { logger: env.logger },
  );
  const ours = logs.filter((l) => l.args.root.toLowerCase() === root);
  const last = ours[ours.length - 1];
  if (last === undefined) return { txHash: undefined, blockNumber: undefined };
  return {
    txHash: last.transactionHash ?? undefined,
    blockNumber: last.blockNumber === null ? undefined : Number(last.blockNumber),
  };
}
