// performance.now for hosts without it (WeChat mini-programs). wasm_exec.js reads it as Go's
// monotonic clock, so it must never go backwards and must count milliseconds.
// wx.getPerformance().now() is not used: its unit differs between WeChat DevTools (milliseconds)
// and devices (microseconds), and a clock 1000 times too fast would fire every Go timer early.

/**
 * Returns a millisecond clock starting near 0 that never decreases, built on now (Date.now by
 * default): when the wall clock is set back, it holds still until the wall clock catches up.
 */
export function monotonicClock(now: () => number = Date.now): () => number {
  const origin = now();
  let last = 0;
  return () => {
    const t = now() - origin;
    if (t > last) last = t;
    return last;
  };
}
