/**
 * The parts of undici the gateway's processes run: `Client`, `Pool`, `Agent` and
 * `buildConnector`, loaded
 * from undici's own modules instead of its entry point. The entry point also loads fetch,
 * WebSocket, EventSource, the cache stores, the mock agents and every interceptor (112
 * modules, 1.2 MB of source); the proxy holds ~3 MB less resident without them
 * (docs/benchmarks.md, "Idle memory"). Tests and tools that want `request` or `fetch` import
 * `undici` itself; both share these modules (same files, one module cache).
 *
 * The types are undici's public ones: these are the same classes its entry point exports.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

// As undici's entry point does: request(), stream(), pipeline(), connect() and upgrade() are
// the API's methods on every dispatcher.
const Dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
Object.assign(Dispatcher.prototype, require('undici/lib/api') as object);

export const Client = require('undici/lib/dispatcher/client') as typeof Undici.Client;
export const Pool = require('undici/lib/dispatcher/pool') as typeof Undici.Pool;
export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export const buildConnector = require('undici/lib/core/connect') as typeof Undici.buildConnector;
