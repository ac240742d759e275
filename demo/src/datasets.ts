/**
 * The demo's data sets: the two the library embeds (digits, iris) and three 2-D sets drawn here
 * from a seeded generator (XOR, a three-armed spiral, two circles), all as the library's `Dataset`
 * with one-hot targets. The worker trains on them; the page draws the 2-D ones from the same seed.
 */
import { Random, split, type Dataset } from '../../ts/index.js';
import { loadBuiltin } from '../../ts/datasets.js';

export const DATASETS = ['digits', 'iris', 'xor', 'spiral', 'circles'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** What the page shows about each data set. */
export const DATASET_INFO: Record<DatasetName, { label: string; planar: boolean; hidden: string; learningRate: number }> = {
  digits: { label: 'Digits (8 × 8 pixels)', planar: false, hidden: '32', learningRate: 0.5 },
  iris: { label: 'Iris (3 species)', planar: false, hidden: '8', learningRate: 0.5 },
  xor: { label: 'XOR (4 points)', planar: true, hidden: '4', learningRate: 1 },
  spiral: { label: 'Spiral (3 arms)', planar: true, hidden: '16, 16', learningRate: 0.3 },
  circles: { label: 'Two circles', planar: true, hidden: '8', learningRate: 0.5 },
};

/** The square [min, max]² the 2-D sets lie in, for drawing them and their decision boundary. */
export const EXTENT: Record<'xor' | 'spiral' | 'circles', [number, number]> = {
  xor: [-0.5, 1.5],
  spiral: [-1.2, 1.2],
  circles: [-1.4, 1.4],
};

export function isPlanar(name: DatasetName): name is 'xor' | 'spiral' | 'circles' {
  return DATASET_INFO[name].planar;
}

/** A 2-D classification set from points and their classes. */
function planar(name: string, points: [number, number][], labels: number[], classes: number): Dataset {
  const rows = points.length;
  const y = new Float64Array(rows * classes);
  labels.forEach((c, r) => (y[r * classes + c] = 1));
  return {
    name,
    x: { data: Float64Array.from(points.flat()), rows, cols: 2 },
    y: { data: y, rows, cols: classes },
    labels: Int32Array.from(labels),
    classes,
    featureNames: ['x₁', 'x₂'],
    task: 'classification',
    labelName: 'class',
    classNames: Array.from({ length: classes }, (_, c) => String(c)),
    classValues: Array.from({ length: classes }, (_, c) => c),
  };
}

/** The 2-D sets: the same points for the same seed, in the worker and on the page. */
export function generate(name: 'xor' | 'spiral' | 'circles', seed = 1): Dataset {
  const rng = new Random(seed);
  const points: [number, number][] = [];
  const labels: number[] = [];
  if (name === 'xor') {
    for (const [a, b] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]) {
      points.push([a, b]);
      labels.push(a ^ b);
    }
  } else if (name === 'spiral') {
    // Three arms, 100 points each: radius r grows along an arm, angle 4 rad per arm and 4r along it.
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 100; i++) {
        const r = i / 100;
        const t = c * 4 + 4 * r + 0.2 * rng.normal();
        points.push([r * Math.sin(t), r * Math.cos(t)]);
        labels.push(c);
      }
    }
  } else {
    // Two noisy rings around the origin, radii 0.4 and 1, 200 points each.
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < 200; i++) {
        const t = rng.uniform(0, 2 * Math.PI);
        const r = (c === 0 ? 0.4 : 1) + 0.1 * rng.normal();
        points.push([r * Math.cos(t), r * Math.sin(t)]);
        labels.push(c);
      }
    }
  }
  return planar(name, points, labels, name === 'spiral' ? 3 : 2);
}

/** Training and test rows of a data set: 80 / 20 % seeded splits (XOR's four points are both). */
export async function loadSplit(name: DatasetName, seed = 1): Promise<{ train: Dataset; test: Dataset }> {
  if (name === 'xor') {
    const all = generate('xor', seed);
    return { train: all, test: all };
  }
  const all = isPlanar(name) ? generate(name, seed) : await loadBuiltin(name);
  return split(all, 0.8, seed);
}
