/**
 * The two built WebAssembly artefacts themselves: exports, imports, size, and whether they contain
 * SIMD instructions (the SIMD one must, the scalar one must not).
 */
import binaryen from 'binaryen';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPORT_NAMES, ABI_VERSION } from '../ts/wasm/exports.js';

const artefacts = {
  simd128: new URL('../ts/wasm/bin/backprop.simd.wasm', import.meta.url),
  scalar: new URL('../ts/wasm/bin/backprop.scalar.wasm', import.meta.url),
};

/** Number of SIMD128 instructions in a module's text form. */
function simdInstructions(bytes: Uint8Array): number {
  const m = binaryen.readBinary(bytes);
  try {
    return (m.emitText().match(/\b(v128|f32x4|f64x2|i8x16|i16x8|i32x4|i64x2)\.[a-z_0-9]+/g) ?? []).length;
  } finally {
    m.dispose();
  }
}

describe.each(Object.entries(artefacts))('artefact %s', (backend, url) => {
  const bytes = new Uint8Array(readFileSync(url));
  const module = new WebAssembly.Module(bytes);

  it('exports memory and every declared function, and imports nothing', () => {
    const exports = WebAssembly.Module.exports(module);
    expect(exports).toContainEqual({ name: 'memory', kind: 'memory' });
    for (const name of EXPORT_NAMES) expect(exports).toContainEqual({ name, kind: 'function' });
    expect(WebAssembly.Module.imports(module)).toEqual([]);
  });

  it('is under 200 KB', () => {
    expect(statSync(url).size).toBeLessThan(200 * 1024);
  });

  it('answers a call: the ABI version and an allocation round trip', () => {
    const inst = new WebAssembly.Instance(module, {});
    const x = inst.exports as unknown as { bp_abi_version(): number; bp_alloc(n: number): number; bp_free(p: number): number; bp_live_allocations(): number };
    expect(x.bp_abi_version()).toBe(ABI_VERSION);
    x.bp_free(x.bp_alloc(8)); // the buffer registry keeps its first node: warm it up
    const before = x.bp_live_allocations();
    const p = x.bp_alloc(1024);
    expect(p).toBeGreaterThan(0);
    expect(p % 8).toBe(0);
    expect(x.bp_free(p)).toBe(0);
    expect(x.bp_free(p)).toBeLessThan(0); // a second free is refused, not a crash
    expect(x.bp_live_allocations()).toBe(before);
  });

  it(backend === 'simd128' ? 'contains SIMD instructions' : 'contains no SIMD instruction', () => {
    const n = simdInstructions(bytes);
    if (backend === 'simd128') expect(n).toBeGreaterThan(100);
    else expect(n).toBe(0);
  });
});
