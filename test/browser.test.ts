/**
 * The library in a real browser, as a user of the demo meets it: Vite builds demo/ (the kernels and
 * the data become assets beside the bundle), a loopback server serves it, headless Chromium (Debian's,
 * driven by playwright-core) trains digits with the wasm engine and steps the educational engine.
 * The demo's own features are tested in test/demo.test.ts; the shared set-up is test/chromium.ts.
 */
import { describe, expect, it } from 'vitest';
import { hasChromium, useDemo } from './chromium.js';

describe.skipIf(!hasChromium)('the library in headless Chromium', () => {
  const demo = useDemo();

  it('trains digits with the SIMD128 kernels and shows the accuracy', async () => {
    const page = await demo.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(demo.server.url);
    await page.waitForSelector('#status[data-ready="true"]');
    await page.click('#start');
    await page.waitForFunction(() => Number(document.getElementById('status')!.dataset.epoch) >= 20, null, { timeout: 60_000 });
    await page.click('#pause');
    const status = page.locator('#status');
    expect(await status.getAttribute('data-error')).toBeNull();
    expect(await status.getAttribute('data-backend')).toBe('simd128');
    expect(Number(await status.getAttribute('data-accuracy'))).toBeGreaterThan(0.9);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('steps the educational engine and shows a neuron', async () => {
    const page = await demo.browser.newPage();
    await page.goto(demo.server.url);
    await page.waitForSelector('#neuron-info[data-z]');
    const before = await page.getAttribute('#neuron-info', 'data-b');
    await page.click('#edu-step');
    await page.click('#edu-step');
    expect(await page.getAttribute('#edu-sample', 'data-steps')).toBe('2');
    expect(await page.textContent('#edu-sample')).toMatch(/Step 2: sample x = \(0, 1\), class 1/);
    expect(await page.getAttribute('#neuron-info', 'data-b')).not.toBe(before);
    for (const field of ['z', 'a', 'b', 'δ']) expect(await page.textContent('#neuron-info')).toContain(field);
    await page.close();
  });
});
