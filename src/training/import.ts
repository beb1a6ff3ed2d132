/**
 * The officials' list as staff bring it in: a CSV with the columns
 * `name,unit,group,region,channel,external_id` (issue 17, item 3), or the same six columns under
 * the Vietnamese headings an office's Excel sheet has ("Họ và tên;Đơn vị;Nhóm đối tượng;Địa
 * bàn;Kênh;Mã tài khoản"); a group may be written by its id or by its name in the plan ("Cán bộ
 * làm công tác quyền con người"), a region by its slug or its name. Read as the subscribers
 * import reads its file (`text/csv.ts` readCsvRecords: ',' or ';', BOM accepted). The
 * whole file is checked first: one bad row and nothing is written, every problem listed by line,
 * in Vietnamese (staff read them). Used by `loa training import` and the admin page.
 */
import { z } from 'zod';
import { parseCsv, readCsvRecords } from '../text/csv.js';
import { fold } from '../text/vietnamese.js';
import type { OfficialInput } from '../db/training.js';

/** The columns, in order. */
export const OFFICIAL_COLUMNS = ['name', 'unit', 'group', 'region', 'channel', 'external_id'] as const;

const rowSchema = z.object({
  name: z.string().trim().min(2, 'thiếu họ tên (ít nhất 2 ký tự)').max(120, 'họ tên dài quá 120 ký tự'),
  unit: z.string().trim().min(2, 'thiếu đơn vị (ít nhất 2 ký tự)').max(200, 'tên đơn vị dài quá 200 ký tự'),
  group: z.string().trim().min(1, 'thiếu mã nhóm đối tượng'),
  region: z.string().trim().transform((s) => s || null),
  channel: z.enum(['telegram', 'zalo', 'zalo-bot'], 'kênh phải là telegram, zalo (Zalo OA) hoặc zalo-bot (Zalo Bot)'),
  external_id: z
    .string()
    .trim()
    .regex(/^-?[0-9A-Za-z_]+$/, 'phải là mã người dùng của nền tảng (chỉ chữ số; đừng để Excel đổi thành dạng số 8,7E+18)'),
});

/** What the rows are checked against. */
export interface OfficialsKnown {
  /** Group ids of `content/training.yaml`, or id -> name (then a cell may give the name). */
  groups: ReadonlySet<string> | ReadonlyMap<string, string>;
  /** Region slugs of `content/regions.yaml`, or slug -> { name } (then a cell may give the name). */
  regions: ReadonlySet<string> | ReadonlyMap<string, { name: string }>;
}

/** The Vietnamese headings (folded: no diacritics, lower case) staff use for each column. */
const HEADINGS: Record<(typeof OFFICIAL_COLUMNS)[number], string[]> = {
  name: ['ho va ten', 'ho ten', 'ten can bo'],
  unit: ['don vi', 'don vi cong tac', 'co quan', 'co quan, don vi', 'co quan don vi'],
  group: ['nhom', 'nhom doi tuong', 'ma nhom', 'ma nhom doi tuong'],
  region: ['dia ban', 'ma dia ban', 'xa, phuong', 'xa/phuong', 'xa phuong', 'phuong, xa', 'phuong/xa'],
  channel: ['kenh'],
  external_id: ['ma tai khoan', 'tai khoan', 'ma nguoi dung'],
};

const folded = (s: string): string => fold(s.normalize('NFC').toLowerCase()).replace(/\s+/g, ' ').trim();
const named = (s: string): string => s.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * The file with a header of Vietnamese headings rewritten to the column ids (the same order is
 * still required); any other file unchanged.
 */
