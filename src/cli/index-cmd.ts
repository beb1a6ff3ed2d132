/** `loa index`: validates the content (every error with file and field) and rebuilds the snapshot. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { createKnowledge, SNAPSHOT_FILE } from '../knowledge/knowledge.js';
import { formatContentErrors } from '../knowledge/content.js';
import type { DecisionModel } from '../knowledge/decision.js';

const pct = (x: number): string => `${Math.round(x * 100)}%`;
/** A decimal the Vietnamese way (comma). */
const dec = (x: number, digits = 3): string => x.toFixed(digits).replace('.', ',');

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

export async function run(_args: string[]): Promise<number> {
  const config = loadConfig();
  rmSync(join(config.dataDir, SNAPSHOT_FILE), { force: true });
  const k = createKnowledge({ contentDir: config.contentDir, dataDir: config.dataDir });
  if (k.errors.length) {
    console.error(formatContentErrors(k.errors));
    console.error(`${k.errors.length} lỗi; các tệp trên chưa được lập chỉ mục. Sửa các trường được nêu rồi chạy lại \`loa index\`.`);
    return 1;
  }
  console.log(`Đã lập chỉ mục: ${k.state.qa.length} hỏi đáp, ${k.state.articles.length} bài viết.`);
  for (const line of describeCalibration(k.decisionModel)) console.log(line);
  return 0;
}
