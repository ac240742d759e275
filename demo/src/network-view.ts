/**
 * The educational view: the paper's figure 1, alive. A small network of the `educational` engine
 * (every neuron an object with z, a, b, δ and its weights w_jk) is drawn as circles and edges: an
 * edge's colour is its weight's sign, its width the weight's size. Each step trains on ONE sample
 * (the paper's per-sample step), on the page's thread: a step of a network this small takes
 * microseconds. Clicking a neuron shows its numbers.
 */
import { Network, type Dataset, type EducationalEngine, type Neuron } from '../../ts/index.js';
import { CLASS_COLOURS } from './canvas.js';
import { generate, loadSplit } from './datasets.js';

const SVG = 'http://www.w3.org/2000/svg';
const [W, H] = [640, 340];
const fmt = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4));

export type SmallDataset = 'xor' | 'circles' | 'spiral' | 'iris';

export class NetworkView {
  private net: Network | null = null;
  private data: Dataset | null = null;
  private order: number[] = [];
  private steps = 0;
  private selected: [number, number] = [1, 0];
  private lastSample = '';
  private learningRate: number | undefined;
  /** Resets begun: one that a later one overtook while it loaded is dropped. */
  private resets = 0;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly info: HTMLElement,
    private readonly sampleLine: HTMLElement,
  ) {
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.addEventListener('keydown', this.onKey);
    svg.addEventListener('click', (e) => {
      const target = (e.target as Element).closest('[data-layer]');
      if (!target) return;
      this.selected = [Number(target.getAttribute('data-layer')), Number(target.getAttribute('data-index'))];
      this.render();
    });
    // The drawing scales with the page: its text is sized again where the width changes.
    let width = 0;
    new ResizeObserver(() => {
      if (this.net && svg.clientWidth !== width) this.render();
      width = svg.clientWidth;
    }).observe(svg);
  }

  private get engine(): EducationalEngine {
    return this.net!.engineInstance as EducationalEngine;
  }

  /** A new network on a data set; `hidden` are the hidden layer sizes. */
  async reset(dataset: SmallDataset, hidden: number[], learningRate: number): Promise<void> {
    const ticket = ++this.resets;
    const data = dataset === 'iris' ? (await loadSplit('iris', 1)).train : generate(dataset, 1);
    const { x, y } = data;
    const net = await Network.create({ layers: [x.cols, ...hidden, y.cols], engine: 'educational', learningRate, seed: 3 });
    // A later reset, begun while this one loaded, is the one that counts.
    if (ticket !== this.resets) return net.dispose();
    this.net?.dispose();
    [this.net, this.data] = [net, data];
    // A seeded order of the samples, so a step names the same sample on every reload.
    this.order = Array.from({ length: x.rows }, (_, i) => i);
    for (let i = this.order.length - 1, s = 7; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
    if (dataset === 'xor') this.order = [0, 1, 2, 3];
    this.steps = 0;
    this.selected = [1, 0];
    this.lastSample = 'Not trained yet: press Step to train on one sample.';
    // Show the forward pass of the first sample, so z and a are those of a real input.
    this.engine.graph.feedforward(this.row(this.order[0]).x);
    this.render();
  }

  /** The learning rate of the steps from now on. */
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  private row(r: number): { x: number[]; y: number[] } {
    const { x, y } = this.data!;
    return { x: Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols)), y: Array.from(y.data.subarray(r * y.cols, (r + 1) * y.cols)) };
  }

  /** `n` steps, one sample each. */
  step(n = 1): void {
    if (!this.net) return;
    let loss = 0;
    let sample = { x: [] as number[], y: [] as number[] };
    for (let i = 0; i < n; i++) {
      sample = this.row(this.order[this.steps % this.order.length]);
      loss = this.net.trainBatch([sample.x], [sample.y], this.learningRate !== undefined ? { learningRate: this.learningRate } : {});
      this.steps++;
    }
    const cls = sample.y.indexOf(1);
    this.lastSample = `Step ${this.steps}: sample x = (${sample.x.map((v) => +v.toFixed(3)).join(', ')}), class ${cls}; loss before the update ${fmt(loss)}.`;
    this.render();
  }

  /** The drawing and the selected neuron's numbers. */
  render(): void {
    const layers = this.engine.layers;
    const pos = layers.map((layer, l) =>
      layer.neurons.map((_, j) => {
        const x = 60 + (l * (W - 120)) / (layers.length - 1);
        const gap = Math.min(84, (H - 60) / layer.size);
        return [x, 12 + H / 2 + (j - (layer.size - 1) / 2) * gap] as const;
      }),
    );
    let maxW = 1e-9;
    for (const layer of layers) for (const n of layer.neurons) for (const w of n.w) maxW = Math.max(maxW, Math.abs(w));
    const nodes: Element[] = [];
    for (let l = 0; l + 1 < layers.length; l++) {
      layers[l].neurons.forEach((n, j) =>
        n.w.forEach((w, k) => {
          const [[x1, y1], [x2, y2]] = [pos[l][j], pos[l + 1][k]];
          const t = Math.abs(w) / maxW;
          const line = el('line', {
            x1,
            y1,
            x2,
            y2,
            stroke: w >= 0 ? '#2f6fb0' : '#d1495b',
            'stroke-width': 0.6 + 5 * t,
            'stroke-opacity': 0.3 + 0.65 * t,
            class: 'edge',
          });
          line.appendChild(el('title', {})).textContent = `w from ${n.desc} to ${layers[l + 1].neurons[k].desc} = ${fmt(w)}`;
          nodes.push(line);
        }),
      );
    }
    const widest = Math.max(...layers.map((l) => l.size));
    const radius = Math.min(22, (H - 60) / widest / 2 - 3);
    // Text of at least 10 CSS pixels, however narrow the page draws the 640-unit-wide picture
    // (on a phone, 12 units were 6 pixels).
    const font = Math.max(12, this.svg.clientWidth > 0 ? (10 * W) / this.svg.clientWidth : 12);
    this.svg.style.setProperty('--text', `${font.toFixed(1)}px`);
    // Each neuron's activation below it, where there is room before the next neuron.
    const labelled = widest <= 8 && Math.min(84, (H - 60) / widest) - 2 * radius >= font + 2;
    layers.forEach((layer, l) =>
      layer.neurons.forEach((n, j) => {
        const [x, y] = pos[l][j];
        const on = this.selected[0] === l && this.selected[1] === j;
        const shade = Math.round(255 * (1 - Math.max(0, Math.min(1, n.a))));
        const g = el('g', { 'data-layer': l, 'data-index': j, class: on ? 'neuron selected' : 'neuron', tabindex: 0, role: 'button' });
        g.setAttribute('aria-label', `${n.desc}: a = ${fmt(n.a)}`);
        g.appendChild(el('circle', { cx: x, cy: y, r: radius, fill: `rgb(${shade},${shade},${Math.min(255, shade + 30)})` }));
        if (layer.role === 'output') g.appendChild(el('circle', { cx: x + radius + 7, cy: y, r: 5, fill: CLASS_COLOURS[j], class: 'tag' }));
        if (labelled) {
          const t = el('text', { x, y: y + radius + 2 + 0.8 * font, 'text-anchor': 'middle', class: 'value' });
          t.textContent = `${layer.role === 'input' ? 'x' : 'a'} = ${n.a.toFixed(2)}`;
          g.appendChild(t);
        }
        nodes.push(g);
      }),
    );
    const labels = ['input', ...layers.slice(1, -1).map((_, i) => `hidden ${i + 1}`), 'output'];
    labels.forEach((text, l) => {
      const t = el('text', { x: pos[l][0][0], y: Math.max(14, font), 'text-anchor': 'middle', class: 'layer-label' });
      t.textContent = text;
      nodes.push(t);
    });
    this.svg.replaceChildren(...nodes);
    this.sampleLine.textContent = this.lastSample;
    this.sampleLine.dataset.steps = String(this.steps);
    this.showNeuron(...this.selected);
  }

  private readonly onKey = (e: KeyboardEvent) => {
    const target = (e.target as Element).closest('[data-layer]');
    if (target && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      (target as SVGGElement).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    }
  };

  private showNeuron(l: number, j: number): void {
    const layers = this.engine.layers;
    const n: Neuron = this.engine.neuron(l, j);
    const layer = layers[l];
    const into = l > 0 ? layers[l - 1].neurons.map((src) => [src.desc, src.w[j]] as const) : [];
    const identity = layer.activation === null;
    const rows: [string, string, string][] = [
      ['z', identity ? `${fmt(n.z)} (the input x)` : fmt(n.z), identity ? 'z = x' : 'z = Σ w·a + b'],
      ['a', fmt(n.a), identity ? 'a = z' : `a = ${layer.activation}(z)`],
      ['b', identity ? '—' : fmt(n.b), 'bias'],
      ['δ', identity ? '—' : fmt(n.delta), l === layers.length - 1 ? 'δ = f′(z)·(a − y)' : "δ = f′(z)·Σ w·δ'"],
    ];
    const weights = (list: readonly (readonly [string, number])[], title: string) =>
      list.length === 0
        ? ''
        : `<h4>${title}</h4><ul class="weights">${list.map(([name, w]) => `<li><span>${name}</span><b class="${w >= 0 ? 'pos' : 'neg'}">${fmt(w)}</b></li>`).join('')}</ul>`;
    this.info.innerHTML =
      `<h3>${n.desc} <small>layer ${l}, neuron ${j}</small></h3>` +
      `<table><tbody>${rows.map(([k, v, note]) => `<tr><th>${k}</th><td>${v}</td><td class="note">${note}</td></tr>`).join('')}</tbody></table>` +
      weights(into, 'weights in (w from each neuron of the layer before)') +
      weights(
        n.w.map((w, k) => [layers[l + 1].neurons[k].desc, w] as const),
        'weights out (w to each neuron of the next layer)',
      );
    Object.assign(this.info.dataset, {
      layer: String(l),
      index: String(j),
      z: String(n.z),
      a: String(n.a),
      b: String(n.b),
      delta: String(n.delta),
      weightsIn: JSON.stringify(into.map(([, w]) => w)),
      weightsOut: JSON.stringify(n.w),
    });
  }
}

function el(name: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}
