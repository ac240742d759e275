/**
 * Canvases drawn crisp on high-DPI screens: the backing store is the element's CSS size times
 * `devicePixelRatio`, and drawing is in CSS pixels.
 */
export interface Surface {
  g: CanvasRenderingContext2D;
  /** The size in CSS pixels. */
  width: number;
  height: number;
  ratio: number;
}

/** Sizes `canvas`'s backing store to its CSS box (when that changed) and returns a context in CSS pixels. */
export function surface(canvas: HTMLCanvasElement, options?: CanvasRenderingContext2DSettings): Surface {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || Number(canvas.getAttribute('width')) || 300;
  const height = canvas.clientHeight || Number(canvas.getAttribute('height')) || 150;
  const [w, h] = [Math.round(width * ratio), Math.round(height * ratio)];
  if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
  const g = canvas.getContext('2d', options)!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { g, width, height, ratio };
}

/** The colours of classes 0, 1, 2, … wherever they are drawn. */
export const CLASS_COLOURS = ['#2f6fb0', '#e0782f', '#3c9a5a', '#9b59b6', '#c0392b', '#16a085', '#7f8c8d', '#d4ac0d', '#8e44ad', '#2c3e50'];

/** `#rrggbb` as [r, g, b]. */
export function rgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
