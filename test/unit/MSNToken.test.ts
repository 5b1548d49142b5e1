import { expect } from "chai";
import { ethers } from "hardhat";

describe("MSNToken (smoke)", () => {
  it("mints the genesis supply", async () => {
    const [a] = await ethers.getSigners();
    const token = await ethers.deployContract("MSNToken", [
      [a.address],
      [ethers.parseEther("100000000")],
      a.address,
    ]);
    expect(await token.totalSupply()).to.equal(ethers.parseEther("100000000"));
  });
});
