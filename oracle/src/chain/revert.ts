import { BaseError, ContractFunctionRevertedError } from "viem";
import { errorMessage } from "../lib/errors.js";

/**
 * A one-line description of why a contract call reverted, e.g.
 * `RewardsTotalExceedsFunding(total: 5, funded: 4)`; undefined when `err` is not a revert.
 */
export function revertReason(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined;
  if (revert.data !== undefined) {
    const inputs = revert.data.abiItem.type === "error" ? revert.data.abiItem.inputs : [];
    const args = (revert.data.args ?? []).map((a, i) => `${inputs[i]?.name ?? i}: ${String(a)}`);
    return `${revert.data.errorName}(${args.join(", ")})`;
  }
  if (revert.reason !== undefined) return revert.reason;
  if (revert.signature !== undefined) return `custom error ${revert.signature}`;
  return errorMessage(revert).split("\n")[0];
}
