/**
 * The library in a real browser, as a user of the demo meets it: Vite builds demo/ (the kernels and
 * the data become assets beside the bundle), a loopback server serves it, headless Chromium (Debian's,
 * driven by playwright-core) trains digits with the wasm engine and steps the educational engine.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const demo = fileURLToPath(new URL('../demo/', import.meta.url));
const dist = join(demo, 'dist');
const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv',
  '.css': 'text/css',
};

let server: Server;
let browser: Browser;
let url = '';

describe.skipIf(!existsSync(CHROMIUM))('the demo in headless Chromium', () => {
  beforeAll(async () => {
    await build({ configFile: join(demo, 'vite.config.ts'), logLevel: 'warn' });
    server = createServer((req, res) => {
      const path = normalize(join(dist, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      const file = path.endsWith('/') ? join(path, 'index.html') : path;
      if (!file.startsWith(dist) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
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
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('trains digits with the SIMD128 kernels and shows the accuracy', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('#status[data-ready="true"]');
    await page.fill('#epochs', '20');
    await page.click('#train');
    await page.waitForSelector('#status[data-accuracy], #status[data-error]', { timeout: 60_000 });
    const status = page.locator('#status');
    expect(await status.getAttribute('data-error')).toBeNull();
    expect(await status.getAttribute('data-backend')).toBe('simd128');
    expect(Number(await status.getAttribute('data-accuracy'))).toBeGreaterThan(0.9);
    mkdirSync(join(dist, 'screenshots'), { recursive: true });
    await page.screenshot({ path: join(dist, 'screenshots', 'train.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('steps the educational engine and lists every neuron', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForSelector('#status[data-ready="true"]');
    const before = await page.textContent('#neurons');
    await page.click('#step');
    await page.click('#step');
    const after = (await page.textContent('#neurons'))!;
    expect(after).not.toBe(before);
    expect(await page.textContent('#sample')).toMatch(/step 2: sample \(0, 1\) → 1/);
    for (const field of ['z=', 'a=', 'b=', 'delta=', 'w=']) expect(after).toContain(field);
    await page.close();
  });
});
