/**
 * The snapshot file: a JSON header, a text, then byte sections, in one file written atomically.
 *
 * Layout: the 8 bytes `LOASNAP4`, the header's and the text's byte lengths (uint32,
 * little-endian), the header as JSON in UTF-16LE, the text in UTF-16LE, then each section, every
 * one starting 8-byte aligned so that a typed array can be a view on the file's bytes instead of
 * a copy. One file (not a header file beside a postings file) so that a crash can never pair the
 * header of one index with the postings of another: it is written to a temporary name and
 * renamed over the old one.
 *
 * The text holds what is long (passages, answers: {@link createTextTable}), so that the header's
 * JSON stays small. The header is parsed on its own, so that a snapshot of other content or
 * options is rejected before its text and sections are used.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { align8 } from './postings.js';

const MAGIC = Buffer.from('LOASNAP4', 'latin1');
/**
 * The header's and the text's encoding. UTF-16LE is what JavaScript strings are made of:
 * decoding it is a copy, where UTF-8 must be transcoded. At 10,000 passages (23 million
 * characters of Vietnamese text, 30 MB in UTF-8, 47 MB in UTF-16) decoding went from 0.25-0.3 s
 * to 0.13-0.15 s per thread; the texts are now decoded one at a time when read ({@link SnapshotText}).
 */
const ENCODING = 'utf16le';
const PREFIX = MAGIC.length + 8;

/**
 * Writes `header`, `text` and `sections` to `file`, atomically (a temporary file renamed over it).
 *
 * @example
 * writeSnapshotFile('data/index-snapshot.bin', { contentHash }, [new Int32Array([1, 2])], texts.text());
 */
export function writeSnapshotFile(file: string, header: unknown, sections: readonly ArrayBufferView[], text = ''): void {
  const head = Buffer.from(JSON.stringify(header), ENCODING);
  const texts = Buffer.from(text, ENCODING);
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix);
  prefix.writeUInt32LE(head.length, MAGIC.length);
  prefix.writeUInt32LE(texts.length, MAGIC.length + 4);
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
    write(texts);
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

/** A snapshot file read back: its header (parsed JSON), its text and the bytes of its sections. */
export interface SnapshotFile {
  header: unknown;
  /** The text written with the file ({@link createTextTable}), read where a text is needed. */
  text: SnapshotText;
  /**
   * From the first section to the end of the file, in memory of its own (8-byte aligned): the
   * header's and the text's bytes are not kept alive by the index's views on the sections.
   * Shared memory, as `shared.body` is.
   */
  body: Uint8Array;
  /**
   * The file's bytes as read, in shared memory: handed to another thread (the search thread),
   * they are read there by {@link parseSharedSnapshot} without reading the file again, and the
   * sections and the text are then one copy in memory for both threads. Whoever holds them no
   * longer needed drops them, so that the header's bytes are freed (the text's stay, read by
   * the entries' texts: {@link SnapshotText}).
   */
  shared?: SharedSnapshot;
}

/** A snapshot's bytes in shared memory (SharedArrayBuffer): its header, its text and its sections. */
export interface SharedSnapshot {
  head: Uint8Array;
  text: Uint8Array;
  body: Uint8Array;
}

/** Bytes in shared memory: posted to a worker, they are shared, not copied. */
const sharedBytes = (n: number): Buffer => Buffer.from(new SharedArrayBuffer(n));

const decode = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(ENCODING);

/**
 * A snapshot's text, kept as the bytes read (UTF-16LE) and decoded a text at a time when one is
 * read ({@link lazyTextTable}). Decoding it whole took 0.13-0.15 s of each thread's start-up at
 * 10,000 passages (47 MB) on a quiet machine, 0.6-0.9 s at load 3-8, for texts of which a start
 * reads none and a search reads the few its candidates have; and each thread then held its own
 * 47 MB copy, where the bytes are one shared memory for both.
 */
export interface SnapshotText {
  /** Its length in UTF-16 code units. */
  readonly length: number;
  /** The text from `start` to `end` (code units, end exclusive). */
  slice(start: number, end: number): string;
}

/** A text kept as its UTF-16LE bytes. */
function bytesText(bytes: Uint8Array): SnapshotText {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { length: buf.length >>> 1, slice: (start, end) => buf.toString(ENCODING, 2 * start, 2 * end) };
}

/** A text already in memory as a string (one just written, or a test's). */
function stringText(all: string): SnapshotText {
  return { length: all.length, slice: (start, end) => all.slice(start, end) };
}

/**
 * The snapshot another thread read ({@link SnapshotFile.shared}), parsed here.
 *
 * @example
 * const file = parseSharedSnapshot(message.snapshot); // as readSnapshotFile(file) gives it
 */
export function parseSharedSnapshot(shared: SharedSnapshot): SnapshotFile {
  return { header: JSON.parse(decode(shared.head)), text: bytesText(shared.text), body: shared.body, shared };
}

