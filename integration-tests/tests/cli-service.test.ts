import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cliMain, repoRoot } from '../support/processes.js';
import { parseUnitFile, unitPath, unitWords } from '../support/unit-file.js';

const DTD = join(repoRoot, 'integration-tests', 'fixtures', 'property-list.dtd');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A user home, and a gateway home inside it whose path needs escaping everywhere. */
function setup(): { user: string; home: string; env: Record<string, string> } {
  const user = mkdtempSync(join(tmpdir(), 'mlxgw-svc-'));
  dirs.push(user);
  const home = join(user, `My "Gateway" it's 100% $HOME & <more>`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return {
    user,
    home,
    env: {
      HOME: user,
      XDG_CONFIG_HOME: join(user, '.config'),
      PATH: '/usr/local/bin:/usr/bin:/bin',
    },
  };
}

const onPath = (program: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

/**
 * xmllint, with an XML catalog that maps the plist's DOCTYPE (Apple's public id and URL) to
 * the fixture DTD: nothing is fetched from the network, and the DOCTYPE resolves locally.
 */
function xmllint(args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'mlxgw-catalog-'));
  dirs.push(dir);
  const catalog = join(dir, 'catalog.xml');
  writeFileSync(
    catalog,
    `<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <public publicId="-//Apple//DTD PLIST 1.0//EN" uri="file://${DTD}"/>
  <system systemId="http://www.apple.com/DTDs/PropertyList-1.0.dtd" uri="file://${DTD}"/>
</catalog>
`,
  );
  return spawnSync('xmllint', ['--nonet', ...args], {
    encoding: 'utf8',
    env: { ...process.env, XML_CATALOG_FILES: catalog },
  });
}

function xpath(file: string, expression: string): string {
  const result = xmllint(['--xpath', expression, file]);
  if (result.status !== 0) throw new Error(`xmllint --xpath ${expression}: ${result.stderr}`);
  // xmllint ends its answer with a newline of its own.
  return result.stdout.replace(/\n$/, '');
}

describe('mlx-gateway service (launchd)', () => {
  it('writes a plist valid against the property-list DTD, every path intact', async () => {
    if (!onPath('xmllint')) {
      throw new Error(
        'xmllint is needed (Debian: apt-get install libxml2-utils; npm test installs it)',
      );
    }
    const { user, home, env } = setup();
    const dry = await runCli(home, ['service', 'install', '--dry-run', '--kind', 'launchd'], {
      env,
    });
    expect(dry.code, dry.stderr).toBe(0);
    const file = join(user, 'agent.plist');
    writeFileSync(file, dry.stdout);
    const valid = xmllint(['--noout', '--dtdvalid', DTD, file]);
    expect(valid.stderr).toBe('');
    expect(valid.status).toBe(0);

    const value = (key: string) =>
      xpath(file, `string(/plist/dict/key[.="${key}"]/following-sibling::*[1])`);
    expect(value('WorkingDirectory')).toBe(home);
    expect(value('StandardOutPath')).toBe(join(home, 'logs', 'service.log'));
    const args = xpath(
      file,
      '/plist/dict/key[.="ProgramArguments"]/following-sibling::array[1]/string',
    )
      .split(/<\/?string>/)
      .filter((s) => s.trim() !== '');
    expect(args).toEqual([process.execPath, '--max-semi-space-size=2', cliMain, 'up']);
    expect(
      xpath(
        file,
        'string(//key[.="EnvironmentVariables"]/following-sibling::dict[1]/key[.="MLX_GATEWAY_HOME"]/following-sibling::string[1])',
      ),
    ).toBe(home);
    expect(xpath(file, 'name(//key[.="RunAtLoad"]/following-sibling::*[1])')).toBe('true');
  });

  it('the DTD refuses a malformed plist (the check has teeth)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlxgw-dtd-'));
    dirs.push(dir);
    const file = join(dir, 'bad.plist');
    writeFileSync(
      file,
      '<?xml version="1.0"?>\n<plist version="1.0"><dict><key>a</key><key>b</key></dict></plist>\n',
    );
    const valid = xmllint(['--noout', '--dtdvalid', DTD, file]);
    expect(valid.stderr).toContain('does not follow the DTD');
    expect(valid.status).not.toBe(0);
  });

  it('install writes the agent where launchd looks and says how to load it; uninstall removes it', async () => {
    const { user, home, env } = setup();
    const installed = await runCli(home, ['service', 'install', '--kind', 'launchd'], { env });
    const agents = join(user, 'Library', 'LaunchAgents');
    const file = join(
      agents,
      JSON.parse(
        (await runCli(home, ['service', 'status', '--json', '--kind', 'launchd'], { env })).stdout,
      ).name + '.plist',
    );
    expect(existsSync(file)).toBe(true);
    expect(installed.stdout).toContain(`wrote ${file}`);
    // No launchctl on Linux: the file is there, loading is left to the user, said as such.
    expect(installed.code).toBe(1);
    expect(installed.stdout).toContain(`load it yourself with: launchctl bootstrap gui/`);
    const removed = await runCli(home, ['service', 'uninstall', '--kind', 'launchd'], { env });
    expect(removed.stdout).toContain(`removed ${file}`);
    expect(existsSync(file)).toBe(false);
  });
});

