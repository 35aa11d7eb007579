import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import type { InitializeHook, LoadHook } from 'node:module';
import { isMainThread } from 'node:worker_threads';

/**
 * A module loader hook that writes the URL of every ES module a process loads, one a line, to
 * the file named by MODULE_LOAD_LOG: `node --import <this file, built>` (or NODE_OPTIONS) shows
 * what a real process has loaded at any moment (lazy-translators.test.ts). Node runs the hooks
 * in a thread of their own: imported in the main thread, this file registers itself as the
 * hooks module; there, `initialize` and `load` are the hooks.
 */
export const MODULE_LOAD_LOG = 'MODULE_LOAD_LOG';

let logFile: string | undefined;

export const initialize: InitializeHook<{ logFile: string }> = (data) => {
  logFile = data.logFile;
};

export const load: LoadHook = (url, context, nextLoad) => {
  // Written before the module runs, synchronously: the file is complete when an answer that
  // needed the module reaches the client.
  if (logFile !== undefined) appendFileSync(logFile, `${url}\n`);
  return nextLoad(url, context);
};

const target = process.env[MODULE_LOAD_LOG];
if (isMainThread && target !== undefined && target !== '') {
  register(import.meta.url, { data: { logFile: target } });
}