/** Where the parts are, once the prefix is checked (`size`: the file's). */
function checkPrefix(file: string, prefix: Buffer, size: number): { headLength: number; textLength: number; start: number } {
  if (size < PREFIX || !prefix.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error(`snapshot: ${file} is not a Loa index snapshot of this version; it will be rebuilt`);
  const headLength = prefix.readUInt32LE(MAGIC.length);
  const textLength = prefix.readUInt32LE(MAGIC.length + 4);
  if (PREFIX + headLength + textLength > size) throw truncated(file);
  return { headLength, textLength, start: Math.min(size, align8(PREFIX + headLength + textLength)) };
}

const truncated = (file: string): Error => new Error(`snapshot: ${file} is truncated; it will be rebuilt`);

/**
 * Reads a snapshot file written by {@link writeSnapshotFile}. Throws when the file is not one
 * (an older snapshot, a truncated file): the caller then rebuilds.
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
    const { headLength, textLength, start } = checkPrefix(file, prefix, size);
    const shared = { head: sharedBytes(headLength), text: sharedBytes(textLength), body: new Uint8Array(new SharedArrayBuffer(size - start)) };
    read(shared.head, PREFIX);
    read(shared.text, PREFIX + headLength);
    read(shared.body, start);
    return parseSharedSnapshot(shared);
  } finally {
    closeSync(fd);
  }
}

/** Reads at once, on the thread pool (libuv's has 4 threads by default), of a large part. */
const PIECES = 2;

/**
 * {@link readSnapshotFile} for a start-up that can wait: the same result, sooner. The file is
 * read by the thread pool, in parallel pieces: the text while this thread parses the header and
 * runs `whileReading` (what the caller would otherwise do before or after), the sections while
 * it decodes the text. At 10,000 passages (100 MB) the reads took about 0.3 s of the main
 * thread when it made them (most of it faulting in the fresh memory). Throws as
 * readSnapshotFile does.
 *
 * @example
 * const snapshot = await readSnapshotFileAsync('data/index-snapshot.bin').catch(() => undefined);
 */
export async function readSnapshotFileAsync(file: string, opts: { whileReading?: () => void } = {}): Promise<SnapshotFile> {
  const fh = await open(file, 'r');
  const reading: Promise<unknown>[] = [];
  try {
    const read = async (into: Uint8Array, at: number): Promise<void> => {
      for (let done = 0; done < into.length; ) {
        const { bytesRead } = await fh.read(into, done, into.length - done, at + done);
        if (bytesRead === 0) throw truncated(file);
        done += bytesRead;
      }
    };
    /** Into `into` from `at`, in {@link PIECES} reads at once. */
    const readInPieces = (into: Uint8Array, at: number): Promise<unknown> => {
      const piece = Math.max(8, Math.ceil(into.length / PIECES / 8) * 8);
      const pieces = Array.from({ length: PIECES }, (_, i) => into.subarray(Math.min(into.length, i * piece), Math.min(into.length, (i + 1) * piece)));
      const all = Promise.all(pieces.map((p) => read(p, at + p.byteOffset - into.byteOffset)));
      reading.push(all);
      return all;
    };
    const { size } = await fh.stat();
    const prefix = Buffer.alloc(Math.min(size, PREFIX));
    await read(prefix, 0);
    const { headLength, textLength, start } = checkPrefix(file, prefix, size);
    const shared = { head: sharedBytes(headLength), text: sharedBytes(textLength), body: new Uint8Array(new SharedArrayBuffer(size - start)) };
    // In the order this thread needs them, each read while it works on the one before.
    await readInPieces(shared.head, PREFIX);
    const text = readInPieces(shared.text, PREFIX + headLength);
    opts.whileReading?.();
    const header: unknown = JSON.parse(decode(shared.head));
    await text;
    await readInPieces(shared.body, start);
    return { header, text: bytesText(shared.text), body: shared.body, shared };
  } finally {
    // Never closed under a read still running (a bad header throws while the rest is read).
    await Promise.allSettled(reading);
    await fh.close();
  }
}

/** Where a text is in a snapshot's text ({@link createTextTable}): its start and end, in UTF-16 code units. */
export type TextRef = [start: number, end: number];

/**
 * A snapshot's text: long texts (passages, answers) kept out of the header's JSON, one after
 * the other. Read back, the text stays bytes and each text is decoded from them when it is
 * read ({@link lazyTextTable}). Inside the JSON, each text was a string of its own: at 10,000 passages (21
 * million characters) decoding and parsing the header went from 0.29-0.34 s to 0.13-0.19 s, and
 * the collector no longer copies the texts from the young generation to the old.
 *
 * @example
 * const texts = createTextTable();
 * const header = { passages: passages.map((p) => ({ ...p, text: texts.add(p.text) })) };
 * writeSnapshotFile(file, header, sections, texts.text());
 */
export function createTextTable(): { add(text: string): TextRef; text(): string } {
  const parts: string[] = [];
  let length = 0;
  return {
    add(text) {
      parts.push(text);
      length += text.length;
      return [length - text.length, length];
    },
    text: () => parts.join(''),
  };
}

/**
 * The texts of a snapshot's text ({@link SnapshotFile.text}): `text(ref)` gives one. Throws on a
 * reference outside it (a damaged snapshot, then rebuilt).
 */
export function readTextTable(all: SnapshotText | string): (ref: TextRef) => string {
  const lazy = lazyTextTable(all);
  return (ref) => lazy(ref)();
}

/**
 * {@link readTextTable}, decoding later: `text(ref)` checks the reference at once (a damaged
 * snapshot is refused when it is loaded, not when an answer is read) and gives a function that
 * decodes the text each time it is called.
 */
export function lazyTextTable(all: SnapshotText | string): (ref: TextRef) => () => string {
  const source = typeof all === 'string' ? stringText(all) : all;
  return (ref) => {
    const [start, end] = ref;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= source.length))
      throw new Error(`snapshot: a text reference [${String(start)}, ${String(end)}] is outside the snapshot's text; the snapshot will be rebuilt`);
    return () => source.slice(start, end);
  };
}
