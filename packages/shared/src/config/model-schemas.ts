import { z } from 'zod';
import { commandField, mlxArgsField } from './command-line.js';
import { envField, healthPathField } from './local-fields.js';
import { modelLimitsField } from './model-limits.js';
import { apiKeyField, headersField, urlField } from './remote-fields.js';
import { onePerPass } from './one-per-pass.js';
import { bytes, duration, nonEmptyString, section } from './schema-fields.js';
import { capabilitiesSchema, timeoutsSchema } from './section-schemas.js';
import type { ModelConfig } from './types.js';

export type Backend = ModelConfig['backend'];
export const BACKENDS: readonly Backend[] = [
  'mlx-openai-server',
  'command',
  'openai',
  'openai-compatible',
  'anthropic',
];
export const MODEL_TYPES = [
  'lm',
  'multimodal',
  'embeddings',
  'whisper',
  'image-generation',
  'image-edit',
] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]*$/;
export const MAX_NAME_LENGTH = 128;
export const NAME_RULE =
  'a model name uses letters, digits and . _ - : @ / +, starts with a letter or digit, and has at most 128 characters';

export function isValidModelName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

const modelName = () => z.string().max(MAX_NAME_LENGTH).regex(NAME, { error: NAME_RULE });

// The shapes are built when the models are validated, once per pass, and are not kept: a
// process holds no schema objects while it serves (issue 17).

function commonShape() {
  return onePerPass('model-common', () => ({
    /** Checked (and defaulted) by compile-model before the schema runs. */
    backend: z.string().optional(),
    aliases: z.array(modelName()).optional(),
    upstreamModel: nonEmptyString().optional(),
    capabilities: capabilitiesSchema().optional(),
    timeouts: timeoutsSchema().optional(),
    fallbacks: z.array(z.string()).optional(),
    /** Limits for the model over all callers (model-limits.ts). */
    limits: modelLimitsField().optional(),
  }));
}

function localShape() {
  return onePerPass('model-local', () => ({
    ...commonShape(),
    env: envField().optional(),
    idleTimeout: duration({ allowZero: true }).optional(),
    startTimeout: duration().optional(),
    healthPath: healthPathField().optional(),
    /** Requests the model serves at once; more wait in `queue` (docs/configuration.md). */
    maxConcurrent: z.number().int().positive().optional(),
    queue: section({
      size: z.number().int().nonnegative().optional(),
      timeout: duration().optional(),
    }).optional(),
    /** Model policy (docs/configuration.md, "Model policy"). */
    pin: z.boolean().optional(),
    priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    preload: z.boolean().optional(),
    memory: bytes().optional(),
    wedgedAfter: z.number().int().nonnegative().optional(),
  }));
}

/** Required keys are optional here so compile-model can explain what is missing. */
function mlxShape() {
  return onePerPass('model-mlx', () => ({
    ...localShape(),
    modelPath: nonEmptyString().optional(),
    modelType: z.enum(MODEL_TYPES).optional(),
    command: commandField().optional(),
    args: mlxArgsField().optional(),
  }));
}

function commandShape() {
  return onePerPass('model-command', () => ({
    ...localShape(),
    command: commandField().optional(),
  }));
}

function remoteShape(secretName: string) {
  return onePerPass(`model-remote:${secretName}`, () => ({
    ...commonShape(),
    url: urlField().optional(),
    apiKey: apiKeyField(secretName).optional(),
    allowPrivateNetwork: z.boolean().optional(),
    headers: headersField(secretName).optional(),
  }));
}

/** The keys of a backend's entries; built only to explain a key of another backend. */
function keysOf(backend: Backend): string[] {
  if (backend === 'mlx-openai-server') return Object.keys(mlxShape());
  if (backend === 'command') return Object.keys(commandShape());
  return Object.keys(remoteShape(''));
}

function foreignKey(backend: Backend) {
  return (key: string): string | undefined => {
    const owners = BACKENDS.filter((b) => keysOf(b).includes(key));
    if (owners.length === 0) return undefined;
    const list = owners.map((b) => `"${b}"`).join(', ');
    return `does not apply to backend "${backend}" (it is a setting of backend ${list})`;
  };
}

export function mlxModelSchema() {
  return onePerPass('model:mlx-openai-server', () =>
    section(mlxShape(), { foreignKey: foreignKey('mlx-openai-server') }),
  );
}

export function commandModelSchema() {
  return onePerPass('model:command', () =>
    section(commandShape(), { foreignKey: foreignKey('command') }),
  );
}

export function remoteModelSchema(backend: Backend, secretName: string) {
  return onePerPass(`model:${backend}:${secretName}`, () =>
    section(remoteShape(secretName), { foreignKey: foreignKey(backend) }),
  );
}

export type RawMlxModel = z.output<ReturnType<typeof mlxModelSchema>>;
export type RawCommandModel = z.output<ReturnType<typeof commandModelSchema>>;
export type RawRemoteModel = z.output<ReturnType<typeof remoteModelSchema>>;
