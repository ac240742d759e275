/**
 * The loader's ways in: the packaged file (Node), a URL over HTTP as a browser loads it (streaming
 * compilation with the right MIME type, a fallback without it), bytes, a compiled module; the
 * backend reported is what the module is (`bp_backend`), and an explicit `simd` the module
 * contradicts is refused; failures that say what to check.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network } from '../ts/network.js';
import { DETERMINISTIC_BACKENDS } from '../ts/types.js';
import { ABI_VERSION } from '../ts/wasm/exports.js';
import { loadWasm, simdSupported } from '../ts/wasm/loader.js';

const simdBytes = readFileSync(new URL('../ts/wasm/bin/backprop.simd.wasm', import.meta.url));
const scalarBytes = readFileSync(new URL('../ts/wasm/bin/backprop.scalar.wasm', import.meta.url));
const BYTES = { simd128: simdBytes, scalar: scalarBytes };
let server: Server;
let base = '';

beforeAll(async () => {
  // A loopback server: /good.wasm with application/wasm, /plain.wasm as octet-stream, others 404.
  server = createServer((req, res) => {
    if (req.url === '/good.wasm' || req.url === '/plain.wasm') {
      res.writeHead(200, { 'Content-Type': req.url === '/good.wasm' ? 'application/wasm' : 'application/octet-stream' });
      res.end(simdBytes);
    } else if (req.url === '/text.wasm') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>not found page</html>');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function trainsXor(wasm: Parameters<typeof loadWasm>[0]): Promise<string> {
  const net = await Network.create({ layers: [2, 3, 1], wasm });
  try {
    expect(net.trainBatch([[0, 1]], [[1]])).toBeGreaterThan(0);
    return net.backend;
  } finally {
    net.dispose();
  }
}

describe('loading the kernels', () => {
  it('this runtime supports SIMD128 and the packaged file loads by default', async () => {
    expect(simdSupported()).toBe(true);
    expect(await trainsXor({})).toBe('simd128');
    expect(await trainsXor({ simd: false })).toBe('scalar');
  });

  it('from a URL served as application/wasm (streaming compilation)', async () => {
    const inst = await loadWasm({ source: `${base}/good.wasm` });
    expect(inst.origin).toBe(`${base}/good.wasm`);
    expect(await trainsXor({ instance: inst })).toBe('simd128');
  });

  it('from a URL served with another MIME type (compiles the bytes instead)', async () => {
    expect(await trainsXor({ source: new URL(`${base}/plain.wasm`) })).toBe('simd128');
  });

  it('from a fetch Response, bytes, and a compiled module', async () => {
    expect(await trainsXor({ source: fetch(`${base}/good.wasm`) })).toBe('simd128');
    expect(await trainsXor({ source: new Uint8Array(simdBytes) })).toBe('simd128');
    expect(await trainsXor({ source: new WebAssembly.Module(simdBytes) })).toBe('simd128');
  });

  it('a missing file names the URL and what to check', async () => {
    await expect(loadWasm({ source: `${base}/missing.wasm` })).rejects.toThrow(
      new RegExp(
        `Could not load the WebAssembly kernels from ${base}/missing.wasm: HTTP 404.*Check that the file exists at that path.*application/wasm.*SIMD128, for the SIMD128 artefact`,
      ),
    );
    // With simd asked for explicitly, the message names the artefact it was to be.
    await expect(loadWasm({ source: `${base}/missing.wasm`, simd: true })).rejects.toThrow(
      new RegExp(`Could not load the WebAssembly kernels \\(simd128\\) from ${base}/missing.wasm: HTTP 404.*or pass \\{ simd: false \\}`),
    );
  });

  it('an HTML page where the wasm should be says so', async () => {
    await expect(loadWasm({ source: `${base}/text.wasm` })).rejects.toThrow(
      /Could not load the WebAssembly kernels .*text\.wasm.*Content-Type application\/wasm/,
    );
  });

  it('a module that is not ours is refused by name', async () => {
    const other = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]); // an empty module
    await expect(loadWasm({ source: other })).rejects.toThrow(/is not the wasm-backprop kernels: missing bp_abi_version/);
  });

  it('kernels of another ABI version are refused by their version, before their exports are counted', async () => {
    // memory and bp_abi_version() → 2, nothing else: what an artefact of version 2 lacks is bp_backend.
    // prettier-ignore
    const v2 = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0,
      1, 5, 1, 0x60, 0, 1, 0x7f, // type: () → i32
      3, 2, 1, 0, // one function of that type
      5, 3, 1, 0, 1, // one memory of one page
      7, 27, 2, 6, ...new TextEncoder().encode('memory'), 2, 0, 14, ...new TextEncoder().encode('bp_abi_version'), 0, 0,
      10, 6, 1, 4, 0, 0x41, 2, 0x0b, // i32.const 2
    ]);
    await expect(loadWasm({ source: v2 })).rejects.toThrow(
      new RegExp(`have ABI version 2, this library needs ${ABI_VERSION}: rebuild them \\(npm run build:wasm\\)`),
    );
  });

  it('bad options are named', async () => {
    await expect(loadWasm({ simd: 'yes' as never })).rejects.toThrow(/^options\.simd must be true, false, 'auto' or 'relaxed', got 'yes'$/);
    await expect(loadWasm({ instance: {} as never })).rejects.toThrow(/options\.instance must be a WasmInstance/);
  });
});

describe.each(DETERMINISTIC_BACKENDS)('the %s artefact passed as the source', (backend) => {
  const other = backend === 'simd128' ? 'scalar' : 'simd128';
  const bytes = BYTES[backend];

  it('is reported as what it is with simd unset or "auto"', async () => {
    for (const simd of [undefined, 'auto'] as const) {
      const inst = await loadWasm({ source: bytes, ...(simd ? { simd } : {}) });
      expect(inst.backend).toBe(backend);
      expect(await trainsXor({ instance: inst })).toBe(backend);
    }
  });

  it('loads with the simd option that names it', async () => {
    const inst = await loadWasm({ source: new Uint8Array(bytes), simd: backend === 'simd128' });
    expect(inst.backend).toBe(backend);
    expect(await trainsXor({ source: new WebAssembly.Module(bytes), simd: backend === 'simd128' })).toBe(backend);
  });

  it('is refused with the simd option that names the other, saying which is which', async () => {
    const simd = other === 'simd128';
    await expect(loadWasm({ source: bytes, simd })).rejects.toThrow(
      `The WebAssembly kernels from ${bytes.byteLength} bytes are the ${backend} artefact, not the ${other} one: ` +
        `simd: ${simd} asks for the ${other} one; pass that artefact, or leave simd unset to use this one`,
    );
    await expect(Network.create({ layers: [2, 1], wasm: { source: bytes, simd } })).rejects.toThrow(`are the ${backend} artefact, not the ${other} one`);
  });
});
