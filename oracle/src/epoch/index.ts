/**
 * The oracle's pure epoch core: reward arithmetic, Merkle tree, receipts hash, epoch bundle and its
 * verification. No I/O: the epoch job reads inputs and writes outputs around these functions.
 */
export * from "./boost.js";
export * from "./bundle.js";
export * from "./encoding.js";
export * from "./epoch.js";
export * from "./merkle.js";
export * from "./receiptsHash.js";
export * from "./rewards.js";
export * from "./verify.js";
