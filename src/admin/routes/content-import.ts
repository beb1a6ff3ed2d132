/**
 * "Nhập nhiều câu hỏi – đáp": the office's booklet pasted from Word, or its FAQ sheet uploaded
 * (.xlsx, .csv), turned into Q&A drafts in one go (`content-import/`).
 *
 * Two steps, nothing written before the second: the first reads the text or file and shows a
 * preview (each entry's question, answer start, sources, id and problems); the second writes the
 * entries staff ticked as drafts, through the form's own builder, audited. The preview carries
 * the entries read (JSON in a hidden field) rather than the file, so an uploaded sheet need not
 * be sent twice; they are checked again on confirm, against the content as it is then.
 *
 * The forms post multipart/form-data, parsed in this scope only (Node's own FormData parser, no
 * new dependency): a file needs it, and a booklet of a hundred answers is 200 KB of UTF-8 but
 * three times that percent-encoded, past the admin's url-encoded limit.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminContext, RegisterRoutes } from '../context.js';
import { readImportFile, readImportText } from '../../content-import/table.js';
import { answerStart, planImportYielding, writeImportYielding, type ImportPlan } from '../../content-import/plan.js';
import { LINE_WORD, type ImportRead } from '../../content-import/booklet.js';
import { formatNumber } from '../format.js';
import { flattenRegions } from '../../knowledge/content.js';


/** The largest upload or confirmation accepted (bytes): an office's whole FAQ workbook fits. */
const MAX_BODY = 8 * 1024 * 1024;
/** The most entries one import takes (the preview is one page). */
const MAX_ENTRIES = 1_000;

/** An uploaded file as the multipart parser gives it. */
interface Upload {
  name: string;
  bytes: Buffer;
}

/**
 * A multipart/form-data body as a plain object, as the url-encoded parser gives one (a repeated
 * name as an array), files as {@link Upload}s.
 */
async function parseMultipart(contentType: string, body: Buffer): Promise<Record<string, unknown>> {
  let form: FormData;
  try {
    form = await new Response(body as unknown as BodyInit, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw Object.assign(new Error('Biểu mẫu gửi lên không đọc được; hãy tải lại trang và gửi lại.'), { statusCode: 400 });
  }
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const pairs: [string, FormDataEntryValue][] = [];
  form.forEach((value, key) => void pairs.push([key, value]));
  for (const [key, value] of pairs) {
    const v: unknown = typeof value === 'string' ? value : { name: value.name, bytes: Buffer.from(await value.arrayBuffer()) };
    const had = out[key];
    out[key] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

const isUpload = (v: unknown): v is Upload => !!v && typeof v === 'object' && Buffer.isBuffer((v as Upload).bytes);

const sourceSchema = z.object({ title: z.string().max(500), article: z.string().max(500).optional(), url: z.string().max(2000).optional() });
/** The entries a preview carries to the confirmation. */
const entriesSchema = z
  .array(
    z.object({
      line: z.number().int().min(0),
      label: z.string().max(40).optional(),
      question: z.string().max(5_000),
      answer: z.string().max(200_000),
      sources: z.array(sourceSchema).max(50),
      topic: z.string().max(200).optional(),
      regions: z.string().max(2_000).optional(),
      variants: z.array(z.string().max(1_000)).max(50).optional(),
    }),
  )
  .max(MAX_ENTRIES);

/** A field that may be posted once, many times (a multiple select) or not at all. */
const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => [...new Set((Array.isArray(v) ? v : v ? [v] : []).map((x) => x.trim()).filter(Boolean))]);

const readBody = z.object({
  text: z.string().max(MAX_BODY).default(''),
  topic: z.string().max(60).default(''),
  source: z.string().max(1_000).default(''),
  /** The regions every entry applies to (slugs), unless its sheet row names its own. */
  region: many.pipe(z.array(z.string().max(60)).max(200)),
});

const confirmBody = readBody.extend({
  entries: z.string().max(MAX_BODY),
  format: z.enum(['booklet', 'csv', 'xlsx', 'tsv', 'docx']).default('booklet'),
  origin: z.string().max(300).default(''),
  /** The preview's own token: one confirmation per preview. */
  batch: z.string().min(8).max(64),
  pick: z.union([z.string(), z.array(z.string())]).optional().transform((v) => new Set((Array.isArray(v) ? v : v ? [v] : []).map(Number).filter((n) => Number.isInteger(n) && n > 0))),
});

const FORMAT_LABEL: Record<ImportRead['format'], string> = {
  booklet: 'văn bản hỏi – đáp',
  csv: 'bảng CSV',
  xlsx: 'bảng Excel',
  tsv: 'bảng chép từ Excel',
  docx: 'tài liệu Word',
};

/** Registers the bulk import pages (editor role). */
export const registerContentImportRoutes: RegisterRoutes = (s, ctx) => {
  void s.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MAX_BODY }, async (req: FastifyRequest, body: Buffer) =>
      parseMultipart(String(req.headers['content-type']), body),
    );
    routes(scope, ctx);
  });
};

