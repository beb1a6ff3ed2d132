/** User-facing Vietnamese texts of contests and live quizzes, in one place (NFC). */
import { viDuration } from './scoring.js';
import { viTime } from './definition.js';

export const Q = {
  /** How long an attempt took: `2 phút 13 giây`. */
  duration: (ms: number) => viDuration(ms),
  /** When a contest opens or closes: `17:00 30/11/2026`. */
  time: (d: Date) => viTime(d),
  noneOpen: 'Hiện chưa có cuộc thi nào đang mở. Bạn hãy quay lại sau nhé!',
  listTitle: 'Các cuộc thi đang mở. Chọn một cuộc thi để tham gia:',
  upcomingTitle: 'Sắp mở (gõ /thi lại khi đến giờ):',
  upcomingItem: (title: string, organiser: string, opens: string) => `• ${title} (${organiser}), mở lúc ${opens}`,
  listItem: (title: string, organiser: string, closes: string, done?: number) =>
    `• ${title} (${organiser}), hạn chót ${closes}${done === undefined ? '' : `. Bạn đã thi: ${done} điểm`}`,
  pastResultsTitle: 'Các cuộc thi bạn đã tham gia (đã kết thúc):',
  pastResult: (title: string, closes: string, score: number, rank: number, of: number) =>
    `• ${title} (kết thúc ${closes}): ${score} điểm, hạng ${rank}/${of} theo bảng xếp hạng lúc kết thúc.`,
  pastUnranked: (title: string, closes: string) => `• ${title} (hạn chót ${closes}): bài làm dở, không được xếp hạng.`,
  openResultsTitle: 'Các cuộc thi bạn đã làm bài (đang mở):',
  openResult: (title: string, score: number, rank: number, of: number, closes: string) =>
    `• ${title}: ${score} điểm, xếp hạng tạm thời ${rank}/${of} (hạn chót ${closes}).`,
  resultsNote: 'Kết quả chính thức và giải thưởng do Ban tổ chức công bố. Gõ /thi để xem các cuộc thi đang mở.',
  privateOnly: 'Để dự thi, bạn hãy nhắn riêng cho bot và gõ /thi.',
  unknownContest: 'Không tìm thấy cuộc thi này. Gõ /thi để xem các cuộc thi đang mở.',
  notOpenYet: (opens: string) => `Cuộc thi chưa mở. Cuộc thi bắt đầu lúc ${opens}.`,
  closed: (closes: string) =>
    `Rất tiếc, cuộc thi đã kết thúc lúc ${closes} nên câu trả lời này không được ghi nhận. Cảm ơn bạn đã quan tâm!`,
  alreadyDone: (score: number, total: number, closes: string) =>
    `Bạn đã hết lượt dự thi cuộc thi này (mỗi người được ${total} lượt). Điểm của bạn: ${score}. Kết quả chính thức sẽ được công bố sau khi cuộc thi kết thúc (${closes}). Gõ /thi để xem các cuộc thi khác.`,
  intro: (title: string, organiser: string, n: number, secs: number, closes: string) =>
    `${title}\nĐơn vị tổ chức: ${organiser}\n\nBài thi gồm ${n} câu hỏi, mỗi câu có khoảng ${secs} giây để trả lời. Thời gian do máy chủ tính; trả lời quá giờ được tính là sai. Hạn chót: ${closes}.`,
  consentAsk: (consent: string) => `Trước khi đăng ký, bạn hãy đọc và xác nhận:\n${consent}`,
  consentYes: 'Tôi đồng ý',
  consentNo: 'Không đồng ý',
  consentDeclined: 'Bạn chưa đồng ý nên chưa thể đăng ký dự thi. Bạn có thể gõ /thi để bắt đầu lại bất cứ lúc nào.',
  askName: 'Bạn hãy gõ họ và tên đầy đủ (có dấu), ví dụ: Nguyễn Thị Lan.',
  badName: 'Họ và tên cần từ 2 đến 80 ký tự chữ. Bạn hãy gõ lại họ và tên đầy đủ.',
  nameNoMarks: (name: string) =>
    `Bạn gõ tên không dấu: “${name}”. Tên này sẽ được ghi trong kết quả và giấy khen. Nếu tên bạn có dấu, hãy gõ lại có dấu (ví dụ Nguyễn Văn An); nếu đúng là như vậy, chọn “Giữ tên này”.`,
  keepName: 'Giữ tên này',
  askUnit: 'Bạn thuộc đơn vị nào (chi đoàn, trường, cơ quan hoặc xã/phường)?',
  badUnit: 'Tên đơn vị cần từ 2 đến 120 ký tự. Bạn hãy gõ lại.',
  askPhone: (required: boolean) =>
    required
      ? 'Bạn hãy gõ số điện thoại để Ban tổ chức liên hệ khi trao giải (ví dụ 0912345678).'
      : 'Bạn hãy gõ số điện thoại để Ban tổ chức liên hệ khi trao giải (ví dụ 0912345678), hoặc chọn “Bỏ qua”.',
  skipPhone: 'Bỏ qua',
  badPhone: 'Số điện thoại chưa đúng. Bạn hãy gõ 10 chữ số, ví dụ 0912345678.',
  phoneUsed: (attempts: number) =>
    `Số điện thoại này đã được dùng để dự thi cuộc thi này (mỗi số điện thoại được ${attempts} lượt, kể cả khi thi qua kênh khác). Nếu bạn gõ nhầm, hãy gõ lại số đúng.`,
  cancel: 'Huỷ đăng ký',
  cancelled: 'Đã huỷ đăng ký. Gõ /thi khi bạn muốn dự thi.',
  ready: (name: string, unit: string | null, n: number) =>
    `Cảm ơn ${name}${unit ? ` (${unit})` : ''}! Bạn đã đăng ký xong.\nKhi bạn chọn “Bắt đầu”, ${n} câu hỏi sẽ lần lượt hiện ra và đồng hồ bắt đầu tính giờ.`,
  closingSoon: (closes: string, leftMin: number, needMin: number) =>
    `⚠️ Cuộc thi kết thúc lúc ${closes}, chỉ còn khoảng ${leftMin} phút, mà bài có thể mất đến ${needMin} phút. Câu nào chưa xong trước giờ đó sẽ không được tính và bài làm dở không được xếp hạng.`,
  start: 'Bắt đầu làm bài',
  questionTitle: (i: number, n: number) => `Câu ${i}/${n}`,
  timeLeft: (s: number) => `⏱ Thời gian: ${s} giây.`,
  answerHint: (n: number) => `Chọn đáp án (bấm nút, hoặc gõ số từ 1 đến ${n}).`,
  right: (points: number) => `✅ Chính xác! +${points} điểm.`,
  wrong: (shown: number, text: string) => `❌ Chưa đúng. Đáp án đúng là ${shown}. ${text}`,
  late: (shown: number, text: string) => `⏰ Hết giờ! Câu trả lời không được tính. Đáp án đúng là ${shown}. ${text}`,
  timedOut: (i: number, shown: number, text: string) => `⏰ Câu ${i} đã hết giờ. Đáp án đúng là ${shown}. ${text}`,
  explain: (e: string) => `💡 ${e}`,
  stale: 'Câu hỏi này đã qua. Bạn hãy trả lời câu hiện tại nhé.',
  duplicate: 'Câu trả lời của bạn cho câu này đã được ghi nhận.',
  expired: (i: number) => `⏰ Câu ${i} đã hết giờ trước khi bạn trả lời nên câu trả lời này không được tính.`,
  stopAsk: (title: string, answered: number, score: number, n: number, left: number, attemptsLeft: number, attempts: number, closes: string, ranked: boolean) =>
    `Bạn muốn dừng bài thi “${title}”?\n` +
    `• Nếu dừng, bài được nộp ngay: ${answered} câu đã trả lời được giữ (${score} điểm), các câu còn lại tính 0 điểm${ranked ? ', và bài vẫn được xếp hạng' : ''}.\n` +
    (!ranked
      ? ''
      : attemptsLeft > 0
      ? `• Sau đó bạn còn ${attemptsLeft} lượt thi nữa, đến hạn chót ${closes}.\n`
      : `• Mỗi người chỉ được thi ${attempts} lần nên bạn sẽ không thi lại được, kể cả trước hạn chót.\n`) +
    `• Bài thi không tạm dừng được: câu ${n} vẫn đang tính giờ (còn khoảng ${left} giây); câu nào hết giờ mà chưa trả lời được 0 điểm.\n` +
    `Muốn dừng, bấm hoặc gõ “Dừng và nộp bài”. Muốn thi tiếp, cứ trả lời câu ${n} bên dưới.`,
  stopButton: 'Dừng và nộp bài',
  submittedEarly: (score: number, right: number, n: number, time: string) =>
    `📝 Bạn đã dừng và nộp bài.\nĐiểm: ${score} (${right}/${n} câu đúng; câu chưa trả lời được 0 điểm và tính đủ thời gian của câu), thời gian làm bài: ${time}.`,
  notAnAnswer: (n: number) => `Tin nhắn này chưa phải là đáp án. Bạn hãy chọn một phương án (hoặc gõ số từ 1 đến ${n}); muốn dừng bài thi, gõ “dừng thi”.`,
  finished: (score: number, right: number, n: number, time: string) =>
    `🎉 Bạn đã hoàn thành bài thi!\nĐiểm: ${score} (${right}/${n} câu đúng), thời gian làm bài: ${time}.`,
  rank: (rank: number, of: number) => `Xếp hạng tạm thời: ${rank}/${of}.`,
  predictAsk: (q: string) => `Câu hỏi phụ (dùng để xếp hạng khi bằng điểm): ${q}\nBạn hãy gõ một con số.`,
  badPrediction: 'Bạn hãy gõ một con số (ví dụ 1250) cho câu hỏi dự đoán, hoặc gõ “bỏ qua” nếu không muốn dự đoán.',
  predictionSkipped: 'Đã bỏ qua câu dự đoán. Bài của bạn vẫn được xếp hạng (khi bằng điểm, người có dự đoán xếp trước).',
  predicted: (p: number) => `Đã ghi nhận dự đoán của bạn: ${p}.`,
  finalNote: (closes: string) => `Kết quả chính thức sẽ được công bố sau khi cuộc thi kết thúc (${closes}). Cảm ơn bạn đã tham gia!`,
  waitingInput: 'Bạn đang đăng ký dự thi.',
  resume: 'Bạn đang làm dở bài thi, tiếp tục nhé:',
  goneCancelled: 'Lượt đăng ký này đã huỷ nên nút này không còn dùng được.',
  goneDone: (score: number, closes: string) =>
    `Bạn đã làm xong bài thi này (${score} điểm) nên nút này không còn dùng được. Kết quả chính thức sẽ được công bố sau khi cuộc thi kết thúc (${closes}).`,
  goneTest: 'Bài kiểm tra này đã làm xong nên nút này không còn dùng được. Gõ /taphuan để xem kết quả tập huấn.',
  goneClosed: 'Bài thi này đã dừng và không được xếp hạng nên nút này không còn dùng được.',
  registerAgain: 'Đăng ký dự thi',
  otherContests: 'Gõ /thi để xem các cuộc thi đang mở.',
  resumeOther: (current: string, wanted: string) =>
    `Bạn đang làm dở bài thi “${current}”. Mỗi lúc chỉ làm được một bài: hãy làm xong bài này, rồi gõ /thi để chọn “${wanted}”. Tiếp tục nhé:`,
  endedUnfinished: (title: string, closes: string) =>
    `Cuộc thi “${title}” đã kết thúc lúc ${closes}; bài bạn làm dở không được xếp hạng.`,
  phoneInProgress: 'Số điện thoại này đang dùng cho một bài thi đang làm dở của cuộc thi này (có thể trên kênh khác). Bạn hãy làm tiếp bài đó ở nơi đã bắt đầu: câu chưa trả lời sẽ được tính là hết giờ. Nếu bạn gõ nhầm, hãy gõ lại số đúng.',
  help: '• /thi – tham gia cuộc thi tìm hiểu (làm bài trong tin nhắn riêng).',

  // Live group quiz
  liveNotGroup: 'Lệnh /quizgroup chỉ dùng trong nhóm.',
  liveNotOrganiser: 'Chỉ người tổ chức đã được cấu hình mới có thể bắt đầu hoặc dừng thi nhanh trong nhóm.',
  liveUsage: (ids: string) => `Cách dùng: /quizgroup <mã cuộc thi>. Các mã hiện có: ${ids}.`,
  liveNoTelegram: 'Thi nhanh trong nhóm hiện chỉ chạy trên Telegram.',
  liveRunning: 'Nhóm này đang có một lượt thi nhanh. Gõ /quizstop để dừng trước khi bắt đầu lượt mới.',
  liveStart: (title: string, n: number, secs: number) =>
    `🎯 Thi nhanh: ${title}\n${n} câu hỏi, mỗi câu ${secs} giây. Trả lời đúng và nhanh để được nhiều điểm. Câu đầu tiên sắp bắt đầu!`,
  liveNone: 'Nhóm này không có lượt thi nhanh nào đang chạy.',
  liveAnswer: (i: number, shown: number, text: string, right: number, answered: number) =>
    `Câu ${i}: đáp án đúng là ${shown}. ${text}\n${right}/${answered} người trả lời đúng.`,
  liveBoard: (title: string) => title,
  liveBoardAfter: (i: number, n: number) => `🏆 Bảng xếp hạng sau câu ${i}/${n}:`,
  liveBoardFinal: '🏁 Kết quả chung cuộc:',
  liveStopped: '⏹ Lượt thi nhanh đã dừng.',
  liveNobody: 'Chưa có ai trả lời.',
  liveEntry: (rank: number, name: string, score: number, correct: number) => `${rank}. ${name}: ${score} điểm (${correct} câu đúng)`,
  anonymous: 'Thành viên',
};
