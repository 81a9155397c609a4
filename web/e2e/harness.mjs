// The browser-test harness: a real `isocourse serve` on an ephemeral port with a
// fresh copy of the seeded demo database, serving web/dist, and Debian's Chromium
// driven by playwright-core. Every page collects console errors and uncaught
// exceptions; tests assert there are none. Screenshots go to test-artifacts/e2e/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.resolve(here, '..');

export const DEMO_PASSWORD = 'isocourse-demo';

/** Chromium as the issue asks: headless, no sandbox (containers), nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the browser tests with \`npm run e2e\` (e2e/run.mjs sets it)`);
  return v;
}

/** Starts `isocourse serve` and resolves with its URL once it prints it. */
function startServer(bin, db, knowledge, staticDir, cwd) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['--knowledge', knowledge, 'serve', '--port', '0', '--db', db, '--static-dir', staticDir, '--quiet'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`isocourse serve did not print its URL within 20 s\nstdout: ${out}\nstderr: ${err}`));
    }, 20000);
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /isocourse serving on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1].replace(/\/$/, ''), log: () => out + err });
      }
    });
    proc.stderr.on('data', (chunk) => {
      err += chunk;
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`isocourse serve exited with ${code} before serving\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

/**
 * One server + one browser for a test file. `await stack.stop()` in `after`.
 * @returns {Promise<Stack>}
 */
export async function startStack() {
  const work = mkdtempSync(path.join(tmpdir(), 'isocourse-e2e-run-'));
  const db = path.join(work, 'isocourse.db');
  copyFileSync(env('ISOCOURSE_E2E_TEMPLATE'), db);
  const server = await startServer(env('ISOCOURSE_BIN'), db, env('ISOCOURSE_KNOWLEDGE'), path.join(web, 'dist'), work);
  // launch() gives Chromium a fresh, temporary --user-data-dir of its own.
  const browser = await chromium.launch({
    executablePath: process.env.ISOCOURSE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const artifacts = process.env.ISOCOURSE_E2E_ARTIFACTS || path.resolve(web, '..', 'test-artifacts', 'e2e');
  mkdirSync(artifacts, { recursive: true });
  return new Stack(server, browser, work, artifacts);
}

export class Stack {
  constructor(server, browser, work, artifacts) {
    this.server = server;
    this.url = server.url;
    this.browser = browser;
    this.work = work;
    this.artifacts = artifacts;
    /** @type {import('playwright-core').BrowserContext[]} */
    this.contexts = [];
  }

  /**
   * A fresh browser context (own cookies) with one page that records console errors.
   * @param {{ viewport?: {width:number,height:number} }} [opts]
   */
  async newPage(opts = {}) {
    const context = await this.browser.newContext({ baseURL: this.url, viewport: opts.viewport ?? { width: 1280, height: 900 } });
    this.contexts.push(context);
    const page = await context.newPage();
    page.consoleErrors = [];
    page.apiRefusals = [];
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const where = m.location().url || '';
      // Chromium logs every 4xx answer as "Failed to load resource". From the API
      // these are answers the app handles and shows (401 before sign-in, a refused
      // check, a validation problem), so they are kept apart; anything else (a
      // missing asset, a 5xx, a script error) counts as a console error.
      if (/status of 4\d\d/.test(m.text()) && new URL(where, 'http://x').pathname.startsWith('/api/')) {
        page.apiRefusals.push(`${m.text()} (${where})`);
        return;
      }
      page.consoleErrors.push(`console.error: ${m.text()} (${where})`);
    });
    page.on('pageerror', (e) => page.consoleErrors.push(`uncaught: ${e.message}`));
    return page;
  }

  /** Signs in through the sign-in form and waits for the role's start page. */
  async signIn(username, opts = {}) {
    const page = await this.newPage(opts);
    await page.goto('/#/sign-in');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: /Sign out/ }).waitFor();
    // The app then moves to the role's start page; a test's own navigation must come
    // after that, not race it.
    await page.waitForFunction(() => !window.location.hash.startsWith('#/sign-in'));
    return page;
  }

  /** Full-page screenshot under test-artifacts/e2e/<name>.png. */
  async shot(page, name) {
    await page.screenshot({ path: path.join(this.artifacts, `${name}.png`), fullPage: true });
  }

  /**
   * Whether the server has a route: asks it from inside a signed-in page (so the
   * session cookie goes along) and looks for the router's "no such resource" 404.
   * @returns {Promise<boolean>}
   */
  async hasRoute(page, method, routePath, body) {
    const r = await page.evaluate(
      async ([m, p, b]) => {
        const headers = { Accept: 'application/json' };
        const token = sessionStorage.getItem('isocourse.csrf');
        if (token) headers['X-CSRF-Token'] = token;
        if (b !== undefined) headers['Content-Type'] = 'application/json';
        const res = await fetch(p, { method: m, headers, body: b === undefined ? undefined : JSON.stringify(b) });
        let problem = null;
        try {
          problem = await res.json();
        } catch {
          problem = null;
        }
        return { status: res.status, where: problem && problem.where };
      },
      [method, routePath, body],
    );
    return !(r.status === 404 && r.where === 'path');
  }

  async stop() {
    for (const c of this.contexts) await c.close().catch(() => {});
    await this.browser.close().catch(() => {});
    this.server.proc.kill('SIGTERM');
    await new Promise((resolve) => {
      const t = setTimeout(() => {
        this.server.proc.kill('SIGKILL');
        resolve();
      }, 5000);
      this.server.proc.on('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
    rmSync(this.work, { recursive: true, force: true });
  }
}

/** Fails with every console error the page collected (none expected). */
export function assertNoConsoleErrors(page) {
  assert.deepEqual(page.consoleErrors, [], `console errors on ${page.url()}`);
}

/**
 * Skips the test (with the route in the message) when the server lacks a route the
 * screen needs. Returns true when skipped.
 */
export async function skipWithoutRoute(t, stack, page, method, routePath, body) {
  if (await stack.hasRoute(page, method, routePath, body)) return false;
  t.skip(`the server has no ${method} ${routePath} yet (docs/web.md, "Routes the web app expects")`);
  return true;
}

/** GET an API path from inside a signed-in page (its cookie goes along). */
export async function apiGet(page, apiPath) {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { headers: { Accept: 'application/json' } });
    let body = null;
    try {
      body = await r.json();
    } catch {
      body = null;
    }
    return { status: r.status, body };
  }, apiPath);
}

/** Some patients of the signed-in clinic user (id, names). */
export async function somePatients(page, q = '') {
  const r = await apiGet(page, `/api/v1/patients?limit=20${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  assert.equal(r.status, 200, `listing patients: ${JSON.stringify(r.body)}`);
  return r.body.items;
}
