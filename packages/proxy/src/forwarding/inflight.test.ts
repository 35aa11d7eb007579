import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { ExchangeView, ProxyExchange } from './exchange.js';
import { Inflight } from './inflight.js';

/** An exchange that runs until cancelled or stopped, recording what ended it. */
function runningExchange(reqId: string) {
  let end: () => void = () => {};
  const ended = new Promise<void>((resolve) => (end = resolve));
  const exchange = {
    reqId,
    cancelledWith: undefined as GatewayError | undefined,
    cancel(error: GatewayError) {
      this.cancelledWith = error;
      end();
    },
    stop() {
      end();
    },
    describe(): ExchangeView {
      return { reqId, path: '/v1/chat/completions', stream: true, start: 5, bytes: 42 };
    },
  };
  return { exchange, ended };
}

describe('requests in flight', () => {
  it('lists the running requests and cancels one by id', async () => {
    const inflight = new Inflight();
    const a = runningExchange('a');
    const b = runningExchange('b');
    const tracked = [
      inflight.track(a.exchange as unknown as ProxyExchange, a.ended),
      inflight.track(b.exchange as unknown as ProxyExchange, b.ended),
    ];
    expect(inflight.list().map((v) => v.reqId)).toEqual(['a', 'b']);
    expect(inflight.list()[0]).toMatchObject({ bytes: 42, stream: true });
    const error = new GatewayError(ErrorCodes.STREAM_INTERRUPTED, 'cancelled');
    expect(inflight.cancel('nope', error)).toBe(false);
    expect(inflight.cancel('b', error)).toBe(true);
    expect(b.exchange.cancelledWith).toBe(error);
    expect(a.exchange.cancelledWith).toBeUndefined();
    await tracked[1];
    expect(inflight.list().map((v) => v.reqId)).toEqual(['a']);
    a.exchange.stop();
    await Promise.all(tracked);
    expect(inflight.size).toBe(0);
  });
});
