import { z } from 'zod';
import { apiKeyField, headersField, urlField } from './remote-fields.js';
import { nonEmptyString, section } from './schema-fields.js';
import { capabilitiesSchema, timeoutsSchema } from './section-schemas.js';

/** The backends a provider can use: remote HTTP APIs only. */
export const PROVIDER_BACKENDS = ['openai', 'openai-compatible', 'anthropic'] as const;
export type ProviderBackend = (typeof PROVIDER_BACKENDS)[number];

const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const PROVIDER_NAME_RULE =
  'a provider name uses letters, digits and . _ -, starts with a letter or digit, and has at most 64 characters';

export function isValidProviderName(name: string): boolean {
  return PROVIDER_NAME.test(name);
}

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,63}$/;
const PREFIX_RULE =
  'a prefix uses letters, digits and . _ - : @ / +, starts with a letter or digit, and has at most 64 characters (like "groq/")';

/** One entry of `providers:`; the backend is checked (and defaulted) before this runs. */
export function providerSchema(secretName: string) {
  return section({
    backend: z.string().optional(),
    url: urlField().optional(),
    apiKey: apiKeyField(secretName).optional(),
    allowPrivateNetwork: z.boolean().optional(),
    headers: headersField(secretName).optional(),
    capabilities: capabilitiesSchema().optional(),
    timeouts: timeoutsSchema().optional(),
  });
}
export type RawProvider = z.output<ReturnType<typeof providerSchema>>;

function prefixSchema() {
  return section({
    prefix: z.string().regex(PREFIX, { error: PREFIX_RULE }),
    provider: nonEmptyString(),
    strip: z.boolean().optional(),
  });
}

/** Regex sources are compiled (and their problems reported) by compile-routing. */
function ruleSchema() {
  return section({
    match: z.string().min(1).max(1000),
    provider: nonEmptyString().optional(),
    model: nonEmptyString().optional(),
    upstreamModel: nonEmptyString().optional(),
    fallbacks: z.array(z.string()).optional(),
  });
}

export function routingSchema() {
  return section({
    prefixes: z.array(prefixSchema()).nullish(),
    rules: z.array(ruleSchema()).nullish(),
  }).nullish();
}
export type RawRouting = NonNullable<z.output<ReturnType<typeof routingSchema>>>;
