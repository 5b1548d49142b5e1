export * from "./types.js";
export * from "./packed.js";
export { ReceiptHasher, domainSeparator, RECEIPT_TYPEHASH } from "./eip712.js";
export { ReceiptVerifier } from "./verify.js";
export { ReceiptSigner, addressOf } from "./sign.js";
