/**
 * The import graph checks run by `pnpm lint` (and so by `npm test`): `depcruise --config
 * .dependency-cruiser.mjs packages/proxy/src`.
 *
 * The proxy's folders form layers, bottom to top (docs/architecture.md says what each holds).
 * A module may import modules of its own folder and of the folders below it, never above: so
 * no folder can take part in a cycle with another. The entry files at the top of src/ (app.ts,
 * server.ts, main.ts, index.ts) may import any folder. Tests and the test helpers in testing/
 * are not held to the order (they start whole proxies), but no production module may import
 * testing/. Within a folder, modules must not form cycles either.
 */
const PROXY = '^packages/proxy/src/';

/** Bottom to top. */
const PROXY_LAYERS = [
  'translate',
  'logging',
  'api',
  'state',
  'audit',
  'metrics',
  'events',
  'streaming',
  'upstream',
  'routing',
  'auth',
  'limits',
  'supervisor',
  'leases',
  'backends',
  'forwarding',
  'http',
  'routes',
  'dashboard',
];

const NOT_TESTS = '\\.test\\.ts$';

function upwardRule(layer, index) {
  const above = PROXY_LAYERS.slice(index + 1);
  return {
    name: `proxy-layer-${layer}`,
    severity: 'error',
    comment:
      `packages/proxy/src/${layer}/ may import only ${PROXY_LAYERS.slice(0, index).join(', ') || 'no other folder'} ` +
      `(the folders below it; order: ${PROXY_LAYERS.join(' < ')} < the entry files).`,
    from: { path: `${PROXY}${layer}/`, pathNot: NOT_TESTS },
    to: {
      path: [
        ...above.map((upper) => `${PROXY}${upper}/`),
        // The entry files of src/ (app.ts, server.ts, ...) are above every folder.
        `${PROXY}[^/]+$`,
      ],
    },
  };
}

export default {
  forbidden: [
    ...PROXY_LAYERS.map(upwardRule),
    {
      name: 'proxy-folder-unknown',
      severity: 'error',
      comment: `A folder of packages/proxy/src must have its place in the layer order (.dependency-cruiser.mjs).`,
      from: {
        path: `${PROXY}[^/]+/`,
        pathNot: [`${PROXY}(${[...PROXY_LAYERS, 'testing'].join('|')})/`],
      },
      to: {},
    },
    {
      name: 'proxy-no-testing-in-production',
      severity: 'error',
      comment: 'Test helpers (packages/proxy/src/testing/) are for tests only.',
      from: { path: PROXY, pathNot: [NOT_TESTS, `${PROXY}testing/`] },
      to: { path: `${PROXY}testing/` },
    },
    {
      name: 'proxy-no-cycle',
      severity: 'error',
      comment: 'Modules of the proxy must not import each other in a circle (type imports count).',
      from: { path: PROXY },
      to: { circular: true },
    },
  ],
  options: {
    // The other packages are reached only through their index (an eslint rule); not followed.
    doNotFollow: { path: ['node_modules', '^packages/(protocol|shared)/'] },
    exclude: { path: ['/dist/'] },
    // Type-only imports count: a type cycle is a design cycle too.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: ['.ts', '.js'],
      // The workspace packages are resolved to their sources (the `source` export condition).
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'types', 'default'],
    },
  },
};
