/**
 * The officials' list as staff bring it in: a CSV with the columns
 * `name,unit,group,region,channel,external_id` (issue 17, item 3), read as the subscribers
 * import reads its file (`text/csv.ts` readCsvRecords: ',' or ';', BOM accepted). The
 * whole file is checked first: one bad row and nothing is written, every problem listed by line,
 * in Vietnamese (staff read them). Used by `loa training import` and the admin page.
 */
import { z } from 'zod';
import { readCsvRecords } from '../text/csv.js';
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
  /** Group ids of `content/training.yaml`. */
  groups: Set<string>;
  /** Region slugs of `content/regions.yaml`. */
  regions: Set<string>;
}

/**
 * Reads and checks an officials CSV. Returns the rows with their line numbers, or every problem
 * by line (then no rows).
 *
 * @example readOfficialsCsv('name,unit,group,region,channel,external_id\nNguyễn Văn A,UBND xã X,quyen-con-nguoi,,telegram,42\n', known)
 */
export function readOfficialsCsv(text: string, known: OfficialsKnown): { rows: OfficialInput[]; lines: number[]; problems: string[] } {
  const read = readCsvRecords(text, OFFICIAL_COLUMNS);
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
    if (!known.groups.has(r.group))
      problems.push(`dòng ${line}: group: không có nhóm '${r.group}'; các mã nhóm trong content/training.yaml: ${[...known.groups].join(', ')}`);
    if (r.region && !known.regions.has(r.region)) problems.push(`dòng ${line}: region: không có địa bàn '${r.region}' (xem các mã địa bàn trong content/regions.yaml)`);
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
