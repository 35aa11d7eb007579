import { describe, expect, it } from 'vitest';
import { compileYaml, problemsOf } from '../testing/compile-yaml.js';

describe('names, aliases and fallbacks', () => {
  it('keeps declaration order', () => {
    const { models } = compileYaml(`
models:
  zeta: { backend: openai }
  alpha: { modelPath: m/a }
  mid: { backend: anthropic }
`);
    expect(models.map((m) => m.name)).toEqual(['zeta', 'alpha', 'mid']);
  });

  it('refuses an alias that clashes with another model name, naming both', () => {
    expect(
      problemsOf(`
models:
  qwen: { modelPath: m/q }
  qwen-7b: { modelPath: m/q7, aliases: [qwen] }
`),
    ).toEqual([
      'config.yaml: models.qwen-7b.aliases[0]: "qwen" is already used by models.qwen; names and aliases must be unique',
    ]);
  });

  it('refuses an alias used twice, naming where it was first used', () => {
    expect(
      problemsOf(`
models:
  a: { modelPath: m/a, aliases: [small] }
  b: { backend: openai, aliases: [small] }
`),
    ).toEqual([
      'config.yaml: models.b.aliases[0]: "small" is already used by models.a.aliases[0]; names and aliases must be unique',
    ]);
  });

  it('refuses an alias equal to the model name', () => {
    expect(problemsOf('models:\n  a: { modelPath: m/a, aliases: [a] }')).toEqual([
      'config.yaml: models.a.aliases[0]: "a" is the model\'s own name',
    ]);
  });

  it('refuses names and aliases with spaces', () => {
    const problems = problemsOf('models:\n  "my model": { modelPath: m/a, aliases: ["x y"] }');
    expect(problems).toEqual([
      'config.yaml: models["my model"]: a model name uses letters, digits and . _ - : @ / +, starts with a letter or digit, and has at most 128 characters (got "my model")',
      'config.yaml: models["my model"].aliases[0]: a model name uses letters, digits and . _ - : @ / +, starts with a letter or digit, and has at most 128 characters (got "x y")',
    ]);
  });

  it('resolves fallbacks given by alias to model names', () => {
    const { models } = compileYaml(`
models:
  qwen: { modelPath: m/q, fallbacks: [gpt, claude] }
  gpt-4o: { backend: openai, aliases: [gpt] }
  claude: { backend: anthropic }
`);
    expect(models[0]?.fallbacks).toEqual(['gpt-4o', 'claude']);
  });

  it('refuses fallbacks that name no configured model, itself, or the same model twice', () => {
    expect(
      problemsOf(`
models:
  qwen: { modelPath: m/q, fallbacks: [gpt4o, qwen, gpt-4o, gpt] }
  gpt-4o: { backend: openai, aliases: [gpt] }
`),
    ).toEqual([
      'config.yaml: models.qwen.fallbacks[0]: "gpt4o" is not a configured model; did you mean "gpt-4o"?',
      'config.yaml: models.qwen.fallbacks[1]: a model cannot fall back to itself',
      'config.yaml: models.qwen.fallbacks[3]: "gpt" is listed twice',
    ]);
  });

  it('does not call a fallback unknown when its own entry has problems', () => {
    expect(
      problemsOf(`
models:
  qwen: { modelPath: m/q, fallbacks: [gpt-4o] }
  gpt-4o: { backend: openai, url: "ftp://nope" }
`),
    ).toEqual([
      'config.yaml: models.gpt-4o.url: expected an http or https URL like "https://api.openai.com/v1" (got "ftp://nope")',
    ]);
  });
});
