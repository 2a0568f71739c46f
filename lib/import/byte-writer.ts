/**
 * Bytes appended to a growing buffer: where the row stage writes rows' JSON and pass 2 assembles the
 * leads file. The buffer is never from Node's shared pool, so what a finished writer's `written`
 * returns can be transferred to another thread on its own.
 */
export class ByteWriter {
  private bytes: Buffer;
  length = 0;
  /** Writing into a region the caller gave, which must not move. */
  private readonly fixed: boolean;
  /**
   * A writer with a buffer of `capacity` bytes to start with, or one writing into `region` (the row
   * engine's output), which never grows: there, the caller makes sure what is written fits.
   */
  constructor(capacityOrRegion: number | Buffer) {
    this.fixed = typeof capacityOrRegion !== 'number';
    this.bytes = typeof capacityOrRegion === 'number' ? Buffer.allocUnsafeSlow(capacityOrRegion) : capacityOrRegion;
  }

  /** The buffer, with room for `n` more bytes from `length` on: for writers that fill it byte by byte. */
  reserve(n: number): Buffer {
    if (this.length + n > this.bytes.length) {
      if (this.fixed) throw new Error(`A fixed output region of ${this.bytes.length} bytes is full`);
      const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.length + n));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    return this.bytes;
  }

  /** The buffer written so far, up to `length` (valid until the next write; no view is made, which costs more than most values take to write). */
  get buffer(): Buffer {
    return this.bytes;
  }

  append(source: Buffer, start: number, end: number): void {
    const bytes = this.reserve(end - start);
    // Short pieces (keys, separators, spellings) copy faster in a loop than through a native call.
    if (end - start < 64) {
      let at = this.length;
      for (let i = start; i < end; i++) bytes[at++] = source[i]!;
      this.length = at;
    } else {
      this.length += source.copy(bytes, this.length, start, end);
    }
  }

  appendByte(byte: number): void {
    this.reserve(1)[this.length++] = byte;
  }

  appendText(text: string): void {
    this.length += this.reserve(Buffer.byteLength(text)).write(text, this.length);
  }

  /** What was written, as a view: valid until the next write or `clear`. */
  written(): Buffer {
    return this.bytes.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }

  toString(): string {
    return this.bytes.toString('utf8', 0, this.length);
  }
}
