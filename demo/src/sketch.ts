/**
 * The digit pad: draw with a mouse, pen or finger; the drawing becomes the 8 × 8 input the digits
 * network reads (ink in [0, 1], centred and scaled to fill the grid as the training images do),
 * and the class probabilities come back as bars.
 */
import { surface } from './canvas.js';

const INK = 0.085; // stroke width as a fraction of the pad's side

export class DigitPad {
  private drawing = false;
  private last: [number, number] | null = null;
  private dirty = false;
  private timer = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly preview: HTMLCanvasElement,
    /** Called with the 8 × 8 input (64 values, row-major) while drawing and after each stroke. */
    private readonly changed: (input: number[] | null) => void,
  ) {
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    for (const ev of ['pointerup', 'pointercancel', 'pointerleave'] as const) canvas.addEventListener(ev, () => this.up());
    // A new size resizes the backing store, which clears it: the drawing is put back, scaled.
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  private resize(): void {
    const { canvas } = this;
    if (canvas.width === 300 && canvas.height === 150) return this.clear(); // never drawn: the default backing store
    const copy = document.createElement('canvas');
    [copy.width, copy.height] = [canvas.width, canvas.height];
    copy.getContext('2d')!.drawImage(canvas, 0, 0);
    const { g, width, height } = surface(canvas, { willReadFrequently: true });
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, width, height);
    g.drawImage(copy, 0, 0, width, height);
  }

  clear(): void {
    const { g, width, height } = surface(this.canvas, { willReadFrequently: true });
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, width, height);
    this.drawPreview(null);
    this.changed(null);
  }

  private point(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private down(e: PointerEvent): void {
    e.preventDefault();
    this.canvas.setPointerCapture?.(e.pointerId);
    this.drawing = true;
    this.last = this.point(e);
    this.stroke(this.last);
  }

  private move(e: PointerEvent): void {
    if (!this.drawing) return;
    e.preventDefault();
    const p = this.point(e);
    this.stroke(p);
    this.last = p;
  }

  private up(): void {
    if (!this.drawing) return;
    this.drawing = false;
    this.last = null;
    this.emit();
  }

  private stroke(to: [number, number]): void {
    const { g, width } = surface(this.canvas, { willReadFrequently: true });
    const from = this.last ?? to;
    g.strokeStyle = '#16202a';
    g.lineWidth = INK * width;
    g.lineCap = g.lineJoin = 'round';
    g.beginPath();
    g.moveTo(from[0], from[1]);
    g.lineTo(to[0] + 0.01, to[1]);
    g.stroke();
    // While drawing, a prediction at most every 120 ms.
    this.dirty = true;
    if (!this.timer) this.timer = window.setTimeout(() => ((this.timer = 0), this.dirty && this.emit()), 120);
  }

  private emit(): void {
    this.dirty = false;
    const input = this.input();
    this.drawPreview(input);
    this.changed(input);
  }

  /**
   * The ink as 8 × 8: the drawing's bounding box made square around its centre (with a margin of
   * half a cell), averaged over each cell, so the darkest cells reach about 1 as in the training set.
   */
  input(): number[] | null {
    const { width, height } = this.canvas;
    const pixels = this.canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, width, height).data;
    const ink = new Float32Array(width * height);
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    for (let i = 0; i < width * height; i++) {
      const v = 1 - pixels[i * 4] / 255;
      if (v < 0.1) continue;
      ink[i] = v;
      const [x, y] = [i % width, Math.floor(i / width)];
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
    if (x1 < 0) return null;
    const side = Math.max(x1 - x0, y1 - y0) * (8 / 7.2);
    const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
    const cell = side / 8;
    const out = new Array<number>(64).fill(0);
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const [left, top] = [cx - side / 2 + c * cell, cy - side / 2 + r * cell];
        let [sum, n] = [0, 0];
        for (let y = Math.floor(top); y < top + cell; y++) {
          for (let x = Math.floor(left); x < left + cell; x++) {
            n++;
            if (x >= 0 && y >= 0 && x < width && y < height) sum += ink[y * width + x];
          }
        }
        out[r * 8 + c] = n > 0 ? sum / n : 0;
      }
    }
    const peak = Math.max(...out);
    return out.map((v) => Math.min(1, (v / peak) * 1.15));
  }

  private drawPreview(input: number[] | null): void {
    const { g, width } = surface(this.preview);
    const cell = width / 8;
    for (let i = 0; i < 64; i++) {
      const shade = Math.round(255 * (1 - (input?.[i] ?? 0)));
      g.fillStyle = `rgb(${shade},${shade},${shade})`;
      g.fillRect((i % 8) * cell, Math.floor(i / 8) * cell, cell + 0.5, cell + 0.5);
    }
  }
}

/** Ten bars, one per class, the most likely marked. */
export function showProbabilities(list: HTMLElement, probs: number[] | null): void {
  const total = probs ? probs.reduce((a, b) => a + Math.max(0, b), 0) : 0;
  const best = probs ? probs.indexOf(Math.max(...probs)) : -1;
  list.replaceChildren(
    ...Array.from({ length: 10 }, (_, c) => {
      const p = probs && total > 0 ? Math.max(0, probs[c]) / total : 0;
      const row = document.createElement('li');
      row.className = c === best ? 'best' : '';
      row.innerHTML = `<span class="digit">${c}</span><span class="bar"><span style="width:${(100 * p).toFixed(1)}%"></span></span><span class="pct">${(100 * p).toFixed(1)} %</span>`;
      return row;
    }),
  );
  list.dataset.prediction = best >= 0 ? String(best) : '';
}
