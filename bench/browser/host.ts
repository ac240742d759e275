/**
 * The orchestrator's side of the browser runners: a site folder (the page bundle built by esbuild
 * from bench/browser/page.ts, our .wasm artefacts, TensorFlow.js's, and the workload files the
 * orchestrator writes into its `data/`), served on the loopback by test/chromium.ts's static server
 * to Debian's headless Chromium, launched as the browser tests launch it. One page per system, each
 * in a browser context of its own, so in a renderer process of its own: like the Node runners, a
 * system's heap, garbage and JIT state are its own, and one that hangs is stopped alone.
 *
 * No cross-origin isolation headers: TensorFlow.js's wasm backend runs single-threaded, as in Node
 * and as on any static host, so every system trains on one core.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, serve, type StaticServer } from '../../test/chromium.js';
import type { Reply, Request } from '../protocol.js';
import type { SystemInfo } from '../systems.js';
import type { PageInit } from './page.js';

export { CHROMIUM, hasChromium };

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const require = createRequire(import.meta.url);

/** A runner as the orchestrator uses it: a Node process (bench/processes.ts) or a page (here). */
export interface Runner {
  request<T>(req: Request, timeoutMs: number): Promise<T>;
  readonly alive: boolean;
  kill(): void;
  close(): Promise<void>;
}

/**
 * Writes the site into `dir`: index.html, the bundle, bin/ (our artefacts, where the library's
 * loader looks beside its module: the bundle is at the root) and tfjs/. `data/` is the
 * orchestrator's to fill.
 */
export async function buildSite(dir: string): Promise<void> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  await build({
    entryPoints: [here('./page.ts')],
    bundle: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'chrome114',
    outdir: dir,
    logLevel: 'error',
    // brain.js's Node entry pulls in its Node-stream trainer; its browser build is what pages load.
    alias: { 'brain.js': 'brain.js/browser.js' },
  });
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html>\n<meta charset="utf-8">\n<link rel="icon" href="data:,">\n<title>wasm-backprop bench runner</title>\n<script type="module" src="./page.js"></script>\n',
  );
  const copyWasm = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const f of readdirSync(from).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(from, f), join(to, f));
  };
  copyWasm(here('../../ts/wasm/bin'), join(dir, 'bin'));
  copyWasm(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), join(dir, 'tfjs'));
}

/** Chromium and the server of the site, shared by every page of a run. */
export class BrowserHost {
  private constructor(
    private readonly browser: Browser,
    private readonly server: StaticServer,
    /** Versions of the peer libraries, passed to each page. */
    private readonly versions: Record<string, string>,
  ) {}

  /** Builds the site into `dir`, serves it and launches Chromium. */
  static async start(dir: string, versions: Record<string, string>): Promise<BrowserHost> {
    if (!hasChromium) throw new Error(`no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)`);
    await buildSite(dir);
    const server = await serve(dir);
    try {
      return new BrowserHost(await launchChromium(), server, versions);
    } catch (e) {
      await server.close();
      throw e;
    }
  }

  /** Chromium's version and user agent. */
  async describe(): Promise<{ version: string; userAgent: string }> {
    const page = await this.browser.newPage();
    try {
      return { version: this.browser.version(), userAgent: await page.evaluate(() => navigator.userAgent) };
    } finally {
      await page.context().close();
    }
  }

  /** A page hosting `system` (it loads while the first request waits). */
  open(system: SystemInfo): BrowserRunner {
    return new BrowserRunner(system, this.browser, this.server.url, { system: system.id, versions: this.versions });
  }

  /** Paths the pages asked for that the site did not have. */
  get missing(): readonly string[] {
    return this.server.missing;
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.close();
  }
}

/** A page that answers requests through `benchRequest` (bench/browser/page.ts). */
export class BrowserRunner implements Runner {
  private exited: string | null = null;
  private context: BrowserContext | null = null;
  private readonly ready: Promise<Page>;
  /** The page's last errors and console lines, shown when it fails. */
  private readonly tail: string[] = [];

  constructor(
    readonly system: SystemInfo,
    browser: Browser,
    url: string,
    init: PageInit,
  ) {
    this.ready = (async () => {
      this.context = await browser.newContext();
      const page = await this.context.newPage();
      const keep = (line: string) => this.tail.splice(0, Math.max(0, this.tail.push(line) - 20));
      page.on('pageerror', (e) => keep(`page error: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && keep(`console: ${m.text()}`));
      page.on('crash', () => (this.exited = 'page crashed'));
      page.on('close', () => (this.exited ??= 'page closed'));
      await page.goto(url);
      await page.waitForFunction(() => typeof globalThis.benchInit === 'function');
      await page.evaluate((i) => globalThis.benchInit(i), init);
      return page;
    })();
    this.ready.catch(() => {}); // reported by the request that waits for it
  }

  private failure(e: unknown): Error {
    const m = e instanceof Error ? e.message : String(e);
    return new Error(`${this.system.id} page: ${m}${this.tail.length ? `:\n  ${this.tail.slice(-8).join('\n  ')}` : ''}`);
  }

  async request<T>(req: Request, timeoutMs: number): Promise<T> {
    if (this.exited) throw new Error(`${this.system.id} page ${this.exited}`);
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`${this.system.id}: '${req.op}' took longer than ${(timeoutMs / 1000).toFixed(0)} s; page closed`));
      }, timeoutMs);
    });
    try {
      const reply = await Promise.race([
        (async () => {
          const page = await this.ready;
          // Errors are returned, not thrown, so their whole message (not playwright's wrapping) arrives.
          return page.evaluate(
            (r) =>
              globalThis.benchRequest(r).then(
                (value): Reply => ({ id: 0, ok: true, value }),
                (e: unknown): Reply => ({ id: 0, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
              ),
            req,
          );
        })().catch((e: unknown) => {
          throw this.failure(e);
        }),
        limit,
      ]);
      if (!reply.ok) throw new Error(`${this.system.id}: ${reply.error}`);
      return reply.value as T;
    } finally {
      clearTimeout(timer);
    }
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** Closes the page's browser context (its renderer process goes with it). */
  kill(): void {
    this.exited ??= 'closed';
    void this.context?.close().catch(() => {});
  }

  async close(): Promise<void> {
    this.exited ??= 'closed';
    await this.context?.close().catch(() => {});
  }
}
