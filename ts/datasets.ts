/**
 * The embedded data sets (data/digits.csv, data/iris.csv), a package entry of their own
 * (`wasm-backprop/datasets`): an app that imports only the library's main entry never reaches the
 * two files' URLs, so no bundler emits or inlines them.
 *
 * Browser-safe: in Node the files are read from disk (through ./wasm/loader.ts's `readFileUrl`, no
 * `import` of Node), in browsers fetched from where the bundler emitted them.
 */
import { datasetFromTable, parseCsv, type Dataset } from './data.js';
import { fail } from './errors.js';
import { readFileUrl } from './wasm/loader.js';

/** The names `loadBuiltin` knows. */
export type BuiltinName = 'digits' | 'iris';

/** URLs of the embedded files: literal `new URL(…, import.meta.url)` so bundlers (Vite, webpack) emit them. */
function packagedUrl(file: 'digits.csv' | 'iris.csv'): URL {
  return file === 'digits.csv' ? new URL('../data/digits.csv', import.meta.url) : new URL('../data/iris.csv', import.meta.url);
}

async function readPackaged(file: 'digits.csv' | 'iris.csv'): Promise<string> {
  const url = packagedUrl(file);
  if (url.protocol === 'file:') return new TextDecoder().decode(await readFileUrl(url));
  const r = await fetch(url);
  if (!r.ok) throw new Error(`could not fetch ${url.href}: HTTP ${r.status}`);
  return r.text();
}

/** The embedded data sets: 'digits' (8×8 pixels / 16, 10 classes) and 'iris' (min–max scaled, 3 classes). */
export async function loadBuiltin(name: BuiltinName): Promise<Dataset> {
  if (name === 'digits') return datasetFromTable(parseCsv(await readPackaged('digits.csv'), 'digits.csv'), { name, scale: 16 });
  if (name === 'iris') return datasetFromTable(parseCsv(await readPackaged('iris.csv'), 'iris.csv'), { name, scale: 'minmax' });
  return fail(`unknown built-in data set '${String(name)}' (known: digits, iris)`);
}
