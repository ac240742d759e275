/**
 * The loader's ways in: the packaged file (Node), a URL over HTTP as a browser loads it (streaming
 * compilation with the right MIME type, a fallback without it), bytes, a compiled module; and
 * failures that say what to check.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Network } from '../ts/network.js';
import { loadWasm, simdSupported } from '../ts/wasm/loader.js';

const simdBytes = readFileSync(new URL('../ts/wasm/bin/backprop.simd.wasm', import.meta.url));
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
        `Could not load the WebAssembly kernels \\(simd128\\) from ${base}/missing.wasm: HTTP 404.*Check that the file exists at that path.*application/wasm`,
      ),
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

  it('bad options are named', async () => {
    await expect(loadWasm({ simd: 'yes' as never })).rejects.toThrow(/options\.simd must be true, false or "auto"/);
    await expect(loadWasm({ instance: {} as never })).rejects.toThrow(/options\.instance must be a WasmInstance/);
  });
});
