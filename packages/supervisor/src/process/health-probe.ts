import { request } from 'undici';

/** One readiness or liveness probe: true only for a 2xx answer within the timeout. */
export async function probeHealth(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await request(url, {
      method: 'GET',
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    return res.statusCode >= 200 && res.statusCode < 300;
  } catch {
    return false;
  }
}
