// `npm run e2e`: the browser tests. Seeds one demo database (isocourse demo), then runs
// every e2e/*.test.mjs with node's test runner, one file at a time; each file copies
// the seeded database, starts its own `isocourse serve --port 0` on it and drives
// Debian's Chromium through playwright-core (harness.mjs).
//
// Needs: ISOCOURSE_BIN (the built isocourse binary; CTest sets it), web/dist (npm run
// build), node_modules (npm ci) and /usr/bin/chromium (or ISOCOURSE_CHROMIUM).
// Exit code 77 = skipped (no Chromium on this machine), which CTest reports as skipped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.resolve(here, '..');
const repo = path.resolve(web, '..');

function fail(message, code = 1) {
  console.error(`e2e: ${message}`);
  process.exit(code);
}

const bin = process.env.ISOCOURSE_BIN;
if (!bin) fail('set ISOCOURSE_BIN to the built isocourse binary (CTest does; by hand: ISOCOURSE_BIN=build/release/isocourse npm run e2e)');
if (!existsSync(bin)) fail(`ISOCOURSE_BIN=${bin} does not exist; build the isocourse target first`);
const chromium = process.env.ISOCOURSE_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromium)) fail(`no Chromium at ${chromium} (apt-get install chromium, or set ISOCOURSE_CHROMIUM); skipping the browser tests`, 77);
if (!existsSync(path.join(web, 'dist', 'index.html'))) fail('web/dist is missing: build the web app first (scripts/build.sh, or npm run build in web/)');
if (!existsSync(path.join(web, 'node_modules', 'playwright-core'))) fail('playwright-core is not installed: run npm ci in web/');

const knowledge = process.env.ISOCOURSE_KNOWLEDGE || path.join(repo, 'knowledge');
const work = mkdtempSync(path.join(tmpdir(), 'isocourse-e2e-'));
const template = path.join(work, 'demo-template.db');
const t0 = Date.now();
const seeded = spawnSync(bin, ['--knowledge', knowledge, 'demo', '--db', template], { encoding: 'utf8', cwd: work });
if (seeded.status !== 0) {
  rmSync(work, { recursive: true, force: true });
  fail(`isocourse demo failed (exit ${seeded.status}):\n${seeded.stdout}\n${seeded.stderr}`);
}
console.log(`e2e: demo database seeded in ${Date.now() - t0} ms`);

const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => path.join(here, f));

const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: web,
  env: {
    ...process.env,
    ISOCOURSE_BIN: path.resolve(bin),
    ISOCOURSE_KNOWLEDGE: knowledge,
    ISOCOURSE_CHROMIUM: chromium,
    ISOCOURSE_E2E_TEMPLATE: template,
    ISOCOURSE_E2E_ARTIFACTS: process.env.ISOCOURSE_E2E_ARTIFACTS || path.join(repo, 'test-artifacts', 'e2e'),
  },
});
const finish = (code) => {
  rmSync(work, { recursive: true, force: true });
  process.exit(code);
};
child.on('exit', (code, signal) => finish(code ?? (signal ? 1 : 0)));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
