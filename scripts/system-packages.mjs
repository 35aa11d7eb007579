// Programs the tests run that do not come from npm: Debian's redis-server (the state store's
// tests run a real Redis), xmllint from libxml2-utils (the launchd plist is validated against
// the property-list DTD) and chromium (the dashboard's tests drive a real headless browser with
// puppeteer-core, which never downloads one). Installed with apt-get when missing and this is a
// Debian machine run as root (CI, the project's machines); elsewhere the message says what to
// install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED = [
  { command: 'redis-server', debian: 'redis-server', brew: 'redis' },
  { command: 'xmllint', debian: 'libxml2-utils', brew: 'libxml2' },
  // CHROMIUM_PATH names another Chromium or Chrome (say, on macOS) for the dashboard's tests.
  {
    command: 'chromium',
    debian: 'chromium',
    brew: 'chromium',
    elsewhere: process.env.CHROMIUM_PATH,
  },
];

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const missing = NEEDED.filter(
  (p) => !onPath(p.command) && !(p.elsewhere !== undefined && existsSync(p.elsewhere)),
);

if (missing.length > 0) {
  const packages = missing.map((p) => p.debian);
  const canApt = process.getuid?.() === 0 && onPath('apt-get');
  if (!canApt) {
    console.error(
      `The tests need ${missing.map((p) => p.command).join(', ')}; install it (Debian/Ubuntu: ` +
        `apt-get install ${packages.join(' ')}; macOS: brew install ${missing.map((p) => p.brew).join(' ')}` +
        `, or set CHROMIUM_PATH) and run again.`,
    );
    process.exit(1);
  }
  console.log(`Installing ${packages.join(', ')} from Debian's packages`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
}
