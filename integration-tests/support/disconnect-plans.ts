/**
 * What each client of a disconnect load does: read its stream to the end (20%), leave after
 * 1–30 events (50%), or leave after 0–100 ms (30%). Drawn from a seeded generator, so a run
 * can be repeated. Used by the streaming-disconnects test and the bench's 1,000 streams.
 */
export type ClientPlan =
  { kind: 'complete' } | { kind: 'events'; n: number } | { kind: 'delay'; ms: number };

export function planClients(count: number, random: () => number): ClientPlan[] {
  return Array.from({ length: count }, (): ClientPlan => {
    const r = random();
    if (r < 0.2) return { kind: 'complete' };
    if (r < 0.7) return { kind: 'events', n: 1 + Math.floor(random() * 30) };
    return { kind: 'delay', ms: Math.floor(random() * 100) };
  });
}
