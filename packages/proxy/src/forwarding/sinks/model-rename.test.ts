import { describe, expect, it } from 'vitest';
import { ModelRenamer, renameModelTo } from './model-rename.js';

const rename = (text: string, model = 'qwen'): string =>
  renameModelTo(model)(Buffer.from(text)).toString();

describe('renameModelTo', () => {
  it('rewrites the model member of a body to the requested name', () => {
    expect(rename('{"id":"c1","model":"gpt-4o-2024-08-06","choices":[]}', 'gpt-4o')).toBe(
      '{"id":"c1","model":"gpt-4o","choices":[]}',
    );
  });

  it('rewrites nested members and every event of a chunk, with spaces and escapes', () => {
    const events =
      'event: message_start\ndata: {"type":"message_start","message":{"model" : "claude-x\\"y"}}\n\n' +
      'data: {"model":"a","choices":[{"delta":{"content":"say \\"model\\":\\"no\\""}}]}\n\n';
    expect(rename(events, 'claude')).toBe(
      'event: message_start\ndata: {"type":"message_start","message":{"model" : "claude"}}\n\n' +
        'data: {"model":"claude","choices":[{"delta":{"content":"say \\"model\\":\\"no\\""}}]}\n\n',
    );
  });

  it('returns the same buffer when there is nothing to rewrite', () => {
    const body = Buffer.from('{"object":"list","data":[]}');
    expect(renameModelTo('m')(body)).toBe(body);
    const same = Buffer.from('{"model":"m"}');
    expect(renameModelTo('m')(same)).toBe(same);
  });

  it('escapes the requested name as JSON', () => {
    expect(rename('{"model":"x"}', 'a"b')).toBe('{"model":"a\\"b"}');
  });
});

describe('ModelRenamer', () => {
  const body =
    '{"id":"c1","object":"chat.completion","model":"upstream-id-é","choices":[{"text":"ünï"}]}';
  const expected =
    '{"id":"c1","object":"chat.completion","model":"asked","choices":[{"text":"ünï"}]}';

  it('rewrites a member cut at any byte between two chunks, UTF-8 intact', () => {
    const bytes = Buffer.from(body);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const renamer = new ModelRenamer('asked');
      const out = Buffer.concat([
        renamer.push(bytes.subarray(0, cut)),
        renamer.push(bytes.subarray(cut)),
        renamer.end(),
      ]);
      expect(out.toString('utf8'), `cut at ${cut}`).toBe(expected);
    }
  });

  it('holds nothing back from a chunk without an open member', () => {
    const renamer = new ModelRenamer('asked');
    expect(renamer.push(Buffer.from('{"data":[1,2,3],')).toString()).toBe('{"data":[1,2,3],');
  });
});
