// Float32 arrays on SharedArrayBuffer: handed to worker threads without a copy.
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}
