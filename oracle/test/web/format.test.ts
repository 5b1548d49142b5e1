import { expect } from "chai";
import {
  formatBoost,
  formatBps,
  formatDuration,
  formatMsn,
  formatTime,
  InputError,
  parseMsn,
  shortHex,
} from "../../web/src/format.js";

const MSN = 10n ** 18n;

describe("web app: formatting and parsing of amounts", () => {
  it("formats wei as MSN with separators, truncating (never rounding up) to the shown decimals", () => {
    expect(formatMsn(0n)).to.equal("0");
    expect(formatMsn(1234n * MSN + 5n * 10n ** 17n)).to.equal("1,234.5");
    expect(formatMsn(27_500_000n * MSN)).to.equal("27,500,000");
    expect(formatMsn(2n * MSN - 1n)).to.equal("1.9999");
    expect(formatMsn(2n * MSN - 1n, 18)).to.equal("1.999999999999999999");
    expect(formatMsn(123_456_789n * 10n ** 12n, 0)).to.equal("123");
    expect(formatMsn(5n * 10n ** 17n, 0)).to.equal("<1");
    expect(formatMsn(1n)).to.equal("<0.0001");
    expect(formatMsn(-15n * 10n ** 17n)).to.equal("-1.5");
  });

  it("parses what a user types, exact to the wei, and refuses anything else with a reason", () => {
    expect(parseMsn("100")).to.equal(100n * MSN);
    expect(parseMsn(" 2.5 ")).to.equal(25n * 10n ** 17n);
    expect(parseMsn("1,000.25")).to.equal(1000n * MSN + 25n * 10n ** 16n);
    expect(parseMsn(".5")).to.equal(5n * 10n ** 17n);
    expect(parseMsn("0.000000000000000001")).to.equal(1n);
    const refused: [string, RegExp][] = [
      ["", /enter an amount of MSN/],
      ["1.2.3", /"1.2.3" is not an amount: write it like 12.5/],
      ["-5", /is not an amount/],
      ["1e18", /is not an amount/],
      [".", /is not an amount/],
      ["0", /more than 0 MSN/],
      ["0.0000000000000000001", /MSN has 18 decimals: "0.0000000000000000001" has 19/],
    ];
    for (const [text, message] of refused) {
      expect(() => parseMsn(text), text).to.throw(InputError, message);
    }
  });

  it("formats boosts, rates, durations, times and hashes", () => {
    expect(formatBoost(10_000n)).to.equal("1.0000×");
    expect(formatBoost(20_000n)).to.equal("2.0000×");
    expect(formatBoost(10_113n)).to.equal("1.0113×");
    expect(formatBps(500)).to.equal("5%");
    expect(formatBps(450)).to.equal("4.5%");
    expect(formatDuration(0)).to.equal("0 s");
    expect(formatDuration(59)).to.equal("59 s");
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 5)).to.equal("3 d 4 h");
    expect(formatDuration(61 * 60 + 2)).to.equal("1 h 1 min");
    expect(formatDuration(-5)).to.equal("0 s");
    expect(formatTime(1_796_467_653)).to.equal("2026-12-05 10:47:33 UTC");
    expect(shortHex("0x0123456789abcdef0123456789abcdef01234567")).to.equal("0x0123…4567");
    expect(shortHex("0x1234")).to.equal("0x1234");
  });
});
