/**
 * The 2-D view: the data set's points over the network's decision boundary. Each grid cell is the
 * classes' colours mixed by the network's probabilities, paler where it is unsure.
 */
import type { Dataset } from '../../ts/index.js';
import { CLASS_COLOURS, rgb, surface } from './canvas.js';
import type { Boundary } from './settings.js';

export class BoundaryView {
  private boundary: Boundary | null = null;
  private data: Dataset | null = null;
  private extent: [number, number] = [0, 1];
  private readonly cells = document.createElement('canvas');

  constructor(private readonly canvas: HTMLCanvasElement) {
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  /** The points to draw (a new data set clears the boundary). */
  setData(data: Dataset | null, extent: [number, number]): void {
    [this.data, this.extent, this.boundary] = [data, extent, null];
    this.draw();
  }

  /** Boundaries drawn since the page opened (also in the canvas's `data-boundaries`). */
  private drawn = 0;

  setBoundary(b: Boundary): void {
    this.boundary = b;
    this.canvas.dataset.boundaries = String(++this.drawn);
    this.paintCells(b);
    this.draw();
  }

  /** The grid as one pixel per cell, scaled up smoothly when drawn. */
  private paintCells({ size, classes, probs }: Boundary): void {
    this.cells.width = this.cells.height = size;
    const g = this.cells.getContext('2d')!;
    const img = g.createImageData(size, size);
    const colours = CLASS_COLOURS.slice(0, classes).map(rgb);
    for (let i = 0; i < size * size; i++) {
      let [r, gr, b, sum, best] = [0, 0, 0, 0, 0];
      for (let c = 0; c < classes; c++) {
        const p = Math.max(0, probs[i * classes + c]);
        r += p * colours[c][0];
        gr += p * colours[c][1];
        b += p * colours[c][2];
        sum += p;
        best = Math.max(best, p);
      }
      // How much colour: the winning class's share, from pale (a tie) to strong (certain).
      const share = sum > 0 ? best / sum : 0;
      const alpha = Math.max(0, (share - 1 / classes) / (1 - 1 / classes)) * 0.55 + 0.08;
      const mix = (v: number) => Math.round(255 * (1 - alpha) + (sum > 0 ? v / sum : 255) * alpha);
      img.data.set([mix(r), mix(gr), mix(b), 255], i * 4);
    }
    g.putImageData(img, 0, 0);
  }

  draw(): void {
    const { g, width, height } = surface(this.canvas);
    g.clearRect(0, 0, width, height);
    if (this.boundary) {
      g.imageSmoothingEnabled = true;
      g.drawImage(this.cells, 0, 0, width, height);
    } else {
      g.fillStyle = '#f6f8fa';
      g.fillRect(0, 0, width, height);
    }
    const data = this.data;
    if (!data) return;
    const [min, max] = this.extent;
    const px = (v: number) => ((v - min) / (max - min)) * width;
    const py = (v: number) => height - ((v - min) / (max - min)) * height;
    const radius = data.x.rows <= 10 ? 7 : 3.2;
    g.lineWidth = 1.2;
    g.strokeStyle = '#ffffff';
    for (let r = 0; r < data.x.rows; r++) {
      g.beginPath();
      g.arc(px(data.x.data[2 * r]), py(data.x.data[2 * r + 1]), radius, 0, 2 * Math.PI);
      g.fillStyle = CLASS_COLOURS[data.labels[r]];
      g.fill();
      g.stroke();
    }
  }
}
