/**
 * An uploaded .xlsx (or .docx, see docx.ts) checked before read-excel-file unpacks it: an .xlsx is a zip, and a zip of
 * 300 KB can hold 300 MB of XML (a "zip bomb", by mistake or not). read-excel-file unpacks every
 * .xml entry whole, trusting the sizes the archive declares, then parses it in one go: measured
 * here, such a 300 KB file held the event loop 13 s and the process at 1 GB, and a 1 MB one
 * (1 GB of XML) 30 s before failing; the 8 MB the upload allows would take the whole service
 * down, bot included.
 *
 * So the XML entries are inflated here first, off the main thread (zlib), with a cap on what
 * they may add up to ({@link MAX_XLSX_XML}), whatever sizes the archive declares; and what
 * read-excel-file is given is a fresh archive of exactly those bytes (stored, not compressed),
 * so it reads what was checked, not the original's local headers, which may say otherwise.
 */
import { crc32, inflateRaw } from 'node:zlib';
import { promisify } from 'node:util';

const inflateRawAsync = promisify(inflateRaw) as (buf: Uint8Array, opts: { maxOutputLength: number }) => Promise<Buffer>;

/**
 * The most XML an uploaded workbook may unpack to (bytes). An office's FAQ sheet of 1,000 long
 * answers (3,000 characters each) is about 5 MB of XML; the rest is headroom for styles and
 * another sheet or two.
 */
export const MAX_XLSX_XML = 32 * 1024 * 1024;
/** The most entries an uploaded workbook's archive may list. */
const MAX_ENTRIES = 5_000;
/**
 * The most cells its sheets may hold, empty formatted ones included. read-excel-file takes about
 * 0.1 ms a cell here (load 15): 700,000 short cells in 30 MB of XML kept a core busy 70 s. A FAQ
 * sheet of 1,000 rows is a few thousand cells, tens of thousands with borders drawn on blank rows.
 */
export const MAX_XLSX_CELLS = 100_000;

/** What {@link checkXlsxArchive} found. */
export type XlsxCheck = { ok: true; bytes: Buffer; /** The XML parts checked, by name. */ parts: Map<string, Buffer> } | { ok: false; reason: 'not-zip' | 'too-large' | 'too-many-cells' };

/** A worksheet's part in the archive. */
const isSheet = (name: string): boolean => /^xl\/worksheets\/[^/]+\.xml$/.test(name);

/** How many cell elements (`<c …>`, `<x:c …>`) an XML part has. */
function countCells(xml: Buffer): number {
  let n = 0;
  for (let i = xml.indexOf(0x3c); i >= 0; i = xml.indexOf(0x3c, i + 1)) {
    let j = i + 1;
    // An optional namespace prefix ("x:").
    let k = j;
    while (k < xml.length && k - j < 16 && /[A-Za-z0-9_]/.test(String.fromCharCode(xml[k]!))) k++;
    if (xml[k] === 0x3a) j = k + 1;
    if (xml[j] === 0x63 && (xml[j + 1] === 0x20 || xml[j + 1] === 0x3e || xml[j + 1] === 0x2f || xml[j + 1] === 0x0a || xml[j + 1] === 0x0d || xml[j + 1] === 0x09)) n++;
  }
  return n;
}

/** The entries read-excel-file reads (its filterZipArchiveEntry); the rest is left out. */
const wanted = (name: string): boolean => name.endsWith('.xml') || name.endsWith('.xml.rels');

/** What {@link unpackXmlEntries} found: the wanted entries inflated, or why not. */
export type UnpackResult = { ok: true; files: { name: Buffer; data: Buffer }[] } | { ok: false; reason: 'not-zip' | 'too-large' | 'too-many-cells' };

/** What {@link unpackXmlEntries} unpacks and how much. */
export interface UnpackOptions {
  /** The entries to unpack (by their name in the archive); the others are left packed. */
  wanted: (name: string) => boolean;
  /** The most bytes the wanted entries may add up to once inflated. */
  maxXml: number;
  /** Looks at each entry once inflated; a reason returned stops the unpacking with it. */
  check?: (name: string, data: Buffer) => 'too-many-cells' | undefined;
}

