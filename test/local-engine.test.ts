/**
 * `Network.create` loads the js and educational engines (ts/engines/local.ts) on first use: where
 * that module cannot load (a bundle's chunk missing on the server), it rejects saying which engine
 * and which script, and with `engine: 'auto'` why the wasm engine did not load either.
 * (test/bundle.test.ts removes the chunk of built apps in Chromium.)
 */
import { describe, expect, it, vi } from 'vitest';
import { Network } from '../ts/network.js';

vi.mock('../ts/engines/local.js', () => {
  throw new Error('404 Not Found');
});

const BROKEN = { source: Uint8Array.of(0, 97, 115, 109, 9, 9) }; // not a WebAssembly module

describe('the js and educational engines where their module cannot load', () => {
  it('Network.create rejects, naming the engine and the script', async () => {
    for (const engine of ['js', 'educational'] as const) {
      await expect(Network.create({ layers: [2, 1], engine })).rejects.toThrow(
        new RegExp(`^the ${engine} engine could not load: its script \\(engines/local\\.js, a chunk of its own in a bundle\\) did not load \\(.+\\)$`),
      );
    }
  });

  it("engine 'auto' whose wasm engine does not load either says why both did not", async () => {
    await expect(Network.create({ layers: [2, 1], engine: 'auto', wasm: BROKEN })).rejects.toThrow(
      /^the wasm engine could not load \(.+\), and the js engine could not load: its script \(engines\/local\.js, a chunk of its own in a bundle\) did not load \(.+\)$/s,
    );
  });

  it('the wasm engine does not need it', async () => {
    const net = await Network.create({ layers: [2, 1] });
    expect(net.engine).toBe('wasm');
    net.dispose();
  });
});
