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
import { canonical, fold } from '../text/vietnamese.js';
import type { ImportResult, Official, OfficialInput } from '../db/training.js';
import { formatVietnamTime, parseStaffDate } from '../time/vietnam.js';

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
/** A person's name or unit compared: case, spacing, punctuation and tone placement aside, diacritics kept. */
const person = (s: string): string => canonical(s);
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
  const seen = new Map<string, { line: number; name: string; region: string | null; groups: Map<string, number> }>();
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
    // One account is one official. Two rows of it in two of the plan's groups are that official
    // counting in both (the groups overlap: a key official of the Women's Union who is also the
    // commune's legal reporter); the same group twice, or another name, is a duplicate.
    const key = `${r.channel}:${r.external_id}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, { line, name: person(r.name), region: r.region, groups: new Map([[r.group, line]]) });
    else if (first.name !== person(r.name) || first.groups.has(r.group))
      problems.push(`dòng ${line}: external_id: trùng tài khoản ${r.channel} ${r.external_id} với dòng ${first.groups.get(r.group) ?? first.line}`);
    else if (first.region !== r.region)
      problems.push(
        `dòng ${line}: region: tài khoản ${r.channel} ${r.external_id} đã có ở dòng ${first.line} với địa bàn khác; một cán bộ thuộc hai nhóm đối tượng ghi hai dòng cùng họ tên, cùng địa bàn, mỗi dòng một nhóm`,
      );
    else first.groups.set(r.group, line);
    lines.push(line);
    rows.push({ name: r.name.normalize('NFC'), unit: r.unit.normalize('NFC'), groupId: r.group, region: r.region, channel: r.channel, externalId: r.external_id });
  }
  if (problems.length === 0 && rows.length === 0) problems.push('dòng 2: tệp không có dòng cán bộ nào');
  return problems.length ? { rows: [], lines: [], problems } : { rows, lines, problems };
}

/** An official of the file who looks like one already on the list under another account. */
export interface SameOfficial {
  /** The file's line. */
  line: number;
  name: string;
  unit: string;
  /** The account the file gives. */
  channel: string;
  externalId: string;
  /** The official already on the list, under another account. */
  other: Pick<Official, 'id' | 'channel' | 'externalId' | 'trainedAt'>;
}


/**
 * Rows of an import that are new accounts of officials already on the list: the same name and
 * unit (case, spacing and tone placement aside, diacritics kept) under another account that the file
 * does not list. That is how an office fixes an official who wrote from another account (a
 * second phone, Zalo instead of Telegram): it edits the account in its sheet and imports again,
 * and the old row, which the import keeps, would count the official twice in their group's
 * share. Staff take the old account off the list, or keep both when they are two people.
 * Two rows of the same name and unit in the file itself are two people: not reported.
 *
 * @example sameOfficialElsewhere(rows, lines, listOfficials(db)) // [{ line: 11, name: 'Ngô Văn Khoa', …, other: { channel: 'telegram', externalId: '9309', … } }]
 */
export function sameOfficialElsewhere(
  rows: readonly OfficialInput[],
  lines: readonly number[],
  onList: readonly Pick<Official, 'id' | 'name' | 'unit' | 'channel' | 'externalId' | 'trainedAt'>[],
): SameOfficial[] {
  const inFile = new Set(rows.map((r) => `${r.channel}:${r.externalId}`));
  const listed = new Set(onList.map((o) => `${o.channel}:${o.externalId}`));
  const byPerson = new Map<string, (typeof onList)[number][]>();
  for (const o of onList) {
    if (inFile.has(`${o.channel}:${o.externalId}`)) continue;
    const k = `${person(o.name)}\u0000${person(o.unit)}`;
    byPerson.set(k, [...(byPerson.get(k) ?? []), o]);
  }
  const out: SameOfficial[] = [];
  const told = new Set<string>();
  rows.forEach((r, i) => {
    if (listed.has(`${r.channel}:${r.externalId}`)) return; // an update of an account on the list
    for (const o of byPerson.get(`${person(r.name)}\u0000${person(r.unit)}`) ?? []) {
      // An official of two groups has two rows: one warning per account.
      const pair = `${r.channel}:${r.externalId}\u0000${o.id}`;
      if (told.has(pair)) continue;
      told.add(pair);
      out.push({ line: lines[i]!, name: r.name, unit: r.unit, channel: r.channel, externalId: r.externalId, other: { id: o.id, channel: o.channel, externalId: o.externalId, trainedAt: o.trainedAt } });
    }
  });
  return out;
}

/**
 * What staff are told after the import about {@link sameOfficialElsewhere} (Vietnamese):
 * one sentence per official, and which account to take off and how (`how`: the CLI command or
 * the admin page's button): the old one, or the new one when the old one already passed.
 */
export function sameOfficialWarning(same: SameOfficial, how: 'cli' | 'admin', trainedOn?: (iso: string) => string): string {
  const old = `${same.other.channel} ${same.other.externalId}`;
  const now = `${same.channel} ${same.externalId}`;
  const remove = (account: string, channel: string, id: string): string =>
    how === 'cli' ? `loa training remove ${channel} ${id}` : `bấm “Đưa ra khỏi danh sách” ở tài khoản ${account} trong danh sách cán bộ`;
  // A pass is kept with the account it was made from: when the old account passed, it is the
  // one to keep (a trained official gets no more messages, so the new account is not needed).
  const which = same.other.trainedAt
    ? `tài khoản cũ đã tập huấn${trainedOn ? ` ngày ${trainedOn(same.other.trainedAt)}` : ''}, nên giữ tài khoản cũ và đưa tài khoản mới ${now} ra khỏi danh sách (${remove(now, same.channel, same.externalId)})`
    : `hãy đưa tài khoản cũ ra khỏi danh sách (${remove(old, same.other.channel, same.other.externalId)})`;
  return (
    `dòng ${same.line}: ${same.name} (${same.unit}) đã có trong danh sách với tài khoản khác: ${old}. ` +
    `Nếu là cùng một người đổi tài khoản, ${which}, nếu không người này bị tính hai lần vào tỉ lệ của nhóm; nếu là hai người trùng họ tên thì giữ nguyên.`
  );
}

/** A row of the file whose account staff took off the list (left the post). */
export interface LeftOfficial {
  line: number;
  name: string;
  unit: string;
  channel: string;
  externalId: string;
  /** When they were taken off the list (ISO instant). */
  removedAt: string;
}

/**
 * Splits the rows of an import into those to write and those of officials staff took off the
 * list. An office keeps one sheet and often leaves the row of an official who left; importing
 * it again used to put them back on the list silently, and with them the years they had left
 * (seen in the office trial: an official who left on 01/07 was back in that year's report,
 * 3/4 = 75% where the hand count was 2/3). They stay off unless staff say they are back
 * (`bringBack`: `--include-removed`, the admin page's box).
 *
 * @example leftOfficials(rows, lines, removedOfficials(db), false) // { rows: [...], lines: [...], left: [{ line: 5, name: 'Phạm Thị Lan', …, removedAt: '2026-06-30T17:00:00.000Z' }] }
 */
export function leftOfficials(
  rows: readonly OfficialInput[],
  lines: readonly number[],
  removed: readonly Pick<Official, 'channel' | 'externalId' | 'removedAt'>[],
  bringBack: boolean,
): { rows: OfficialInput[]; lines: number[]; left: LeftOfficial[]; broughtBack: number } {
  const off = new Map(removed.map((o) => [`${o.channel}:${o.externalId}`, o.removedAt!]));
  const out = { rows: [] as OfficialInput[], lines: [] as number[], left: [] as LeftOfficial[], broughtBack: 0 };
  rows.forEach((r, i) => {
    const removedAt = off.get(`${r.channel}:${r.externalId}`);
    if (removedAt !== undefined && !bringBack) {
      // An official of two groups has two rows: said once, at the first.
      if (out.left.some((l) => l.channel === r.channel && l.externalId === r.externalId)) return;
      out.left.push({ line: lines[i]!, name: r.name, unit: r.unit, channel: r.channel, externalId: r.externalId, removedAt });
      return;
    }
    if (removedAt !== undefined && !out.rows.some((x) => x.channel === r.channel && x.externalId === r.externalId)) out.broughtBack++;
    out.rows.push(r);
    out.lines.push(lines[i]!);
  });
  return out;
}

/**
 * What staff are told about {@link leftOfficials} (Vietnamese): who was not imported again, since
 * when they are off the list, and how to bring one back (`how`: the CLI option or the admin box).
 */
export function leftOfficialsWarning(left: readonly LeftOfficial[], how: 'cli' | 'admin', day: (iso: string) => string): string {
  const who = left.map((l) => `dòng ${l.line}: ${l.name} (${l.unit}), ${l.channel} ${l.externalId}, từ ${day(l.removedAt)}`).join('; ');
  const back = how === 'cli' ? 'chạy lại lệnh nhập với tuỳ chọn --include-removed' : 'nhập lại và đánh dấu ô “Đưa lại vào danh sách cán bộ đã đưa ra”';
  return (
    `Không nhập lại ${left.length} cán bộ đã được đưa ra khỏi danh sách (chuyển công tác), để số liệu các năm họ đã rời không bị thay đổi: ${who}. ` +
    `Nên xoá các dòng này khỏi tệp; nếu cán bộ đã trở lại diện tập huấn, ${back}.`
  );
}

/**
 * The rows with each unit written as the list (then the file, top down) first wrote it, when
 * the two spellings differ only in letter case, spacing, punctuation or where the tone mark
 * sits ("Uỷ ban" and "Ủy ban", "Văn hoá" and "Văn hóa", as two people type them). Coverage is
 * counted per unit as written, so the report would otherwise show one unit as two lines. Also
 * the lines whose unit was rewritten, with the spelling kept.
 *
 * @example sameUnitSpelling(rows, lines, listOfficials(db)).rewritten // [{ line: 4, from: 'Uỷ ban MTTQ xã A', to: 'Ủy ban MTTQ xã A' }]
 */
export function sameUnitSpelling(
  rows: readonly OfficialInput[],
  lines: readonly number[],
  onList: readonly Pick<Official, 'unit'>[],
): { rows: OfficialInput[]; rewritten: { line: number; from: string; to: string }[] } {
  const spelling = new Map<string, string>();
  for (const o of onList) if (!spelling.has(canonical(o.unit))) spelling.set(canonical(o.unit), o.unit);
  const rewritten: { line: number; from: string; to: string }[] = [];
  const out = rows.map((r, i) => {
    const key = canonical(r.unit);
    const kept = spelling.get(key);
    if (kept === undefined) {
      spelling.set(key, r.unit);
      return r;
    }
    if (kept === r.unit) return r;
    rewritten.push({ line: lines[i]!, from: r.unit, to: kept });
    return { ...r, unit: kept };
  });
  return { rows: out, rewritten };
}

/** What staff are told about {@link sameUnitSpelling} (Vietnamese), or '' when nothing was rewritten. */
export function sameUnitSpellingNote(rewritten: readonly { line: number; from: string; to: string }[]): string {
  if (!rewritten.length) return '';
  const pairs = [...new Map(rewritten.map((r) => [`${r.from}\u0000${r.to}`, r])).values()];
  const shown = pairs.slice(0, 5).map((r) => `“${r.from}” ghi là “${r.to}” (dòng ${r.line}${rewritten.filter((x) => x.from === r.from && x.to === r.to).length > 1 ? ' và các dòng khác' : ''})`);
  return `${rewritten.length} dòng ghi tên đơn vị khác cách viết với tên đã có, được ghi theo tên đã có để đơn vị không bị tách làm hai trong báo cáo: ${shown.join('; ')}${pairs.length > 5 ? `; và ${pairs.length - 5} tên khác` : ''}.`;
}

/**
 * What staff are told an import did (Vietnamese), counted in officials, not rows: an official of
 * two groups has two rows. Says who counts in several groups (in each group's share) and who
 * moved to another group or unit (the new one from now on, or from `since`, the day staff gave;
 * figures before that, such as a past year's report, keep the old one).
 *
 * @example importSummary({ added: 2, updated: 1, moved: 1, inSeveralGroups: 1 }, 0)
 *   // 'Đã nhập 3 cán bộ: 2 người mới, 1 người đã có được cập nhật. 1 người thuộc hai nhóm …'
 */
export function importSummary(res: ImportResult, broughtBack: number, since?: string): string {
  const when = since ? `từ ngày ${since}` : 'từ hôm nay';
  const before = since ? `trước ngày ${since}` : 'trước hôm nay';
  return (
    `Đã nhập ${res.added + res.updated} cán bộ: ${res.added} người mới, ${res.updated} người đã có được cập nhật` +
    (broughtBack ? ` (trong đó ${broughtBack} người được đưa lại vào danh sách).` : '.') +
    (res.inSeveralGroups
      ? ` ${res.inSeveralGroups} người thuộc từ hai nhóm đối tượng trở lên (mỗi nhóm một dòng): được tính vào tỉ lệ của từng nhóm; đã tập huấn một lần là đã tập huấn ở mọi nhóm của mình.`
      : '') +
    (res.moved ? ` ${res.moved} người đổi nhóm đối tượng hoặc đơn vị: được tính theo nhóm, đơn vị mới ${when}; số liệu ${before} vẫn theo nhóm, đơn vị cũ.` : '') +
    (since && res.added ? ` Cán bộ mới được tính ${when}.` : '')
  );
}

/** What {@link readImportDate} decided: the instant the file's changes count from, or why not. */
export type ImportDate = { ok: true; from: Date; since?: string } | { ok: false; error: string };

/**
 * The day an import's changes count from (a move, a new official) as staff typed it, one rule for
 * `loa training import --date` and the admin import page: blank is now; otherwise a day (day
 * first, "01/07/2026") from its 00:00 in Vietnam, never a day to come. `since` is the day as
 * {@link importSummary} writes it (absent when blank). `field` names the input in the error
 * ("--date", "Áp dụng từ ngày") and `blank` says how to mean today.
 *
 * @example readImportDate('01/07/2026', now, { field: '--date', blank: 'bỏ --date' })
 */
export function readImportDate(text: string | undefined, now: Date, names: { field: string; blank: string }): ImportDate {
  if (text === undefined || text.trim() === '') return { ok: true, from: now };
  const d = parseStaffDate(text);
  if (!d.ok) return { ok: false, error: `${names.field}: ${d.error}` };
  if (d.at.getTime() > now.getTime()) return { ok: false, error: `${names.field}: ngày áp dụng không được sau hôm nay; ${names.blank} để áp dụng từ hôm nay` };
  return { ok: true, from: d.at, since: formatVietnamTime(d.at, 'dd/MM/yyyy') };
}