/**
 * Unpacks an Office file's (a zip's) wanted entries within a budget, off the main thread (zlib
 * on the thread pool), whatever sizes the archive declares: the guard an .xlsx and a .docx share.
 * A zip64 archive, an encrypted entry or a compression other than deflate is 'not-zip' (Office
 * writes none of them for a file under the upload limit).
 */
export async function unpackXmlEntries(bytes: Buffer, options: UnpackOptions): Promise<UnpackResult> {
  const eocd = findEndOfDirectory(bytes);
  if (eocd < 0) return { ok: false, reason: 'not-zip' };
  const count = bytes.readUInt16LE(eocd + 10);
  const dirSize = bytes.readUInt32LE(eocd + 12);
  const dirAt = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirAt === 0xffffffff || dirAt + dirSize > eocd || count > MAX_ENTRIES) return { ok: false, reason: 'not-zip' };
  const files: { name: Buffer; data: Buffer }[] = [];
  let budget = options.maxXml;
  let at = dirAt;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || bytes.readUInt32LE(at) !== 0x02014b50) return { ok: false, reason: 'not-zip' };
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const packed = bytes.readUInt32LE(at + 20);
    const size = bytes.readUInt32LE(at + 24);
    const nameLen = bytes.readUInt16LE(at + 28);
    const extraLen = bytes.readUInt16LE(at + 30);
    const commentLen = bytes.readUInt16LE(at + 32);
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.subarray(at + 46, at + 46 + nameLen);
    at += 46 + nameLen + extraLen + commentLen;
    if (!options.wanted(name.toString('utf8'))) continue;
    if (flags & 1 || packed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) return { ok: false, reason: 'not-zip' };
    if (size > budget) return { ok: false, reason: 'too-large' };
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== 0x04034b50) return { ok: false, reason: 'not-zip' };
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    if (start + packed > bytes.length) return { ok: false, reason: 'not-zip' };
    const raw = bytes.subarray(start, start + packed);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) {
      try {
        // One byte more than allowed, so "exactly the budget" and "over it" are told apart.
        data = await inflateRawAsync(raw, { maxOutputLength: budget + 1 });
      } catch (err) {
        if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, reason: 'too-large' };
        return { ok: false, reason: 'not-zip' };
      }
    } else return { ok: false, reason: 'not-zip' };
    if (data.length > budget) return { ok: false, reason: 'too-large' };
    budget -= data.length;
    const stop = options.check?.(name.toString('utf8'), data);
    if (stop) return { ok: false, reason: stop };
    files.push({ name: Buffer.from(name), data });
  }
  return { ok: true, files };
}

/**
 * Checks an .xlsx's archive and returns the XML entries repacked, or why not (see
 * {@link unpackXmlEntries}).
 */
export async function checkXlsxArchive(bytes: Buffer, maxXml = MAX_XLSX_XML): Promise<XlsxCheck> {
  let cells = 0;
  const unpacked = await unpackXmlEntries(bytes, {
    wanted,
    maxXml,
    check: (name, data) => {
      if (!isSheet(name)) return undefined;
      cells += countCells(data);
      return cells > MAX_XLSX_CELLS ? 'too-many-cells' : undefined;
    },
  });
  return unpacked.ok ? { ok: true, bytes: storedZip(unpacked.files), parts: new Map(unpacked.files.map((f) => [f.name.toString('utf8'), f.data])) } : unpacked;
}

/** The end-of-central-directory record's offset, or -1. */
function findEndOfDirectory(bytes: Buffer): number {
  if (bytes.length < 22) return -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) if (bytes.readUInt32LE(i) === 0x06054b50) return i;
  return -1;
}

/** A zip of the files, stored (no compression), UTF-8 names. */
function storedZip(files: { name: Buffer; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const dir: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 name
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(f.data.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(f.name.length, 26);
    parts.push(local, f.name, f.data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(f.data.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(f.name.length, 28);
    central.writeUInt32LE(offset, 42);
    dir.push(central, f.name);
    offset += 30 + f.name.length + f.data.length;
  }
  const dirSize = dir.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dirSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...dir, end]);
}
