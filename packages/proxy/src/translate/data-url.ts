/** `data:` URLs ⇄ the base64 image and document sources of the Anthropic API. */

const BASE64_DATA_URL = /^data:([^;,]+)(?:;[^;,]*)*;base64,(.*)$/s;

export interface Base64Payload {
  mediaType: string;
  data: string;
}

/** Splits `data:<type>[;params];base64,<data>`; undefined for anything else. */
export function parseBase64DataUrl(url: string): Base64Payload | undefined {
  const match = BASE64_DATA_URL.exec(url);
  if (!match?.[1] || match[2] === undefined) return undefined;
  return { mediaType: match[1].toLowerCase(), data: match[2] };
}

export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

export function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}
