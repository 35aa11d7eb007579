/** One `msg: "request"` line of the proxy's log (see docs/proxy.md, "Request log"). */
export interface RequestLogLine {
  reqId: string;
  path: string;
  status: number;
  model?: string;
  stream?: boolean;
  complete?: boolean;
  error?: string;
  clientClosed?: boolean;
  bytes?: number;
}

/** The request lines among a process's output lines (pino JSON), in order. */
export function requestLogLines(lines: readonly string[]): RequestLogLine[] {
  const out: RequestLogLine[] = [];
  for (const line of lines) {
    if (!line.startsWith('{') || !line.includes('"msg":"request"')) continue;
    const parsed = JSON.parse(line) as RequestLogLine & { msg: string };
    if (parsed.msg === 'request') out.push(parsed);
  }
  return out;
}
