/**
 * `gradcheck`: backpropagation's gradients, from any engine and precision, against central finite
 * differences of the mean loss in f64, `(L(p + h) − L(p − h)) / 2h` for every parameter, the loss
 * computed by the js engine in f64 (an independent forward pass). Reports the largest relative
 * error of each tensor (W_l, b_l, b_in): `max |g − fd| / max(max |g|, max |fd|)`. No Node imports.
 */
import { fail } from '../errors.js';
import { checkOptionNames } from '../options.js';
import { Network, type NetworkOptions } from '../network.js';
import { flattenParameters } from '../parameters.js';
import { createNetworkSync } from '../sync.js';
import type { Precision, Rows } from '../types.js';

export interface GradcheckOptions {
  /** The network to check, as `Network.create` takes it (any engine and precision). */
  network: NetworkOptions;
  x: Rows;
  y: Rows;
  /** The step of the finite differences. Default 1e-6. */
  h?: number;
}

export interface GradcheckTensor {
  /** 'W0', 'b0', …, 'b_in'. */
  name: string;
  count: number;
  maxAbs: number;
  maxRel: number;
}

export interface GradcheckReport {
  engine: string;
  precision: Precision;
  loss: number;
  tensors: GradcheckTensor[];
  /** The largest of the tensors' relative errors. */
  maxRel: number;
  /** What the engine's precision should meet (docs/ARCHITECTURE.md section 9): 1e-6 in f64, 1e-4 in f32. */
  target: number;
  ok: boolean;
}

const GRADCHECK_OPTIONS: Record<keyof GradcheckOptions, true> = { network: true, x: true, y: true, h: true };

/** Backprop's gradients against central finite differences (see the file's comment). */
export async function gradcheck(options: GradcheckOptions): Promise<GradcheckReport> {
  checkOptionNames(options, Object.keys(GRADCHECK_OPTIONS), 'gradcheck options');
  const h = options.h ?? 1e-6;
  if (!(typeof h === 'number' && h > 0 && Number.isFinite(h))) fail(`gradcheck: h must be a finite number > 0, got ${String(h)}`);
  const net = await Network.create(options.network);
  try {
    const layout = net.engineInstance.layout;
    const g = net.gradients(options.x, options.y);
    const grads = flattenParameters(g, layout, 'gradients');
    const p = net.getFlatParameters();
    // The finite differences: the same network in the js engine, f64.
    const { wasm: _wasm, ...rest } = options.network;
    const ref = createNetworkSync({ ...rest, engine: 'js', precision: 'f64' });
    try {
      const fd = new Float64Array(p.length);
      const q = Float64Array.from(p);
      for (let i = 0; i < p.length; i++) {
        q[i] = p[i] + h;
        ref.setFlatParameters(q);
        const up = ref.evaluate(options.x, options.y).loss;
        q[i] = p[i] - h;
        ref.setFlatParameters(q);
        const down = ref.evaluate(options.x, options.y).loss;
        q[i] = p[i];
        fd[i] = (up - down) / (2 * h);
      }
      const sizes = layout.arch.sizes;
      const blocks: [string, number, number][] = [];
      for (let l = 0; l < layout.depth; l++) {
        blocks.push([`W${l}`, layout.weightOffsets[l], sizes[l + 1] * sizes[l]]);
        blocks.push([`b${l}`, layout.biasOffsets[l], sizes[l + 1]]);
      }
      if (layout.arch.inputActivated) blocks.push(['b_in', layout.inputBiasOffset, sizes[0]]);
      const tensors = blocks.map(([name, off, count]) => {
        let [maxAbs, scale] = [0, 0];
        for (let i = off; i < off + count; i++) {
          maxAbs = Math.max(maxAbs, Number.isNaN(grads[i] - fd[i]) ? Infinity : Math.abs(grads[i] - fd[i]));
          scale = Math.max(scale, Math.abs(grads[i]), Math.abs(fd[i]));
        }
        return { name, count, maxAbs, maxRel: scale === 0 ? maxAbs : maxAbs / scale };
      });
      const maxRel = Math.max(...tensors.map((t) => t.maxRel));
      const target = net.precision === 'f64' ? 1e-6 : 1e-4;
      return {
        engine: `${net.engine} ${net.precision} (${net.backend})`,
        precision: net.precision,
        loss: g.loss,
        tensors,
        maxRel,
        target,
        ok: maxRel <= target,
      };
    } finally {
      ref.dispose();
    }
  } finally {
    net.dispose();
  }
}

/** The report as text: one line per tensor, then the verdict. */
export function formatGradcheck(r: GradcheckReport): string {
  const e = (v: number) => (v === 0 ? '0' : v.toExponential(2));
  const lines = [
    `${r.engine}: backpropagation against central finite differences in f64 (mean loss ${r.loss.toPrecision(6)})`,
    '',
    `${'tensor'.padEnd(8)} ${'values'.padStart(8)} ${'max |Δ|'.padStart(10)} ${'max rel'.padStart(10)}`,
    ...r.tensors.map((t) => `${t.name.padEnd(8)} ${String(t.count).padStart(8)} ${e(t.maxAbs).padStart(10)} ${e(t.maxRel).padStart(10)}`),
    '',
    `largest relative error ${e(r.maxRel)} (target ${e(r.target)} in ${r.precision}): ${r.ok ? 'ok' : 'MISSED'}`,
  ];
  return lines.join('\n');
}
