import type { Command } from 'commander';
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

interface ServiceOptions {
  config?: string;
  kind?: ServiceKind;
}

function parseKind(value: string): ServiceKind {
  if (value !== 'launchd' && value !== 'systemd') {
    throw new Error(`--kind takes launchd or systemd (got "${value}")`);
  }
  return value;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

function install(opts: ServiceOptions & { dryRun?: boolean }): void {
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

function uninstall(opts: ServiceOptions): void {
  const kind = opts.kind ?? defaultKind();
  const result = uninstallService(kind, serviceName(resolveHome()));
  if (!result.removed) {
    say(`not installed (no ${result.file}); nothing to remove`);
    return;
  }
  say(`removed ${result.file}`);
  if (result.unloadProblem) say(`note: unloading it failed (${result.unloadProblem})`);
}

function status(opts: ServiceOptions & { json?: boolean }): void {
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

/** `mlx-gateway service install|uninstall|status`: run `up` at login (launchd agent or systemd user unit). */
export function registerServiceCommands(program: Command, global: () => { config?: string }): void {
  const service = program
    .command('service')
    .description(
      'run the gateway at login: a launchd agent (macOS) or a systemd user unit (Linux)',
    );
  const kindOption = [
    '--kind <kind>',
    'launchd or systemd (default: this system’s)',
    parseKind,
  ] as const;
  service
    .command('install')
    .description(
      'write the service file (running `mlx-gateway up`, logs in the gateway home) and load it',
    )
    .option('--dry-run', 'print the file instead of writing it')
    .option(...kindOption)
    .action((o: { dryRun?: boolean; kind?: ServiceKind }) => install({ ...global(), ...o }));
  service
    .command('uninstall')
    .description('unload and remove the service file')
    .option(...kindOption)
    .action((o: { kind?: ServiceKind }) => uninstall({ ...global(), ...o }));
  service
    .command('status')
    .description('whether the service is installed and loaded')
    .option('--json', 'print a JSON document')
    .option(...kindOption)
    .action((o: { json?: boolean; kind?: ServiceKind }) => status({ ...global(), ...o }));
}
