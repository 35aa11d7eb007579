#!/usr/bin/env node
/**
 * The supervisor daemon process: `node packages/supervisor/dist/main.js [--config FILE]`.
 * Prints one line "mlx-gateway supervisor ready (pid N)" once its control socket is bound, and
 * exits 0 after a graceful shutdown (SIGINT, SIGTERM or the `shutdown` command).
 */
import { writeFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SupervisorClient } from '@mlx-gateway/protocol';
import { loadConfig } from '@mlx-gateway/shared/config';
import { errorFrom } from '@mlx-gateway/shared/errors';
import { createLogger } from '@mlx-gateway/shared/logging';
import { resolveHome } from '@mlx-gateway/shared/paths';
// The redaction alone: the whole security entry also loads the SSRF-guarded HTTP agent (undici).
import { scrubSecrets } from '@mlx-gateway/shared/security/redact';
import { Supervisor } from './daemon/supervisor.js';
import { checkControlEndpoint, supervisorCurveKeys } from './daemon/control-endpoint.js';

async function main(): Promise<number> {
  // Every file and socket the supervisor (and the model servers it spawns) creates is private.
  process.umask(0o077);
  const { values } = parseArgs({ options: { config: { type: 'string' } }, strict: true });
  const home = resolveHome();
  const config = loadConfig({ file: values.config, home });
  const logger = createLogger({
    name: 'supervisor',
    level: process.env['MLX_GATEWAY_LOG_LEVEL'] ?? 'info',
  });
  checkControlEndpoint(config.supervisor);
  const curve = await supervisorCurveKeys(config);

  // Refuse to run twice on the same control socket (a TCP port in use fails the bind instead).
  if (config.supervisor.controlEndpoint.startsWith('ipc://')) {
    const probe = new SupervisorClient({
      endpoint: config.supervisor.controlEndpoint,
      timeoutMs: 500,
    });
    const running = await probe.request({ cmd: 'ping' }).catch(() => undefined);
    probe.close();
    if (running) {
      process.stderr.write(`mlx-gateway: a supervisor is already running (pid ${running.pid})\n`);
      return 3;
    }
  }

  const supervisor = new Supervisor(config, {
    logger,
    scrub: scrubSecrets,
    // `reload` reads the same file again (the default one when none was named).
    readConfig: () => loadConfig({ file: values.config, home }),
    ...(curve ? { curve } : {}),
  });
  const onSignal = (signal: NodeJS.Signals) => void supervisor.shutdown(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await supervisor.start();
  writeFileSync(supervisor.paths.supervisorPidFile, `${process.pid}\n`, { mode: 0o600 });
  process.stdout.write(`mlx-gateway supervisor ready (pid ${process.pid})\n`);
  await supervisor.waitForExit();
  rmSync(supervisor.paths.supervisorPidFile, { force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = errorFrom(err);
    process.stderr.write(`mlx-gateway supervisor: ${e.message}\n`);
    process.exit(1);
  },
);
