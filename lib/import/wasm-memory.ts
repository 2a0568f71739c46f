/** Laying out a WebAssembly module's memory from JavaScript (the row engine's and the leads writer's). */

const PAGE = 65536;

/** Rounds a byte offset up to a multiple of 8, so the i32 and f64 arrays placed there are aligned. */
export const align = (n: number) => (n + 7) & ~7;

/** Grows `memory` to at least `bytes` (whole pages). Growing detaches the views made before it. */
export function growMemory(memory: WebAssembly.Memory, bytes: number): void {
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
}
