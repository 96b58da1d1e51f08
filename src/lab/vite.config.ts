// How the lab page is built and served. Vite's root is this folder (index.html); the build goes
// to dist-lab/ at the repository root with relative URLs (base './'), so the folder works from
// any static path or sub-folder. Only the preview server sends the cross-origin isolation
// headers: with them the tfjs wasm backend may use threads (SharedArrayBuffer); a static host
// without them still serves a working, single-threaded page.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { sizeReport } from './build/size-report.js';
import { wasmThreadsPatch } from './build/wasm-threads-patch.js';
import { mnistDigits } from './digits-plugin.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const outDir = fileURLToPath(new URL('../../dist-lab', import.meta.url));

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  // The page imports experiments/demo.json and bases/*.ckpt from outside its root.
  server: { fs: { allow: [repo] } },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // Never inline an asset as a data: URL: the wasm binaries and the bases are fetched by URL
    // from the same origin, and small files stay files too.
    assetsInlineLimit: 0,
    // tfjs is one large chunk by nature; the size report below prints what ships.
    chunkSizeWarningLimit: 4096,
    // Building the worker takes most of the build; Rolldown's timing table says only that.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  // The training worker is an ES module worker (`new Worker(url, { type: 'module' })`); tfjs
  // (and so the threads patch) and the MNIST digits are only in its bundle.
  worker: { format: 'es', plugins: () => [wasmThreadsPatch(), mnistDigits()] },
  preview: { headers: isolation },
  plugins: [sizeReport()],
});
