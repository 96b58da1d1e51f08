// What the lab build ships, summed by kind: the page's JavaScript (main thread and worker), the
// tfjs wasm binaries, the shipped bases, and the MNIST digits file. Pure, so it is tested
// without a build.

export interface ShippedFile {
  /** Path inside the build folder, with forward slashes. */
  path: string;
  bytes: number;
}

export interface ShippedSizes {
  javascript: number;
  wasm: number;
  bases: number;
  /** The MNIST digits (digits-file.ts), fetched only by an MNIST run. */
  digits: number;
  /** Everything else: index.html, CSS. */
  other: number;
}

export function shippedSizes(files: readonly ShippedFile[]): ShippedSizes {
  const sizes: ShippedSizes = { javascript: 0, wasm: 0, bases: 0, digits: 0, other: 0 };
  for (const { path, bytes } of files) {
    if (path.endsWith('.js')) sizes.javascript += bytes;
    else if (path.endsWith('.wasm')) sizes.wasm += bytes;
    else if (path.endsWith('.ckpt')) sizes.bases += bytes;
    else if (/(^|\/)mnist-digits[^/]*\.bin$/.test(path)) sizes.digits += bytes;
    else sizes.other += bytes;
  }
  return sizes;
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/** The lines the build prints: each adds one kind of file to the line before. */
export function sizeLines(s: ShippedSizes): string[] {
  const withWasm = s.javascript + s.wasm;
  const withBases = withWasm + s.bases;
  return [
    `lab page JavaScript (main thread and worker): ${kB(s.javascript)}`,
    `with the tfjs wasm binaries: ${kB(withWasm)}`,
    `with the shipped bases: ${kB(withBases)}`,
    `with the MNIST digits, HTML and CSS (the whole build): ${kB(withBases + s.digits + s.other)}`,
  ];
}
