import pidusage from 'pidusage';
import { groupMembers } from '../process/process-table.js';

/** Resident memory of a whole process group (leader, workers, grandchildren), in bytes. */
export async function groupMemoryBytes(pgid: number): Promise<number> {
  const pids = groupMembers(pgid);
  if (pids.length === 0) return 0;
  try {
    const stats = await pidusage(pids);
    return Object.values(stats).reduce((sum, s) => sum + (s?.memory ?? 0), 0);
  } catch {
    return 0;
  }
}
