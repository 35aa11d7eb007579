/**
 * Waits until `check` holds, looking again after each turn of the event loop; fails after
 * `timeoutMs` instead of hanging. For state that changes in response to I/O the test caused.
 */
export async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
