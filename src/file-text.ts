/**
 * The text of a settings file an IT officer may have saved on Windows: without a UTF-8 byte
 * order mark (Notepad's "UTF-8 with BOM"), and decoded when it is UTF-16 (older Notepads'
 * "Unicode"). Read as plain UTF-8, a UTF-16 `.env` or bot YAML was nonsense (a bot YAML said
 * "cần object"), and a BOM glued itself to the first name of a `.env`.
 *
 * @example decodeTextFile(readFileSync('.env'))
 */
export function decodeTextFile(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}
