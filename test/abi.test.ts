/**
 * Every code and limit mirrored between Rust and TypeScript, pinned: each artefact describes its own
 * ABI (`bp_describe`, built from the Rust definitions) and the TypeScript mirror must say the same;
 * each says which backend it is (`bp_backend`).
 */
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../ts/engine.js';
import { LEAKY_SLOPE } from '../ts/engines/math.js';
import { ACTIVATIONS, LOSSES, OPTIMIZERS, WASM_BACKENDS } from '../ts/types.js';
import { ABI_VERSION, ACTIVATION_CODES, BACKEND_CODES, BLOCK_ROWS, LOSS_CODES, OPTIMIZER_CODES, STATUS, STATUS_TEXT, VALUE_CODES } from '../ts/wasm/exports.js';
import { loadWasm } from '../ts/wasm/loader.js';
import { SIMD_OPTION, backendSupported } from '../ts/configurations.js';

interface Description {
  abi: number;
  status: Record<string, number>;
  activations: Record<string, number>;
  losses: Record<string, number>;
  optimizers: Record<string, number>;
  backends: Record<string, number>;
  values: Record<string, number>;
  limits: Record<string, number>;
  blockRows: number;
  leakySlope: number;
}

// The relaxed-SIMD artefact loads only where the runtime has relaxed SIMD (Node 20: behind a flag;
// test/relaxed.test.ts checks it there in a child process).
describe.each(WASM_BACKENDS)('the %s artefact describes the ABI the TypeScript mirror declares', (backend) => {
  it.skipIf(!backendSupported(backend))('codes, limits and version agree', async () => {
    const inst = await loadWasm({ simd: SIMD_OPTION[backend] });
    const x = inst.exports;
    // The buffer taken after the call, which may not grow the memory now (the text is a constant) but did once.
    const [at, len] = [x.bp_describe() >>> 0, x.bp_describe_len()];
    const text = new TextDecoder().decode(new Uint8Array(x.memory.buffer, at, len));
    const d = JSON.parse(text) as Description;
    expect(d.abi).toBe(ABI_VERSION);
    expect(d.status).toEqual(STATUS);
    expect(d.activations).toEqual(ACTIVATION_CODES);
    expect(d.losses).toEqual(LOSS_CODES);
    expect(d.optimizers).toEqual(OPTIMIZER_CODES);
    expect(d.backends).toEqual(BACKEND_CODES);
    expect(d.values).toEqual(VALUE_CODES);
    expect(d.limits).toEqual(LIMITS);
    expect(d.blockRows).toBe(BLOCK_ROWS);
    expect(d.leakySlope).toBe(LEAKY_SLOPE);
  });
});

describe.each(WASM_BACKENDS)('the %s artefact says which backend it is', (backend) => {
  it.skipIf(!backendSupported(backend))('bp_backend gives its code, and the instance reports it', async () => {
    const inst = await loadWasm({ simd: SIMD_OPTION[backend] });
    expect(inst.exports.bp_backend()).toBe(BACKEND_CODES[backend]);
    expect(inst.backend).toBe(backend);
  });
});

describe('the TypeScript tables cover every name the API accepts', () => {
  it('one code per activation, loss and optimizer; a text per failure status', () => {
    expect(Object.keys(ACTIVATION_CODES).sort()).toEqual([...ACTIVATIONS].sort());
    expect(Object.keys(LOSS_CODES).sort()).toEqual([...LOSSES].sort());
    expect(Object.keys(OPTIMIZER_CODES).sort()).toEqual([...OPTIMIZERS].sort());
    expect(Object.keys(BACKEND_CODES).sort()).toEqual([...WASM_BACKENDS].sort());
    for (const [name, code] of Object.entries(STATUS)) if (code !== STATUS.OK) expect(STATUS_TEXT[code], name).toBeTruthy();
  });
});
