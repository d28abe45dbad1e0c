// Copies of request bytes that the store keeps (arguments are views of the received chunk, which
// they must not pin, or of the shared read buffer, which the next read overwrites). Small copies are carved from shared 8 KiB slabs, as Buffer.from does from
// its pool, but without Buffer.from's argument dispatch, which costs more than the copy for a
// short value (about a tenth of a SET).

const SLAB = 8 * 1024;
/** Larger copies get their own allocation (as Buffer.from does above half of its pool). */
const SMALL = SLAB >>> 1;

/** A Uint8Array with Buffer's prototype: a Buffer in every respect code observes (see parser.ts). */
const SlabBuffer = class Buffer extends Uint8Array {};
Object.setPrototypeOf(SlabBuffer.prototype, Buffer.prototype);

/** Uninitialised memory, as Node's pool (new ArrayBuffer would zero it first). */
function newSlab(): ArrayBuffer {
  return Buffer.allocUnsafeSlow(SLAB).buffer as ArrayBuffer;
}

let slab = newSlab();
let used = 0;

/** A private copy of `src`. */
export function copyBytes(src: Uint8Array): Buffer {
  const n = src.length;
  if (n > SMALL) {
    const own = new SlabBuffer(Buffer.allocUnsafeSlow(n).buffer, 0, n) as Buffer;
    own.set(src);
    return own;
  }
  if (used + n > SLAB) {
    slab = newSlab();
    used = 0;
  }
  const b = new SlabBuffer(slab, used, n) as Buffer;
  b.set(src);
  // 8-byte alignment, as Node's pool keeps
  used = (used + n + 7) & ~7;
  return b;
}

/** A private copy of a latin1 string's bytes (short numbers: no Buffer.from string dispatch). */
export function latin1Bytes(text: string): Buffer {
  const n = text.length;
  if (n > 64) return copyBytes(Buffer.from(text, 'latin1'));
  if (used + n > SLAB) {
    slab = newSlab();
    used = 0;
  }
  const b = new SlabBuffer(slab, used, n) as Buffer;
  for (let i = 0; i < n; i++) b[i] = text.charCodeAt(i);
  used = (used + n + 7) & ~7;
  return b;
}

/** Whether `b` came from copyBytes or latin1Bytes (only its entry refers to it: it may be overwritten). */
export function isPrivateCopy(b: Uint8Array): boolean {
  return b instanceof SlabBuffer;
}
