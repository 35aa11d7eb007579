/**
 * A tokenizer-free token estimate. Backends use different tokenizers (a local Qwen or
 * Llama model, Claude), so no single tokenizer is exact; this heuristic counts about four
 * characters per token for ASCII text and one token per other character (CJK, emoji,
 * accented letters), which overestimates rather than underestimates.
 */
export class TokenTally {
  private ascii = 0;
  private other = 0;

  add(text: string): void {
    for (const char of text) {
      if (char.charCodeAt(0) < 0x80) this.ascii += 1;
      else this.other += 1;
    }
  }

  /** Adds a fixed number of tokens (message framing, images). */
  addTokens(tokens: number): void {
    this.other += tokens;
  }

  get tokens(): number {
    return Math.ceil(this.ascii / 4) + this.other;
  }
}

export function estimateTextTokens(text: string): number {
  const tally = new TokenTally();
  tally.add(text);
  return tally.tokens;
}
