import { describe, expect, it } from 'vitest';
import { StampedEventReader } from '../bench/stamped-event-reader.js';

describe('StampedEventReader', () => {
  it('reads the stamp of every event of a read, in each dialect, split anywhere', () => {
    const t = 1764880000000;
    const events = [
      `data: {"i":0,"t":${t}.5}\n\n`,
      `event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"t=${t + 1} "}}\n\n`,
      `event: response.output_text.delta\ndata: {"delta":"t=${t + 2} "}\n\n`,
      `event: response.output_text.done\ndata: {"text":"t=${t + 2} "}\n\n`,
      ': heartbeat\n\n',
      'event: message_stop\ndata: {}\n\n',
    ].join('');
    for (const cut of [0, 7, 40, events.length - 3]) {
      const lags: number[] = [];
      const reader = new StampedEventReader((lag) => lags.push(lag));
      reader.push(Buffer.from(events.slice(0, cut), 'latin1'), t + 10);
      reader.push(Buffer.from(events.slice(cut), 'latin1'), t + 10);
      expect(lags).toEqual([9.5, 9, 8]);
      expect(reader.events).toBe(3);
      expect(reader.done).toBe(true);
    }
  });
});
