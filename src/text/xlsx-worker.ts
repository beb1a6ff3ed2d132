/**
 * The worker side of `toXlsx` for large sheets (xlsx.ts): writes the sheet it was started with,
 * posts the workbook's bytes back (transferred, not copied) and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeSheet, type FromXlsxThread, type XlsxSheet } from './xlsx.js';

const { sheet } = workerData as { sheet: XlsxSheet };
const post = (m: FromXlsxThread, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(m, transfer);

writeSheet(sheet).then(
  (buf) => {
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    // A Buffer may sit in Node's shared pool: only a buffer of its own can be transferred.
    const own = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? bytes : bytes.slice();
    post({ ok: true, bytes: own }, [own.buffer as ArrayBuffer]);
  },
  (err: unknown) => post({ ok: false, message: err instanceof Error ? err.message : String(err) }),
);
