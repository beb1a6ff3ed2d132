/**
 * The snapshot file: a JSON header, then byte sections, in one file written atomically.
 *
 * Layout: the 8 bytes `LOASNAP3`, the header's byte length (uint32, little-endian), the header
 * as JSON in UTF-16LE, then each section, every one starting 8-byte aligned so that a typed array can
 * be a view on the file's bytes instead of a copy. One file (not a header file beside a
 * postings file) so that a crash can never pair the header of one index with the postings of
 * another: it is written to a temporary name and renamed over the old one.
 *
 * The header is parsed on its own, so that a snapshot of other content or options is rejected
 * before its sections are decoded.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { align8 } from './postings.js';

const MAGIC = Buffer.from('LOASNAP3', 'latin1');
/**
 * The header's encoding. UTF-16LE is what JavaScript strings are made of: decoding it is a copy,
 * where UTF-8 must be transcoded. At 10,000 passages (23 million characters of Vietnamese text,
 * 30 MB in UTF-8, 47 MB in UTF-16) decoding went from 0.25-0.3 s to 0.13-0.15 s per thread
 * (`LOASNAP2` files, in UTF-8, are rebuilt once).
 */
const HEADER_ENCODING = 'utf16le';
const PREFIX = MAGIC.length + 4;

/**
 * Writes `header` and `sections` to `file`, atomically (a temporary file renamed over it).
 *
 * @example
 * writeSnapshotFile('data/index-snapshot.bin', { contentHash }, [new Int32Array([1, 2])]);
 */
export function writeSnapshotFile(file: string, header: unknown, sections: readonly ArrayBufferView[]): void {
  const head = Buffer.from(JSON.stringify(header), HEADER_ENCODING);
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
  /**
   * From the first section to the end of the file, in memory of its own (8-byte aligned): the
   * header's bytes are not kept alive by the index's views on the sections (47 MB at 10,000
   * passages). Shared memory, as `shared.body` is.
   */
  body: Uint8Array;
  /**
   * The file's bytes as read, in shared memory: handed to another thread (the search thread),
   * they are read there by {@link parseSharedSnapshot} without reading the file again, and the
   * sections are then one copy in memory for both threads. Whoever holds them no longer needed
   * drops them, so that the header's bytes are freed.
   */
  shared?: SharedSnapshot;
}

/** A snapshot's bytes in shared memory (SharedArrayBuffer): its header and its sections. */
export interface SharedSnapshot {
  head: Uint8Array;
  body: Uint8Array;
}

/** Bytes in shared memory: posted to a worker, they are shared, not copied. */
const sharedBytes = (n: number): Buffer => Buffer.from(new SharedArrayBuffer(n));

/**
 * The snapshot another thread read ({@link SnapshotFile.shared}), parsed here.
 *
 * @example
 * const file = parseSharedSnapshot(message.snapshot); // as readSnapshotFile(file) gives it
 */
export function parseSharedSnapshot(shared: SharedSnapshot): SnapshotFile {
  const head = Buffer.from(shared.head.buffer, shared.head.byteOffset, shared.head.byteLength);
  return { header: JSON.parse(head.toString(HEADER_ENCODING)), body: shared.body, shared };
}

/**
 * Reads a snapshot file written by {@link writeSnapshotFile}. Throws when the file is not one
 * (an older JSON snapshot, a truncated file): the caller then rebuilds.
 */
export function readSnapshotFile(file: string): SnapshotFile {
  const fd = openSync(file, 'r');
  try {
    const read = (into: Uint8Array, at: number): void => {
      for (let done = 0; done < into.length; ) {
        const n = readSync(fd, into, done, into.length - done, at + done);
        if (n === 0) throw truncated(file);
        done += n;
      }
    };
    const { size } = fstatSync(fd);
    const prefix = Buffer.alloc(Math.min(size, PREFIX));
    read(prefix, 0);
    const { headLength, start } = checkPrefix(file, prefix, size);
    const head = sharedBytes(headLength);
    read(head, PREFIX);
    const body = new Uint8Array(new SharedArrayBuffer(size - start));
    read(body, start);
    return { header: JSON.parse(head.toString(HEADER_ENCODING)), body, shared: { head, body } };
  } finally {
    closeSync(fd);
  }
}

const truncated = (file: string): Error => new Error(`snapshot: ${file} is truncated; it will be rebuilt`);

