/** EIP-2612 `Permit` (MSNToken is OpenZeppelin's ERC20Permit): the typed-data struct wallets sign. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;
