import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/tiering/token-bucket.js";

/** A clock that only moves when the bucket sleeps: the waits are exact. */
function fakeClock() {
  const clock = { now: 0, slept: [] as number[] };
  const sleep = async (ms: number) => {
    clock.slept.push(ms);
    clock.now += ms;
  };
  return { clock, options: { now: () => clock.now, sleep } };
}

describe("TokenBucket", () => {
  it("lets a burst through, then paces to the rate", async () => {
    const { clock, options } = fakeClock();
    const bucket = new TokenBucket(1000, options);

    await bucket.take(1000);
    await bucket.take(500);
    await bucket.take(500);

    expect(clock.slept).toEqual([500, 500]);
    expect(clock.now).toBe(1000);
  });

  it("holds the limit over a long transfer: bytes never exceed rate * time + burst", async () => {
    const { clock, options } = fakeClock();
    const rate = 80 * 1024 * 1024;
    const bucket = new TokenBucket(rate, options);
    let sent = 0;
    for (let chunk = 0; chunk < 2000; chunk++) {
      await bucket.take(1024 * 1024);
      sent += 1024 * 1024;
      expect(sent).toBeLessThanOrEqual((rate * clock.now) / 1000 + rate);
    }
    // 2000 MiB at 80 MiB/s with an 80 MiB burst: 24 s of waiting.
    expect(clock.now).toBeCloseTo(24_000, 6);
  });

  it("refills while idle, but never beyond one burst", async () => {
    const { clock, options } = fakeClock();
    const bucket = new TokenBucket(100, options);
    await bucket.take(100);
    clock.now += 10_000;

    await bucket.take(100);
    await bucket.take(100);

    expect(clock.slept).toEqual([1000]);
  });
});
