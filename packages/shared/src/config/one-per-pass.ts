// Building a zod schema costs far more than running it, and a built schema is a few kilobytes
// of heap that a serving process would keep for nothing: the config is validated only at start,
// on reload and by `config check`. So the schemas are built while a config is validated, shared
// within that pass, and garbage after it (issue 17, "Memory").

let built: Map<string, unknown> | undefined;

/**
 * The schema named `key`, built once per pass: a pass is the current synchronous job (a whole
 * config is validated in one), and what it built is dropped when the job ends.
 */
export function onePerPass<T>(key: string, build: () => T): T {
  if (built === undefined) {
    const pass = new Map<string, unknown>();
    built = pass;
    queueMicrotask(() => {
      if (built === pass) built = undefined;
    });
  }
  if (built.has(key)) return built.get(key) as T;
  const schema = build();
  built.set(key, schema);
  return schema;
}
