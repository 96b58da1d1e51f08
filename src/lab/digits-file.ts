// The MNIST digits as one compact file the page fetches, instead of the `mnist` package's ten
// JSON files (21 MB): every pixel is one of a few hundred decimal values, so the file holds the
// distinct values once and a one-byte index per pixel (7.8 MB). Decoding gives back exactly the
// numbers JSON.parse gives for the package's files, and the page splits them with the CLI's own
// splitDigits: the same floats.
//
//   bytes 0..3  'TLDG'
//   bytes 4..7  header length n (uint32, little-endian)
//   bytes 8..   header JSON {counts: [digits per class], values: [distinct pixel values]}, space-padded
//   then        one byte per pixel: its index in `values`, class after class in stored order

const MAGIC = 'TLDG';
const IMAGE = 784;

/** Encodes the package's per-class pixel arrays (values in [0, 1]). */
export function encodeDigits(perClass: readonly (readonly number[])[]): Uint8Array {
  const values = [...new Set(perClass.flat())].sort((a, b) => a - b);
  if (values.length > 256) throw new Error(`${values.length} distinct pixel values; the digits file holds at most 256`);
  const index = new Map(values.map((v, i) => [v, i]));
  const header = new TextEncoder().encode(JSON.stringify({ counts: perClass.map((p) => p.length / IMAGE), values }));
  const pad = (4 - ((8 + header.length) % 4)) % 4;
  const total = perClass.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(8 + header.length + pad + total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.length + pad, true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, 8 + header.length + pad);
  let offset = 8 + header.length + pad;
  for (const pixels of perClass) for (const v of pixels) out[offset++] = index.get(v)!;
  return out;
}

/** The per-class pixel arrays back, as splitDigits takes them. */
export function decodeDigits(bytes: Uint8Array): Float64Array[] {
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new Error('the digits file is not a traitlab digits file (bad magic); rebuild the page with npm run build:lab');
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  const { counts, values } = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as { counts: number[]; values: number[] };
  let offset = 8 + n;
  const need = counts.reduce((s, c) => s + c * IMAGE, 0);
  if (bytes.length - offset !== need) throw new Error(`the digits file is truncated (${bytes.length - offset} of ${need} pixel bytes); rebuild the page with npm run build:lab`);
  return counts.map((c) => {
    const out = new Float64Array(c * IMAGE);
    for (let i = 0; i < out.length; i++) out[i] = values[bytes[offset++]!]!;
    return out;
  });
}
