/**
 * The browser demo: trains digits with any engine (the WebAssembly kernels load from the files Vite
 * emits beside the bundle) and shows the educational engine's neurons step by step.
 */
import { Network, loadBuiltin, split, type EducationalEngine, type EngineName, type Precision } from '../../ts/index.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const trainButton = $<HTMLButtonElement>('train');

function drawChart(losses: number[], accuracies: number[]): void {
  const canvas = $<HTMLCanvasElement>('chart');
  const g = canvas.getContext('2d')!;
  const { width: w, height: h } = canvas;
  g.clearRect(0, 0, w, h);
  const plot = (values: number[], max: number, color: string) => {
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    values.forEach((v, i) => {
      const x = 10 + (i / Math.max(1, values.length - 1)) * (w - 20);
      const y = h - 10 - (v / max) * (h - 20);
      if (i === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    });
    g.stroke();
  };
  plot(losses, Math.max(...losses, 1e-9), '#c0504d');
  plot(accuracies, 1, '#3f77a6');
  g.fillStyle = '#4a5566';
  g.font = '13px system-ui';
  g.fillText('training loss (red), test accuracy (blue)', 14, 18);
}

async function train(): Promise<void> {
  trainButton.disabled = true;
  const engine = $<HTMLSelectElement>('engine').value as EngineName;
  const precision = (engine === 'educational' ? 'f64' : $<HTMLSelectElement>('precision').value) as Precision;
  const hidden = Number($<HTMLInputElement>('hidden').value);
  const epochs = Number($<HTMLInputElement>('epochs').value);
  const learningRate = Number($<HTMLInputElement>('rate').value);
  let net: Network | null = null;
  try {
    const { train: tr, test } = split(await loadBuiltin('digits'), 0.8, 1);
    net = await Network.create({ layers: [64, hidden, 10], engine, precision, learningRate });
    status.textContent = `Training on ${tr.x.rows} images with the ${engine} engine (${net.backend}, ${precision})…`;
    const losses: number[] = [];
    const accuracies: number[] = [];
    const started = performance.now();
    await net.fit(tr.x, tr.y, {
      epochs,
      validation: { x: test.x, y: test.y },
      onEpoch: (e) => {
        losses.push(e.loss);
        accuracies.push(e.validationAccuracy!);
        drawChart(losses, accuracies);
        status.textContent = `epoch ${e.epoch}/${epochs}: loss ${e.loss.toFixed(4)}, test accuracy ${(100 * e.validationAccuracy!).toFixed(2)} %`;
      },
    });
    const secs = (performance.now() - started) / 1000;
    const { accuracy } = net.evaluate(test.x, test.y);
    status.textContent = `Done: test accuracy ${(100 * accuracy).toFixed(2)} % after ${epochs} epochs in ${secs.toFixed(2)} s (${engine}, ${net.backend}, ${precision}).`;
    status.dataset.accuracy = String(accuracy);
    status.dataset.backend = net.backend;
  } catch (e) {
    status.textContent = `Error: ${(e as Error).message}`;
    status.dataset.error = (e as Error).message;
  } finally {
    net?.dispose();
    trainButton.disabled = false;
  }
}

// The educational engine, one XOR sample per step.
const XOR: [number[], number[]][] = [
  [[0, 0], [0]],
  [[0, 1], [1]],
  [[1, 0], [1]],
  [[1, 1], [0]],
];
const xorNet = Network.createSync({ layers: [2, 3, 1], engine: 'educational', learningRate: 2, seed: 3 });
let steps = 0;
function showNeurons(): void {
  $('neurons').textContent = (xorNet.engineInstance as EducationalEngine).toString();
}
$('step').addEventListener('click', () => {
  const [x, y] = XOR[steps % 4];
  const loss = xorNet.trainBatch([x], [y]);
  steps++;
  $('sample').textContent = `step ${steps}: sample (${x.join(', ')}) → ${y[0]}, loss before the step ${loss.toFixed(5)}`;
  showNeurons();
});
showNeurons();

trainButton.addEventListener('click', () => void train());
$<HTMLSelectElement>('engine').addEventListener('change', (e) => {
  $<HTMLSelectElement>('precision').disabled = (e.target as HTMLSelectElement).value === 'educational';
});
status.textContent = 'Ready.';
status.dataset.ready = 'true';
