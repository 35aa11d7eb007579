import type { Handler } from 'hono';
import type { AppEnv } from '../http/app-env.js';
import type { ModelSupervisor } from '../supervisor/model-supervisor.js';

/**
 * GET /health: 200 while the proxy serves requests, whatever the supervisor's state (remote
 * models work without it); says whether the supervisor answers right now.
 */
export function healthRoute(supervisor: ModelSupervisor): Handler<AppEnv> {
  return async (c) => {
    const reachable = await supervisor.reachable();
    return c.json({ status: 'ok', supervisor: { reachable } });
  };
}
