import { createParser } from 'eventsource-parser';
import { request } from 'undici';

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.statusCode, headers: res.headers, body: parsed };
}

export async function getJson(url: string): Promise<JsonResponse> {
  const res = await request(url);
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(text) };
}

/** Posts a streaming request and collects the SSE `data:` payloads. */
export async function postStream(
  url: string,
  body: unknown,
): Promise<{ status: number; headers: JsonResponse['headers']; events: string[] }> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const events: string[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e.data) });
  for await (const chunk of res.body) parser.feed((chunk as Buffer).toString('utf8'));
  return { status: res.statusCode, headers: res.headers, events };
}
