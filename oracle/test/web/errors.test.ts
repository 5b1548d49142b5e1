import { expect } from "chai";
import { encodeErrorResult, UserRejectedRequestError, type Abi } from "viem";
import { contractErrorAbi } from "../../web/build.js";
import { describeError, EXPLAINED_ERRORS, explainRevert, findRevertData } from "../../web/src/errors.js";
import { InputError } from "../../web/src/format.js";

const MSN = 10n ** 18n;
const OPERATOR = "0x00000000000000000000000000000000000000a1";

describe("web app: errors in words", () => {
  // The errors the page is built with: every custom error of the compiled MSN contracts.
  const abi = contractErrorAbi() as unknown as Abi;
  const revert = (errorName: string, args: readonly unknown[] = []) =>
    encodeErrorResult({ abi, errorName, args } as Parameters<typeof encodeErrorResult>[0]);

  it("is built with the contracts' errors, and explains only errors the contracts declare", () => {
    const names = new Set(abi.map((e) => (e as { name: string }).name));
    for (const name of [
      "StakingInsufficientActiveStake",
      "RewardsInvalidProof",
      "ERC20InsufficientBalance",
    ]) {
      expect(names.has(name), name).to.equal(true);
    }
    const builtIn = new Set(["Error"]);
    for (const name of EXPLAINED_ERRORS) {
      expect(names.has(name) || builtIn.has(name), `${name} is not an error of the MSN contracts`).to.equal(
        true,
      );
    }
  });

  it("decodes a revert found anywhere in the cause chain, with amounts in MSN", () => {
    const data = revert("StakingInsufficientActiveStake", [OPERATOR, 5n * MSN, 7n * MSN]);
    const viemLike = { shortMessage: "execution reverted", cause: { raw: data } };
    expect(describeError(viemLike, abi)).to.equal(
      "You asked to unstake 7 MSN, but only 5 MSN is actively staked.",
    );
    const rpcLike = { code: -32603, message: "Internal JSON-RPC error.", data: { data } };
    expect(findRevertData(rpcLike)).to.equal(data);
    expect(describeError(rpcLike, abi)).to.equal(
      "You asked to unstake 7 MSN, but only 5 MSN is actively staked.",
    );
    expect(
      describeError({ data: revert("RewardsNothingToClaim", [OPERATOR, 10n * MSN, 10n * MSN]) }, abi),
    ).to.equal("Nothing to claim: all 10 MSN of this proof have already been claimed (claimed 10 MSN).");
    expect(
      describeError({ data: revert("ERC20InsufficientBalance", [OPERATOR, MSN, 2n * MSN]) }, abi),
    ).to.equal("Your wallet holds 1 MSN; this needs 2 MSN.");
  });

  it("names errors it has no words for, with their arguments, and says so for unknown selectors", () => {
    expect(describeError({ data: revert("RewardsTooManyOracles", [16n]) }, abi)).to.equal(
      "The contract refused: RewardsTooManyOracles(16).",
    );
    expect(describeError({ data: "0xdeadbeef" }, abi)).to.equal(
      "The contract refused with an unknown error 0xdeadbeef.",
    );
    expect(explainRevert("Error", ["not allowed"])).to.equal("The contract refused: not allowed.");
  });

  it("explains wallet refusals by their EIP-1193 code, and typing mistakes as they are", () => {
    expect(describeError({ code: 4001, message: "User rejected the request." }, abi)).to.equal(
      "You rejected the request in your wallet: nothing was sent.",
    );
    const viemRejected = new UserRejectedRequestError(new Error("User denied transaction signature"));
    expect(describeError({ shortMessage: "failed", cause: viemRejected }, abi)).to.equal(
      "You rejected the request in your wallet: nothing was sent.",
    );
    expect(describeError({ code: -32002, message: "pending" }, abi)).to.match(/already has a request/);
    expect(describeError({ code: 4902, message: "unknown chain" }, abi)).to.match(/does not know this chain/);
    expect(describeError(new InputError("enter an amount of MSN"), abi)).to.equal("Enter an amount of MSN.");
    expect(describeError(new Error("socket hang up\nmore details"), abi)).to.equal("socket hang up");
    expect(describeError("plain", abi)).to.equal("plain");
  });
});