/** The header's byte length and where the sections start, once the prefix is checked (`size`: the file's). */
function checkPrefix(file: string, prefix: Buffer, size: number): { headLength: number; start: number } {
  if (size < PREFIX || !prefix.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error(`snapshot: ${file} is not a Loa index snapshot of this version; it will be rebuilt`);
  const headLength = prefix.readUInt32LE(MAGIC.length);
  if (PREFIX + headLength > size) throw truncated(file);
  return { headLength, start: Math.min(size, align8(PREFIX + headLength)) };
}

/** Reads of the sections at once, on the thread pool (libuv's has 4 threads by default). */
const BODY_READS = 2;

/**
 * {@link readSnapshotFile} for a start-up that can wait: the same result, sooner. The sections
 * are read by the thread pool, in parallel pieces, while this thread decodes the header: at
 * 10,000 passages (83 MB, of which the header is 30 MB) reading took about 0.3 s of the main
 * thread (most of it faulting in the fresh memory), decoding and parsing the header 0.45 s.
 * `whileReading` runs on this thread meanwhile (what the caller would otherwise do before or
 * after). Throws as readSnapshotFile does.
 *
 * @example
 * const snapshot = await readSnapshotFileAsync('data/index-snapshot.bin').catch(() => undefined);
 */
export async function readSnapshotFileAsync(file: string, opts: { whileReading?: () => void } = {}): Promise<SnapshotFile> {
  const fh = await open(file, 'r');
  let sections: Promise<unknown> = Promise.resolve();
  try {
    const read = async (into: Uint8Array, at: number): Promise<void> => {
      for (let done = 0; done < into.length; ) {
        const { bytesRead } = await fh.read(into, done, into.length - done, at + done);
        if (bytesRead === 0) throw truncated(file);
        done += bytesRead;
      }
    };
    /** Into `into` from `at`, in `n` reads at once. */
    const readInPieces = (into: Uint8Array, at: number, n: number): Promise<unknown> => {
      const piece = Math.max(8, Math.ceil(into.length / n / 8) * 8);
      const pieces = Array.from({ length: n }, (_, i) => into.subarray(Math.min(into.length, i * piece), Math.min(into.length, (i + 1) * piece)));
      return Promise.all(pieces.map((p) => read(p, at + p.byteOffset - into.byteOffset)));
    };
    const { size } = await fh.stat();
    const prefix = Buffer.alloc(Math.min(size, PREFIX));
    await read(prefix, 0);
    const { headLength, start } = checkPrefix(file, prefix, size);
    // The header first (this thread needs it first), then the sections while it is decoded.
    const head = sharedBytes(headLength);
    await readInPieces(head, PREFIX, 2);
    const body = new Uint8Array(new SharedArrayBuffer(size - start));
    sections = readInPieces(body, start, BODY_READS);
    opts.whileReading?.();
    const header: unknown = JSON.parse(head.toString(HEADER_ENCODING));
    await sections;
    return { header, body, shared: { head, body } };
  } finally {
    // Never closed under a read still running (a bad header throws while the sections are read).
    await sections.catch(() => undefined);
    await fh.close();
  }
}

/** Where a text is in a snapshot's text section ({@link createTextTable}): its start and end, in UTF-16 code units. */
export type TextRef = [start: number, end: number];

/**
 * A text section: long texts (passages, answers) kept out of the header's JSON, one after the
 * other in UTF-16LE. Read back, the section is one string and each text a slice of it, which
 * V8 makes without copying. Inside the JSON, each text was a string of its own: at 10,000
 * passages (21 million characters) decoding and parsing the header went from 0.29-0.34 s to
 * 0.13-0.19 s, and the collector no longer copies the texts from the young generation to the old.
 *
 * @example
 * const texts = createTextTable();
 * const header = { passages: passages.map((p) => ({ ...p, text: texts.add(p.text) })) };
 * writeSnapshotFile(file, header, [...sections, texts.section()]);
 */
export function createTextTable(): { add(text: string): TextRef; section(): Uint8Array } {
  const parts: string[] = [];
  let length = 0;
  return {
    add(text) {
      parts.push(text);
      length += text.length;
      return [length - text.length, length];
    },
    section: () => Buffer.from(parts.join(''), 'utf16le'),
  };
}

/**
 * The texts of a section written by {@link createTextTable}: `text(ref)` gives one. Throws on a
 * reference outside the section (a damaged snapshot, then rebuilt).
 */
export function readTextTable(bytes: Uint8Array): (ref: TextRef) => string {
  const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le');
  return (ref) => {
    const [start, end] = ref;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= all.length))
      throw new Error(`snapshot: a text reference [${String(start)}, ${String(end)}] is outside the text section; the snapshot will be rebuilt`);
    return all.slice(start, end);
  };
}
