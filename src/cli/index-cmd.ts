/**
 * `loa index`: validates the content (every error with file and field), indexes it and fits the
 * answer decision, keeping the snapshot in LOA_DATA_DIR up to date for the next start.
 *
 * The snapshot is rebuilt from scratch when the content is valid (fresh estimates of the fit). While
 * a file is broken it is kept: it holds that file's last good version (knowledge.ts), which a
 * check must not throw away. `--content DIR` checks another content folder (an office's draft of
 * its own content) without touching the served one's snapshot.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { createKnowledge, SNAPSHOT_FILE } from '../knowledge/knowledge.js';
import { formatContentErrors, loadContent } from '../knowledge/content.js';
import type { DecisionModel } from '../knowledge/decision.js';
import { argsErrorText } from './args.js';
import { formatDecimal } from '../admin/format.js';

export const USAGE = `cách dùng:
  loa index                  kiểm tra nội dung (LOA_CONTENT_DIR), lập chỉ mục và lưu vào LOA_DATA_DIR cho lần chạy sau
  loa index --content THƯ_MỤC kiểm tra và lập chỉ mục một thư mục nội dung khác (không ghi gì vào LOA_DATA_DIR)

Mỗi lỗi được nêu cùng tệp và trường; mục trong tệp lỗi vẫn dùng bản hợp lệ trước (nếu có) cho đến khi sửa xong.`;

const pct = (x: number): string => `${Math.round(x * 100)}%`;
/** A decimal the Vietnamese way (comma). */
const dec = formatDecimal;

/** What the calibration fitted and estimated, for staff (calibrate.ts). */
export function describeCalibration(m: DecisionModel): string[] {
  const i = m.info;
  const lines =
    i.source === 'fitted'
      ? [
          m.longThreshold === undefined
            ? `Hiệu chỉnh quyết định trả lời theo nội dung này: ngưỡng tin cậy ${dec(m.threshold)} (mặc định 0,380).`
            : `Hiệu chỉnh quyết định trả lời theo nội dung này: ngưỡng tin cậy ${dec(m.threshold)} cho câu hỏi ngắn, ${dec(m.longThreshold)} cho câu hỏi dài (từ 12 từ có nghĩa trở lên) (mặc định 0,380).`,
          `  Từ ${i.positives} câu hỏi luyện tập tạo từ chính nội dung và ${i.negatives} câu hỏi ngoài phạm vi, trong ${dec(i.ms / 1000, 1)} giây.`,
          `  Ước tính: ${pct(i.estNoAnswerRecall)} câu hỏi ngoài phạm vi được trả lời "chưa có câu trả lời"; độ chính xác của các câu trả lời ${pct(i.estPrecision)}; ${pct(i.estRecall)} câu hỏi luyện tập (khó hơn câu hỏi thật: chúng phải được tìm thấy từ phần trả lời) được trả lời đúng.`,
        ]
      : [`Chưa hiệu chỉnh được: dùng ngưỡng mặc định ${dec(m.threshold)}.`];
  for (const w of i.warnings) lines.push(`Cảnh báo: ${w}`);
  return lines;
}

/** Dependencies of {@link run} (tests). */
export interface IndexCliDeps {
  config?: Config;
  out?: (s: string) => void;
  err?: (s: string) => void;
}

export async function run(args: string[], deps: IndexCliDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => console.log(s));
  const err = deps.err ?? ((s: string) => console.error(s));
  let values: { content?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: { content: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    err(`loa index: ${argsErrorText(e)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const config = deps.config ?? loadConfig();
  // Another folder is only checked: the served content's snapshot stays as it is.
  if (!values.content && loadContent(config.contentDir).errors.length === 0) rmSync(join(config.dataDir, SNAPSHOT_FILE), { force: true });
  const k = values.content ? createKnowledge({ contentDir: values.content }) : createKnowledge({ contentDir: config.contentDir, dataDir: config.dataDir });
  const where = values.content ? ` (${values.content}; chỉ kiểm tra, không ghi vào LOA_DATA_DIR)` : '';
  if (k.errors.length) {
    err(formatContentErrors(k.errors));
    err(`${k.errors.length} lỗi${where}; các tệp trên chưa được lập chỉ mục. Sửa các trường được nêu rồi chạy lại \`loa index\`.`);
    return 1;
  }
  out(`Đã lập chỉ mục: ${k.state.qa.length} hỏi đáp, ${k.state.articles.length} bài viết${where}.`);
  for (const line of describeCalibration(k.decisionModel)) out(line);
  return 0;
}
