/**
 * What the browser tests share: the demo built by Vite into a folder of its own (so two test files
 * building at once do not overwrite each other's files), a loopback static server for it, and
 * Debian's headless Chromium driven by playwright-core.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

const demo = fileURLToPath(new URL('../demo/', import.meta.url));
const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv',
  '.css': 'text/css',
  '.json': 'application/json',
};

/** The demo built for production into a new temporary folder; returns the folder. */
export async function buildDemo(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'wbp-demo-'));
  await build({ configFile: join(demo, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

export interface StaticServer {
  url: string;
  /** The paths asked for that were not there. */
  missing: string[];
  close(): Promise<void>;
}

/**
 * A plain static server of `dir` on 127.0.0.1 (no special headers: what any static host does), or
 * with `isolated` the two headers that make its pages cross-origin isolated (shared memory).
 */
export async function serve(dir: string, isolated = false): Promise<StaticServer> {
  const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
  const missing: string[] = [];
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(dir) || !existsSync(file)) {
      missing.push(req.url ?? '');
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, missing, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What `useDemo` sets up before the tests of its `describe` block. */
export interface DemoContext {
  server: StaticServer;
  browser: Browser;
}

/**
 * In a `describe` block: builds the demo, serves it and launches Chromium before its tests, and
 * closes and removes all of it after them. The fields are set once the tests run.
 */
export function useDemo(): DemoContext {
  const ctx = {} as DemoContext;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await buildDemo();
    ctx.server = await serve(dir);
    ctx.browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return ctx;
}
