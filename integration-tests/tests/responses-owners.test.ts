import OpenAI, { NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { TestGateway } from '../support/gateway.js';
import { standinModel } from '../support/processes.js';

// Stored responses belong to the client key that made them: another key can neither read,
// delete nor continue them (they answer 404, as for an id that does not exist).

const gateway = new TestGateway();
let alice: OpenAI;
let bob: OpenAI;

beforeAll(async () => {
  await gateway.configure(standinModel('tiny', { MLX_STANDIN_LOAD_MS: 100 }));
  const keyOf = async (name: string) =>
    (await runCli(gateway.home, ['keys', 'create-client', name])).stdout.trim();
  const [aliceKey, bobKey] = [await keyOf('alice'), await keyOf('bob')];
  await gateway.startSupervisor();
  const url = await gateway.startProxy();
  alice = new OpenAI({ baseURL: `${url}/v1`, apiKey: aliceKey, maxRetries: 0 });
  bob = new OpenAI({ baseURL: `${url}/v1`, apiKey: bobKey, maxRetries: 0 });
});
afterAll(() => gateway.stop());

describe('stored responses and client keys', () => {
  it("keeps each client's responses to that client", async () => {
    const mine = await alice.responses.create({
      model: 'tiny',
      input: 'private words',
      max_output_tokens: 2,
    });
    await expect(bob.responses.retrieve(mine.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      bob.responses.create({ model: 'tiny', previous_response_id: mine.id, input: 'more' }),
    ).rejects.toMatchObject({ status: 404, param: 'previous_response_id' });
    await expect(bob.responses.delete(mine.id)).rejects.toBeInstanceOf(NotFoundError);

    expect((await alice.responses.retrieve(mine.id)).output_text).toBe('private words');
    const next = await alice.responses.create({
      model: 'tiny',
      previous_response_id: mine.id,
      input: 'again',
      max_output_tokens: 1,
    });
    expect(next.output_text).toBe('again');
    await alice.responses.delete(mine.id);
    await expect(alice.responses.retrieve(mine.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