function withColumnIds(text: string): string {
  const body = text.replace(/^\uFEFF/, '');
  const end = body.search(/\r\n|\n|\r/);
  const first = end < 0 ? body : body.slice(0, end);
  if (first.split(first.includes(';') && !first.includes(',') ? ';' : ',').every((h, i) => h.trim().toLowerCase() === (OFFICIAL_COLUMNS as readonly string[])[i])) return text;
  // Either separator: a heading such as "Xã, phường" has a comma in a ';' file.
  for (const delimiter of [';', ','] as const) {
    let header: string[];
    try {
      header = parseCsv(first, delimiter)[0] ?? [];
    } catch {
      continue;
    }
    if (header.length !== OFFICIAL_COLUMNS.length) continue;
    const known = header.every((h, i) => {
      const f = folded(h);
      const col = OFFICIAL_COLUMNS[i]!;
      return f === col || HEADINGS[col].includes(f);
    });
    if (known) return OFFICIAL_COLUMNS.join(delimiter) + (end < 0 ? '' : body.slice(end));
  }
  return text;
}

/** An id given by itself or by its name: the id, or the problem. */
function resolve(cell: string, known: ReadonlySet<string> | ReadonlyMap<string, string | { name: string }>): { id: string } | { ambiguous: string[] } | undefined {
  if (known.has(cell)) return { id: cell };
  if (!(known instanceof Map)) return undefined;
  const want = named(cell);
  const ids = [...known.entries()].filter(([, v]) => named(typeof v === 'string' ? v : v.name) === want).map(([id]) => id);
  if (ids.length === 1) return { id: ids[0]! };
  return ids.length ? { ambiguous: ids } : undefined;
}

/**
 * Reads and checks an officials CSV. Returns the rows with their line numbers, or every problem
 * by line (then no rows).
 *
 * @example readOfficialsCsv('name,unit,group,region,channel,external_id\nNguyễn Văn A,UBND xã X,quyen-con-nguoi,,telegram,42\n', known)
 */
export function readOfficialsCsv(text: string, known: OfficialsKnown): { rows: OfficialInput[]; lines: number[]; problems: string[] } {
  const read = readCsvRecords(withColumnIds(text), OFFICIAL_COLUMNS);
  if (read.problems.length) return { rows: [], lines: [], problems: read.problems };
  const problems: string[] = [];
  const rows: OfficialInput[] = [];
  const lines: number[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of read.records) {
    if (Object.values(cells).every((c) => !c.trim())) continue; // a blank line Excel left at the end
    const p = rowSchema.safeParse(cells);
    if (!p.success) {
      for (const issue of p.error.issues) problems.push(`dòng ${line}: ${issue.path.join('.')}: ${issue.message}`);
      continue;
    }
    const r = p.data;
    const group = resolve(r.group, known.groups);
    if (!group || !('id' in group))
      problems.push(`dòng ${line}: group: không có nhóm '${r.group}'; các mã nhóm trong content/training.yaml: ${[...known.groups.keys()].join(', ')}`);
    else r.group = group.id;
    const region = r.region ? resolve(r.region, known.regions) : { id: null };
    if (!region) problems.push(`dòng ${line}: region: không có địa bàn '${r.region}' (xem các mã địa bàn trong content/regions.yaml)`);
    else if (!('id' in region)) problems.push(`dòng ${line}: region: có nhiều địa bàn tên '${r.region}' (${region.ambiguous.join(', ')}): ghi mã địa bàn`);
    else r.region = region.id;
    const key = `${r.channel}:${r.external_id}`;
    const first = seen.get(key);
    if (first !== undefined) problems.push(`dòng ${line}: external_id: trùng tài khoản ${r.channel} ${r.external_id} với dòng ${first}`);
    else seen.set(key, line);
    lines.push(line);
    rows.push({ name: r.name.normalize('NFC'), unit: r.unit.normalize('NFC'), groupId: r.group, region: r.region, channel: r.channel, externalId: r.external_id });
  }
  if (problems.length === 0 && rows.length === 0) problems.push('dòng 2: tệp không có dòng cán bộ nào');
  return problems.length ? { rows: [], lines: [], problems } : { rows, lines, problems };
}
