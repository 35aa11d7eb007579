import { describe, expect, it } from 'vitest';
import { compileYaml, local, problemsOf } from '../testing/compile-yaml.js';

describe('model policy keys of local models', () => {
  it('compiles pin, priority, preload, memory and wedgedAfter', () => {
    const m = local(`
  qwen:
    modelPath: org/qwen
    pin: true
    priority: 5
    preload: true
    memory: 4GB
    wedgedAfter: 2
`);
    expect(m).toMatchObject({
      pin: true,
      priority: 5,
      preload: true,
      memoryHintBytes: 4_000_000_000,
      wedgedAfter: 2,
    });
  });

  it('leaves them out when not written, and takes wedgedAfter from the supervisor section', () => {
    const plain = local(`
  qwen: { modelPath: org/qwen }
`);
    for (const key of ['pin', 'priority', 'preload', 'memoryHintBytes', 'wedgedAfter'])
      expect(plain).not.toHaveProperty(key);
    const config = compileYaml(`
supervisor: { wedgedAfter: 5 }
models:
  a: { modelPath: org/a }
  b: { modelPath: org/b, wedgedAfter: 0 }
  c: { backend: command, command: "srv --port \${PORT}" }
`);
    expect(config.supervisor.wedgedAfter).toBe(5);
    expect(config.models.map((m) => (m.kind === 'local' ? m.wedgedAfter : undefined))).toEqual([
      5, 0, 5,
    ]);
  });

  it('refuses bad values with the key path', () => {
    expect(
      problemsOf(`
supervisor: { wedgedAfter: -1 }
models:
  qwen:
    modelPath: org/qwen
    pin: yes please
    priority: 1.5
    memory: "4 gigs"
`),
    ).toEqual([
      expect.stringContaining('config.yaml: supervisor.wedgedAfter:'),
      expect.stringContaining('config.yaml: models.qwen.pin:'),
      expect.stringContaining('config.yaml: models.qwen.priority:'),
      expect.stringContaining('config.yaml: models.qwen.memory:'),
    ]);
  });

  it('refuses the policy keys on remote models', () => {
    expect(
      problemsOf(`
models:
  gpt: { backend: openai, pin: true }
`),
    ).toEqual([expect.stringContaining('models.gpt.pin: does not apply to backend "openai"')]);
  });
});
