// Installs the workspace with the pinned pnpm and builds it. Needs only Node.js 20 and npm.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const { packageManager } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url)));
const pnpm = ['-y', packageManager];
const run = (args) => execFileSync('npx', [...pnpm, ...args], { stdio: 'inherit' });
run(['install', '--frozen-lockfile']);
run(['run', 'build']);
