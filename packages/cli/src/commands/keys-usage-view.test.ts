import { describe, expect, it } from 'vitest';
import type { ClientKeyInfo } from '@mlx-gateway/shared/clients';
import { clientsJson, clientsTable, modelsTable, sourceLine } from './keys-usage-view.js';
import type { UsageReading } from './limit-usage-reading.js';

const RESET = '2026-03-03T10:21:00.000Z';
const clients: ClientKeyInfo[] = [
  {
    name: 'ci',
    prefix: 'mgw-abcd',
    models: ['gpt'],
    createdAt: '2026-03-01T00:00:00.000Z',
    limits: { rpm: 60, budget: { tokens: 1000, per: 'day' } },
  },
  { name: 'laptop', prefix: 'mgw-efgh', createdAt: '2026-03-02T00:00:00.000Z' },
];
const models = [{ name: 'gpt', limits: { tpm: 5000, concurrency: 2 } }];

const read: UsageReading = {
  source: 'proxy',
  from: 'http://127.0.0.1:8080',
  at: Date.parse('2026-03-03T10:20:30.000Z'),
  usage: new Map([
    [
      'client:ci',
      {
        rpm: { used: 3, limit: 60, resetAt: RESET },
        budget: { used: 250, limit: 1000, per: 'day' as const, resetAt: RESET },
      },
    ],
    [
      'model:gpt',
      { tpm: { used: 120, limit: 5000, resetAt: RESET }, concurrency: { used: 1, limit: 2 } },
    ],
  ]),
};
const unread: UsageReading = { usage: new Map(), note: 'usage not shown: no proxy answered' };

describe('keys list-clients tables', () => {
  it('shows each key and model with its limits and its usage against each', () => {
    expect(clientsTable(clients, read).split('\n')).toEqual([
      'NAME    PREFIX     MODELS  LIMITS                   USAGE                        CREATED',
      'ci      mgw-abcd…  gpt     rpm 60, budget 1000/day  3/60 rpm, 250/1000 this day  2026-03-01T00:00:00.000Z',
      'laptop  mgw-efgh…  (all)   (none)                                                2026-03-02T00:00:00.000Z',
    ]);
    expect(modelsTable(models, read).split('\n')).toEqual([
      'MODEL  LIMITS                   USAGE',
      'gpt    tpm 5000, concurrency 2  120/5000 tpm, 1/2 in flight',
    ]);
    expect(sourceLine(read)).toBe(
      'usage read from the proxy at http://127.0.0.1:8080 at 2026-03-03T10:20:30.000Z (this minute, in flight now, this day or month, UTC)',
    );
  });

  it('marks usage that was not read with ?, and has no LIMITS or USAGE without limits', () => {
    expect(clientsTable(clients, unread)).toContain('rpm 60, budget 1000/day  ?');
    expect(modelsTable(models, unread)).toContain('tpm 5000, concurrency 2  ?');
    expect(sourceLine(unread)).toBeUndefined();
    const plain = clientsTable([clients[1]!], unread);
    expect(plain.split('\n')[0]).toBe('NAME    PREFIX     MODELS  CREATED');
  });
});

describe('keys list-clients --json', () => {
  it('has every key (usage null without limits) and every limited model', () => {
    expect(clientsJson(clients, models, read)).toEqual({
      clients: [
        {
          name: 'ci',
          prefix: 'mgw-abcd',
          models: ['gpt'],
          createdAt: '2026-03-01T00:00:00.000Z',
          limits: { rpm: 60, budget: { tokens: 1000, per: 'day' } },
          usage: read.usage.get('client:ci'),
        },
        {
          name: 'laptop',
          prefix: 'mgw-efgh',
          models: null,
          createdAt: '2026-03-02T00:00:00.000Z',
          limits: null,
          usage: null,
        },
      ],
      models: [{ name: 'gpt', limits: models[0]!.limits, usage: read.usage.get('model:gpt') }],
      usage: { source: 'proxy', from: 'http://127.0.0.1:8080', at: '2026-03-03T10:20:30.000Z' },
    });
  });

  it('says why usage is missing', () => {
    const json = clientsJson(clients, models, unread);
    expect(json.clients[0]!.usage).toBeNull();
    expect(json.models[0]!.usage).toBeNull();
    expect(json.usage).toEqual({
      source: null,
      from: null,
      at: null,
      note: 'usage not shown: no proxy answered',
    });
  });
});