describe('mlx-gateway service (systemd)', () => {
  it('writes a unit that systemd-analyze verifies and whose words are the argv and paths', async () => {
    const { user, home, env } = setup();
    const dry = await runCli(home, ['service', 'install', '--dry-run', '--kind', 'systemd'], {
      env,
    });
    expect(dry.code, dry.stderr).toBe(0);
    const unit = parseUnitFile(dry.stdout);
    const service = unit.get('Service')!;
    expect(unitWords(service.get('ExecStart')![0]!, 'command')).toEqual([
      process.execPath,
      '--max-semi-space-size=2',
      cliMain,
      'up',
    ]);
    expect(unitWords(service.get('Environment')![0]!, 'environment')).toEqual([
      `MLX_GATEWAY_HOME=${home}`,
      `PATH=${env.PATH}`,
    ]);
    expect(unitPath(service.get('WorkingDirectory')![0]!)).toBe(home);
    expect(unitPath(service.get('StandardOutput')![0]!)).toBe(
      `append:${join(home, 'logs', 'service.log')}`,
    );
    expect(service.get('Restart')).toEqual(['on-failure']);
    expect(unit.get('Install')!.get('WantedBy')).toEqual(['default.target']);

    // systemd's own check where the binary exists (it does on the project's machines).
    if (onPath('systemd-analyze')) {
      const file = join(user, 'mlx-gateway-test.service');
      writeFileSync(file, dry.stdout);
      const runtime = join(user, 'runtime');
      mkdirSync(runtime, { mode: 0o700 });
      const verify = spawnSync('systemd-analyze', ['verify', '--user', file], {
        encoding: 'utf8',
        env: { ...process.env, XDG_RUNTIME_DIR: runtime },
      });
      expect(verify.stderr).toBe('');
      expect(verify.status).toBe(0);
    }
  });

  it('install, status and uninstall with the unit in ~/.config/systemd/user', async () => {
    const { user, home, env } = setup();
    const before = await runCli(home, ['service', 'status', '--kind', 'systemd'], { env });
    expect(before.stdout).toMatch(/^not installed \(systemd: no .*\.service\)/);
    const installed = await runCli(home, ['service', 'install', '--kind', 'systemd'], { env });
    const status = JSON.parse(
      (await runCli(home, ['service', 'status', '--json', '--kind', 'systemd'], { env })).stdout,
    ) as { file: string; installed: boolean; current: boolean; loaded: boolean | null };
    expect(status.file).toBe(
      join(user, '.config', 'systemd', 'user', `${(status as { name?: string }).name}.service`),
    );
    expect(status).toMatchObject({ installed: true, current: true });
    expect(installed.stdout).toContain(`wrote ${status.file}`);
    // Whether systemctl --user answers depends on the machine (no user manager in a container):
    // the command either loads it or says exactly what to run.
    if (installed.code !== 0) {
      expect(installed.stdout).toContain(
        'load it yourself with: systemctl --user daemon-reload && systemctl --user enable --now',
      );
    }
    const removed = await runCli(home, ['service', 'uninstall', '--kind', 'systemd'], { env });
    expect(removed.stdout).toContain(`removed ${status.file}`);
    expect(existsSync(status.file)).toBe(false);
    expect(
      (await runCli(home, ['service', 'uninstall', '--kind', 'systemd'], { env })).stdout,
    ).toMatch(/^not installed/);
  });
});
