// POST /v1/embeddings: one deterministic vector per input, as floats or base64 float32.
import type { ServerResponse } from 'node:http';
import type { GenerationContext } from './chat-route.js';
import { embeddingResponse } from './chunks.js';
import { embed, toBase64 } from './embeddings.js';
import type { Generation } from './generation.js';
import { finishJson } from './pacing.js';
import type { EmbeddingRequest } from './requests.js';

export async function handleEmbeddings(
  request: EmbeddingRequest,
  gen: Generation,
  res: ServerResponse,
  context: GenerationContext,
): Promise<void> {
  if (!(await gen.sleep(context.behaviour.firstTokenMs))) return;
  const vectors = request.inputs.map((input) => embed(input, request.dimensions));
  const encoded = request.encodingFormat === 'base64' ? vectors.map(toBase64) : vectors;
  finishJson(gen, res, 200, embeddingResponse(request.model ?? context.modelId, encoded));
}
