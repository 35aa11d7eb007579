import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '@mlx-gateway/protocol';
import { queueTable } from './format.js';

const model = (name: string, queue?: ModelInfo['queue']): ModelInfo => ({
  name,
  state: 'ready',
  since: 0,
  leases: 0,
  ...(queue === undefined ? {} : { queue }),
});

describe('queueTable', () => {
  it('one row per model with a line: turns, waiting, oldest wait, waited, average wait, refused', () => {
    const text = queueTable([
      model('free'),
      model('solo', {
        maxConcurrent: 1,
        size: 20,
        active: 1,
        waiting: 3,
        oldestWaitMs: 2_140,
        waited: 4,
        waitedMs: 3_400,
        refused: 2,
      }),
      model('idle', {
        maxConcurrent: 2,
        size: 100,
        active: 0,
        waiting: 0,
        oldestWaitMs: 0,
        waited: 0,
        waitedMs: 0,
        refused: 0,
      }),
    ]).split('\n');
    expect(text[0]).toMatch(/^QUEUE\s+ACTIVE\s+WAITING\s+OLDEST\s+WAITED\s+AVG WAIT\s+REFUSED$/);
    expect(text[1]).toMatch(/^solo\s+1\/1\s+3\/20\s+2\.1s\s+4\s+850ms\s+2$/);
    expect(text[2]).toMatch(/^idle\s+0\/2\s+0\/100\s+-\s+0\s+-\s+0$/);
    expect(text).toHaveLength(3);
  });

  it('is empty when no model has maxConcurrent', () => {
    expect(queueTable([model('free')])).toBe('');
  });
});
