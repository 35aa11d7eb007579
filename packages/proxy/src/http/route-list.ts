/** A route as Hono lists it (`app.routes`). */
export interface ListedRoute {
  method: string;
  path: string;
}

/**
 * Every route the gateway serves, for the 404 of an unknown path: the proxied POST paths
 * (served before the app) and the app's own routes, methods joined per path (`GET, DELETE
 * /v1/responses/{id}`). Catch-all registrations (`ALL`: middleware, the 405 answers) are not
 * routes of their own. Read from the app itself, so a route added later is listed too.
 */
export function describeRoutes(posts: readonly string[], routes: readonly ListedRoute[]): string {
  const methods = new Map<string, Set<string>>();
  const add = (method: string, path: string): void => {
    const shown = path.replace(/\/:([A-Za-z_]+)/g, '/{$1}').replace(/\/\*$/, '/{id}');
    let set = methods.get(shown);
    if (set === undefined) {
      set = new Set();
      methods.set(shown, set);
    }
    set.add(method);
  };
  for (const path of posts) add('POST', path);
  for (const route of routes) {
    if (route.method !== 'ALL' && route.path !== '/*') add(route.method, route.path);
  }
  return [...methods].map(([path, set]) => `${[...set].join(', ')} ${path}`).join('; ');
}
