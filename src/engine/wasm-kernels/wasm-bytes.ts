// A tiny WebAssembly binary writer: just the opcodes traitlab's kernels need
// (kernels-module.ts). Why hand-written bytes: the kernel is a few loops, and writing them here
// keeps the project free of a wasm toolchain (no emscripten, no wat2wasm) while staying
// browser-safe — WebAssembly.Module takes these bytes in Node and in a page alike.

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A name or byte string: its length, then its bytes. */
function vecBytes(bytes: number[]): number[] {
  return [...uleb(bytes.length), ...bytes];
}

function utf8(s: string): number[] {
  return [...new TextEncoder().encode(s)];
}

function section(id: number, items: number[][]): number[] {
  return [id, ...vecBytes([...uleb(items.length), ...items.flat()])];
}

/** Instruction bytes; each helper returns the encoding of one instruction. */
export const op = {
  block: () => [0x02, 0x40],
  loop: () => [0x03, 0x40],
  end: () => [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  select: () => [0x1b],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  i32: (value: number) => [0x41, ...sleb(value)],
  f32: (value: number) => [0x43, ...new Uint8Array(new Float32Array([value]).buffer)],
  // memarg: alignment (log2, a hint) and offset
  f32Load: () => [0x2a, 2, 0],
  f32Store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  // 4-byte copies that move any bit pattern untouched
  i32Load: () => [0x28, 2, 0],
  i32Store: () => [0x36, 2, 0],
  i32Ne: () => [0x47],
  i32LtU: () => [0x49],
  i32GeU: () => [0x4f],
  i32GtU: () => [0x4b],
  i32Add: () => [0x6a],
  i32Sub: () => [0x6b],
  i32Mul: () => [0x6c],
  i32DivU: () => [0x6e],
  i32Or: () => [0x72],
  i32Shl: () => [0x74],
  f32Neg: () => [0x8c],
  f32Sqrt: () => [0x91],
  f32Add: () => [0x92],
  f32Sub: () => [0x93],
  f32Mul: () => [0x94],
  f32Div: () => [0x95],
  // SIMD: 0xfd, then the opcode as unsigned LEB128
  /** offset: bytes added to the address (the memarg's offset, free on the load itself) */
  v128Load: (offset = 0) => [0xfd, ...uleb(0x00), 0, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, ...uleb(0x0b), 0, ...uleb(offset)],
  /** v128.load32_splat: one float32 from memory into all four lanes */
  v128Load32Splat: () => [0xfd, ...uleb(0x09), 2, 0],
  f32x4Splat: () => [0xfd, ...uleb(0x13)],
  f32x4ExtractLane: (lane: number) => [0xfd, ...uleb(0x1f), lane],
  f32x4Sqrt: () => [0xfd, ...uleb(0xe3)],
  f32x4Add: () => [0xfd, ...uleb(0xe4)],
  f32x4Sub: () => [0xfd, ...uleb(0xe5)],
  f32x4Mul: () => [0xfd, ...uleb(0xe6)],
  f32x4Div: () => [0xfd, ...uleb(0xe7)],
  /** i8x16.shuffle of two vectors by 32-bit lanes: 0–3 the first operand's, 4–7 the second's. */
  shuffle32: (lanes: [number, number, number, number]) => [0xfd, ...uleb(0x0d), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])],
};

/** One exported function: its parameter types, extra locals (one entry per local) and body. */
export type WasmFunction = {
  name: string;
  params: number[];
  locals: number[];
  body: number[];
};

/**
 * A module of functions with no results that imports its memory as env.memory.
 * shared: the memory is a SharedArrayBuffer (tfjs-wasm's threaded build); a shared import
 * must declare a maximum, so it declares wasm32's largest (65,536 pages), which any memory fits.
 */
export function wasmModule(functions: WasmFunction[], shared: boolean): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vecBytes(f.params), 0]);
  const limits = shared ? [0x03, ...uleb(0), ...uleb(65536)] : [0x00, ...uleb(0)];
  const imports = [[...vecBytes(utf8('env')), ...vecBytes(utf8('memory')), 0x02, ...limits]];
  const funcs = functions.map((_, i) => uleb(i));
  const exports = functions.map((f, i) => [...vecBytes(utf8(f.name)), 0x00, ...uleb(i)]);
  const codes = functions.map((f) => {
    const locals = f.locals.flatMap((t) => [1, t]);
    return vecBytes([...uleb(f.locals.length), ...locals, ...f.body, ...op.end()]);
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, codes),
  ]);
}
