/**
 * What `mlx-gateway service install|uninstall|status` do. Loaded by their actions only
 * (service.ts): the launchd writer's XML libraries (plist, xmlbuilder, xmldom: 450 KB of source)
 * stay out of `up`, which runs the proxy and stays resident.
 */
import { resolveHome } from '@mlx-gateway/shared/paths';
import {
  defaultKind,
  installService,
  renderService,
  serviceFile,
  serviceStatus,
  uninstallService,
  type ServiceKind,
} from '../service/service-manager.js';
import { serviceName, serviceSpec } from '../service/service-spec.js';

export interface ServiceOptions {
  config?: string;
  kind?: ServiceKind;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

export function install(opts: ServiceOptions & { dryRun?: boolean }): void {
  const kind = opts.kind ?? defaultKind();
  const spec = serviceSpec({
    home: resolveHome(),
    ...(opts.config ? { configFile: opts.config } : {}),
  });
  if (opts.dryRun) {
    process.stdout.write(renderService(kind, spec));
    process.stderr.write(`(dry run: would write ${serviceFile(kind, spec.name)})\n`);
    return;
  }
  const result = installService(kind, spec);
  say(`wrote ${result.file}`);
  say(`  runs: mlx-gateway up for ${spec.home}; output in ${spec.logFile}`);
  if (result.loaded) say(`loaded: it runs now and at every login (\`mlx-gateway service status\`)`);
  else {
    say(`not loaded: ${result.hint ?? ''}`);
    process.exitCode = 1;
  }
}

export function uninstall(opts: ServiceOptions): void {
  const kind = opts.kind ?? defaultKind();
  const result = uninstallService(kind, serviceName(resolveHome()));
  if (!result.removed) {
    say(`not installed (no ${result.file}); nothing to remove`);
    return;
  }
  say(`removed ${result.file}`);
  if (result.unloadProblem) say(`note: unloading it failed (${result.unloadProblem})`);
}

export function status(opts: ServiceOptions & { json?: boolean }): void {
  const kind = opts.kind ?? defaultKind();
  const spec = serviceSpec({
    home: resolveHome(),
    ...(opts.config ? { configFile: opts.config } : {}),
  });
  const s = serviceStatus(kind, spec);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  if (!s.installed) {
    say(`not installed (${s.kind}: no ${s.file}); \`mlx-gateway service install\` adds it`);
    return;
  }
  say(
    `installed: ${s.file}${s.current ? '' : ' (differs from what install would write now: run install again)'}`,
  );
  if (s.loaded === null)
    say(
      `loaded: unknown (the ${s.kind === 'launchd' ? 'launchctl' : 'systemd user manager'} cannot be asked here)`,
    );
  else say(`loaded: ${s.loaded ? 'yes' : 'no'}${s.state ? ` (${s.state})` : ''}`);
}
