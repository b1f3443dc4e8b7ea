// Builds dist/ with tsc. Run by `npm install` here and when another package installs this one as a
// file: dependency (tests/e2e) — npm does not install a linked package's devDependencies, so fetch
// them here first when TypeScript is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(tsc) || !existsSync(join(root, 'node_modules', '@types', 'node'))) {
  run('npm', ['install', '--include=dev', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund']);
}
run(process.execPath, [tsc, '-p', 'tsconfig.json']);
