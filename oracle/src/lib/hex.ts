/** Hex helpers shared by the receipt code, the repositories and the CLI. */

export type Hex = `0x${string}`;

export const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
export const BYTES32_RE = /^0x[0-9a-fA-F]{64}$/;

export function isAddress(value: string): value is Hex {
  return ADDRESS_RE.test(value);
}

export function isBytes32(value: string): value is Hex {
  return BYTES32_RE.test(value);
}

/** Lower-case `0x` address: the one spelling used as a key in memory and in the database. */
export function normAddress(value: string): Hex {
  return value.toLowerCase() as Hex;
}

export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

export function fromHex(value: string): Buffer {
  return Buffer.from(value.startsWith("0x") ? value.slice(2) : value, "hex");
}
