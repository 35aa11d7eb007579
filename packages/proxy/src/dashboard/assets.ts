import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Context } from 'hono';
import { CLIENT_SCRIPT } from './client-script.js';
import { STYLES } from './styles.js';

/** htmx's minified file from the package (shipped with the gateway: no CDN, works offline). */
let htmx: Promise<string> | undefined;
function htmxSource(): Promise<string> {
  htmx ??= readFile(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');
  return htmx;
}

/** GET /dashboard/assets/<name>: htmx, the dashboard's script and its stylesheet. */
export async function serveAsset(c: Context, name: string): Promise<Response> {
  const cache = { 'cache-control': 'private, max-age=300' };
  switch (name) {
    case 'htmx.min.js':
      return c.body(await htmxSource(), 200, {
        ...cache,
        'content-type': 'text/javascript; charset=utf-8',
      });
    case 'dashboard.js':
      return c.body(CLIENT_SCRIPT, 200, {
        ...cache,
        'content-type': 'text/javascript; charset=utf-8',
      });
    case 'dashboard.css':
      return c.body(STYLES, 200, { ...cache, 'content-type': 'text/css; charset=utf-8' });
    default:
      return c.text('not found', 404);
  }
}