function routes(s: FastifyInstance, ctx: AdminContext): void {
  const topicsOf = (): { slug: string; name: string }[] => ctx.content.get().topics;
  const regionsOf = (): { slug: string; name: string; depth: number }[] =>
    [...flattenRegions(ctx.content.get().regions).entries()].map(([slug, r]) => ({ slug, name: r.name, depth: r.path.length - 1 }));

  const showForm = (req: FastifyRequest, reply: FastifyReply, data: { text?: string; topic?: string; source?: string; regions?: string[]; problems?: string[] }): Promise<FastifyReply> =>
    ctx.render(req, reply, 'content-import', {
      title: 'Nhập nhiều câu hỏi – đáp',
      topics: topicsOf(),
      regions: regionsOf(),
      chosenRegions: data.regions ?? [],
      text: data.text ?? '',
      topic: data.topic ?? '',
      source: data.source ?? '',
      problems: data.problems ?? [],
      maxEntries: MAX_ENTRIES,
    });

  const showPreview = (
    req: FastifyRequest,
    reply: FastifyReply,
    plan: ImportPlan,
    read: ImportRead,
    data: { topic: string; source: string; regions: string[]; origin: string; picked?: Set<number>; error?: string; batch?: string },
  ): Promise<FastifyReply> => {
    const picked = data.picked ?? new Set(plan.entries.filter((e) => e.suggested).map((e) => e.n));
    return ctx.render(req, reply, 'content-import-preview', {
      title: 'Xem trước: nhập nhiều câu hỏi – đáp',
      plan,
      picked,
      answerStart,
      entriesJson: JSON.stringify(read.entries),
      batch: data.batch ?? randomBytes(12).toString('base64url'),
      format: read.format,
      formatLabel: FORMAT_LABEL[read.format],
      topic: data.topic,
      topicName: topicsOf().find((t) => t.slug === data.topic)?.name ?? data.topic,
      topicNames: new Map(topicsOf().map((t) => [t.slug, t.name])),
      regionNames: new Map(regionsOf().map((r) => [r.slug, r.name])),
      chosenRegions: data.regions,
      lineWord: LINE_WORD[read.format],
      source: data.source,
      origin: data.origin,
      error: data.error,
      counts: {
        all: plan.entries.length,
        ready: plan.entries.filter((e) => e.suggested).length,
        warned: plan.entries.filter((e) => e.importable && !e.suggested).length,
        blocked: plan.entries.filter((e) => !e.importable).length,
      },
    });
  };

  s.get('/admin/content/import', { config: { permission: 'content.edit' } }, async (req, reply) => {
    const q = z.object({ topic: z.string().max(60).default('') }).parse(req.query);
    return showForm(req, reply, { topic: q.topic });
  });

  s.post('/admin/content/import', { config: { permission: 'content.edit' }, bodyLimit: MAX_BODY }, async (req, reply) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const body = readBody.parse({ ...raw, file: undefined });
    const file = isUpload(raw.file) && raw.file.bytes.length > 0 ? raw.file : undefined;
    const again = (problems: string[]): Promise<FastifyReply> => {
      reply.code(400);
      return showForm(req, reply, { text: body.text, topic: body.topic, source: body.source, regions: body.region, problems });
    };
    const problems: string[] = [];
    if (!ctx.content.get().topics.some((t) => t.slug === body.topic)) problems.push('Hãy chọn chủ đề cho các câu hỏi – đáp.');
    if (!file && !body.text.trim()) problems.push('Hãy dán nội dung hỏi – đáp vào ô “Nội dung”, hoặc chọn một tệp .xlsx hay .csv.');
    if (problems.length) return again(problems);
    if (file && body.text.trim()) return again(['Chỉ dùng một cách: dán nội dung hoặc chọn tệp (hãy xoá nội dung đã dán, hoặc bỏ chọn tệp).']);
    // A sheet longer than one import is refused before its rows are read (table.ts ReadLimits).
    const read = file ? await readImportFile(file.name, file.bytes, { maxRows: MAX_ENTRIES }) : readImportText(body.text, { maxRows: MAX_ENTRIES });
    if (read.entries.length > MAX_ENTRIES) return again([`Mỗi lần nhập tối đa ${formatNumber(MAX_ENTRIES)} câu hỏi; nội dung có ${formatNumber(read.entries.length)}: chia thành nhiều lần.`]);
    const plan = await planImportYielding(read, ctx.content.get(), { topic: body.topic, source: body.source, regions: body.region }, ctx.config.contentDir);
    if (read.entries.length === 0 || (plan.problems.length && !plan.entries.length)) return again(plan.problems);
    return showPreview(req, reply, plan, read, { topic: body.topic, source: body.source, regions: body.region, origin: file ? `tệp ${file.name}` : `${FORMAT_LABEL[read.format]} dán vào` });
  });

  /**
   * Confirmations run one at a time, and each preview's once: planning and writing stop to let
   * the bot answer (planImportYielding), and a second confirmation meanwhile (a double click, a
   * second tab) would have planned the same ids and written over the first's files, or written
   * every entry twice under numbered ids.
   */
  let confirming: Promise<unknown> = Promise.resolve();
  const confirmed = new Set<string>();

  s.post('/admin/content/import/confirm', { config: { permission: 'content.edit' }, bodyLimit: MAX_BODY }, async (req, reply) => {
    const turn = confirming.then(() => confirm(req, reply));
    confirming = turn.catch(() => undefined);
    return turn;
  });

  const confirm = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const body = confirmBody.parse(req.body ?? {});
    if (confirmed.has(body.batch)) {
      const msg = 'Lần nhập này đã được thực hiện (bấm “Nhập” hai lần?): các bản nháp đã có trong danh sách, không ghi thêm.';
      return reply.redirect(`/admin/content?status=draft&msg=${encodeURIComponent(msg)}`, 303);
    }
    let entries: z.infer<typeof entriesSchema>;
    try {
      entries = entriesSchema.parse(JSON.parse(body.entries));
    } catch {
      throw Object.assign(new Error('Dữ liệu xem trước không hợp lệ; hãy nhập lại từ đầu.'), { statusCode: 400 });
    }
    const read: ImportRead = { format: body.format, entries, ignored: [], problems: [] };
    const content = ctx.content.get();
    // Checked again: the content may have changed since the preview (an id taken, a topic gone).
    const plan = await planImportYielding(read, content, { topic: body.topic, source: body.source, regions: body.region }, ctx.config.contentDir);
    const origin = body.origin || FORMAT_LABEL[body.format];
    const chosen = [...body.pick].filter((n) => plan.entries.some((e) => e.n === n && e.importable));
    if (plan.problems.length || chosen.length === 0) {
      reply.code(400);
      return showPreview(req, reply, plan, read, {
        topic: body.topic,
        source: body.source,
        regions: body.region,
        origin,
        picked: body.pick,
        batch: body.batch,
        error: plan.problems.length ? plan.problems.join(' ') : 'Chưa chọn mục nào để nhập: đánh dấu ô ở đầu các mục cần nhập.',
      });
    }
    const skipped = [...body.pick].length - chosen.length;
    confirmed.add(body.batch);
    // Kept for a while: a double click comes within seconds.
    if (confirmed.size > 1_000) confirmed.delete(confirmed.values().next().value!);
    let result;
    try {
      result = await writeImportYielding(ctx.config.contentDir, plan, new Set(chosen), content, (e) => ctx.audit(req, e), { source: origin });
    } finally {
      // Drafts never serve: the admin's view of the files is refreshed, the search index is not rebuilt.
      ctx.content.invalidate();
    }
    const msg =
      `Đã nhập ${result.written.length} câu hỏi – đáp thành bản nháp. Bot chưa dùng các mục này: mỗi mục cần một người có quyền phê duyệt khác (không phải người nhập) xem và phê duyệt.` +
      (skipped ? ` ${skipped} mục đã chọn không nhập được vì nội dung đã thay đổi; xem lại ở trang nhập.` : '');
    return reply.redirect(`/admin/content?status=draft&msg=${encodeURIComponent(msg)}`, 303);
  };
}
