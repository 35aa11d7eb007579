import type { Capabilities, ModelConfig } from './types.js';

const NONE: Capabilities = {
  chat: false,
  completions: false,
  embeddings: false,
  tools: false,
  vision: false,
  streamingUsage: false,
};

/** What a backend supports before the config overrides it. */
export function defaultCapabilities(
  backend: ModelConfig['backend'],
  modelType?: string,
): Capabilities {
  switch (backend) {
    case 'mlx-openai-server': {
      if (modelType === 'embeddings') return { ...NONE, embeddings: true };
      if (modelType !== 'lm' && modelType !== 'multimodal') return { ...NONE };
      const chatModel = {
        ...NONE,
        chat: true,
        completions: true,
        tools: true,
        streamingUsage: true,
      };
      return modelType === 'multimodal' ? { ...chatModel, vision: true } : chatModel;
    }
    case 'command':
      return { ...NONE, chat: true, completions: true, embeddings: true };
    case 'openai':
      return {
        chat: true,
        completions: true,
        embeddings: true,
        tools: true,
        vision: true,
        streamingUsage: true,
      };
    case 'openai-compatible':
      return {
        ...NONE,
        chat: true,
        completions: true,
        embeddings: true,
        tools: true,
        streamingUsage: true,
      };
    case 'anthropic':
      return { ...NONE, chat: true, tools: true, vision: true, streamingUsage: true };
  }
}
