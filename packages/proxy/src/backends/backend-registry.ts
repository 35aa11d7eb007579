import { AnthropicInboundBackend } from './anthropic-inbound-backend.js';
import type { Target } from '../routing/target.js';
import type { Backend } from './backend.js';

/** Picks the backend that serves a target, for the API the client speaks. */
export class BackendRegistry {
  private readonly localForAnthropic: Backend;
  private readonly openaiForAnthropic: Backend;

  constructor(
    private readonly local: Backend,
    private readonly openai: Backend,
    private readonly anthropic: Backend,
  ) {
    this.localForAnthropic = new AnthropicInboundBackend(local);
    this.openaiForAnthropic = new AnthropicInboundBackend(openai);
  }

  /** The backend for an OpenAI-format request, or undefined if no backend here reaches the target. */
  for(target: Target): Backend | undefined {
    const model = target.model;
    if (model.kind === 'local') return this.local;
    if (model.backend === 'openai' || model.backend === 'openai-compatible') return this.openai;
    if (model.backend === 'anthropic') return this.anthropic;
    return undefined;
  }

  /**
   * The backend for an Anthropic-format request (/v1/messages): an Anthropic target takes it
   * as it is; an OpenAI-speaking one (local or remote) through the translating wrapper.
   */
  forAnthropicClients(target: Target): Backend | undefined {
    const model = target.model;
    if (model.kind === 'local') return this.localForAnthropic;
    if (model.backend === 'openai' || model.backend === 'openai-compatible') {
      return this.openaiForAnthropic;
    }
    if (model.backend === 'anthropic') return this.anthropic;
    return undefined;
  }

  /** Whether the target speaks the Anthropic API itself (requests to it are not translated). */
  speaksAnthropic(target: Target): boolean {
    return target.model.kind === 'remote' && target.model.backend === 'anthropic';
  }
}
