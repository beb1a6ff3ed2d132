/**
 * The snapshot file: a JSON header, then byte sections, in one file written atomically.
 *
 * Layout: the 8 bytes `LOASNAP2`, the header's byte length (uint32, little-endian), the header
 * as UTF-8 JSON, then each section, every one starting 8-byte aligned so that a typed array can
 * be a view on the file's bytes instead of a copy. One file (not a header file beside a
 * postings file) so that a crash can never pair the header of one index with the postings of
 * another: it is written to a temporary name and renamed over the old one.
 *
 * The header is parsed on its own, so that a snapshot of other content or options is rejected
 * before its sections are decoded.
 */
import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { align8 } from './postings.js';

const MAGIC = Buffer.from('LOASNAP2', 'latin1');
const PREFIX = MAGIC.length + 4;

/**
 * Writes `header` and `sections` to `file`, atomically (a temporary file renamed over it).
 *
 * @example
 * writeSnapshotFile('data/index-snapshot.bin', { contentHash }, [new Int32Array([1, 2])]);
 */
export function writeSnapshotFile(file: string, header: unknown, sections: readonly ArrayBufferView[]): void {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix);
  prefix.writeUInt32LE(head.length, MAGIC.length);
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let at = 0;
    const write = (bytes: ArrayBufferView): void => {
      const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let done = 0; done < b.length; ) done += writeSync(fd, b, done);
      at += b.length;
    };
    const pad = (): void => {
      if (at % 8) write(Buffer.alloc(8 - (at % 8)));
    };
    write(prefix);
    write(head);
    pad();
    for (const s of sections) {
      write(s);
      pad();
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** A snapshot file read back: its header (parsed JSON) and the bytes of its sections. */
export interface SnapshotFile {
  header: unknown;
  /** From the first section to the end of the file (8-byte aligned within the file). */
  body: Uint8Array;
}

/**
 * Reads a snapshot file written by {@link writeSnapshotFile}. Throws when the file is not one
 * (an older JSON snapshot, a truncated file): the caller then rebuilds.
 */
export function readSnapshotFile(file: string): SnapshotFile {
  const bytes = readFileSync(file);
  if (bytes.length < PREFIX || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error(`snapshot: ${file} is not a Loa index snapshot of this version; it will be rebuilt`);
  const headLength = bytes.readUInt32LE(MAGIC.length);
  if (PREFIX + headLength > bytes.length) throw new Error(`snapshot: ${file} is truncated; it will be rebuilt`);
  const header: unknown = JSON.parse(bytes.toString('utf8', PREFIX, PREFIX + headLength));
  const start = align8(PREFIX + headLength);
  return { header, body: new Uint8Array(bytes.buffer, bytes.byteOffset + start, Math.max(0, bytes.length - start)) };
}
