import { request } from 'undici';

/** What a stand-in process reports at GET /v1/standin/stats. */
export interface StandinStatsSnapshot {
  requests: number;
  completed: number;
  aborted: number;
  broken: number;
  active: number;
  peakActive: number;
  pid: number;
}

/** Asks the stand-in listening on 127.0.0.1:`port` (directly, not through the gateway). */
export async function standinStats(port: number): Promise<StandinStatsSnapshot> {
  const res = await request(`http://127.0.0.1:${port}/v1/standin/stats`);
  return (await res.body.json()) as StandinStatsSnapshot;
}
