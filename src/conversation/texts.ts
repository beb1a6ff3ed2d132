/** User-facing Vietnamese texts of the core, in one place (NFC). */
export const T = {
  help: [
    'Bạn có thể:',
    '• Gõ câu hỏi bằng tiếng Việt, có dấu hay không dấu đều được.',
    '• /chude – xem câu hỏi theo chủ đề.',
    '• /hoi <câu hỏi> – hỏi (dùng trong nhóm).',
    '• /dangky – đăng ký nhận tin theo chủ đề và địa bàn; /huy – thôi nhận tin.',
    '• /dulieucuatoi – xem dữ liệu cá nhân chúng tôi đang lưu về bạn.',
    '• /xoadulieu – xoá dữ liệu cá nhân của bạn.',
  ].join('\n'),
  menuTitle: 'Chọn một chủ đề:',
  topicEmpty: 'Chủ đề này chưa có câu hỏi nào được duyệt.',
  topicTitle: (name: string) => `Các câu hỏi về “${name}”:`,
  noAnswer:
    'Xin lỗi, hiện chưa có câu trả lời đã được duyệt cho câu hỏi này. Câu hỏi của bạn đã được chuyển tới cán bộ phụ trách để bổ sung.',
  /** What happens next, on a channel that can write first (Telegram, Zalo): the answer notice. */
  noAnswerNotify: 'Khi có câu trả lời, tôi sẽ nhắn cho bạn tại đây.',
  /** The same asked in a Telegram group: the notice goes to the person's private chat, which they must have started. */
  noAnswerNotifyGroup: 'Khi có câu trả lời, tôi sẽ nhắn riêng cho bạn (nếu bạn chưa từng nhắn riêng cho tôi, hãy mở trò chuyện với tôi và bấm Bắt đầu).',
  /** The same on the web chat: a notice waits for the visitor's next visit (same browser). */
  noAnswerNotifyWeb: 'Khi có câu trả lời, bạn sẽ thấy ở đây khi mở lại trang này trên cùng máy.',
  /** The same question asked again while it waits in the staff queue: it is not queued twice. */
  alreadyQueued: (at: string) => `Câu hỏi này bạn đã gửi lúc ${at} và đang chờ cán bộ trả lời.`,
  noAnswerContact: (c: string) => `Nếu cần gấp, bạn có thể liên hệ: ${c}.`,
  /** No answer, and the staff queue is full for this person or network (db/questions.ts queueRoom): not passed on, said plainly. */
  noAnswerNotQueued: 'Xin lỗi, hiện chưa có câu trả lời đã được duyệt cho câu hỏi này.',
  queueFullPerson:
    'Câu hỏi này chưa được chuyển tới cán bộ: trong 24 giờ qua bạn đã gửi nhiều câu hỏi chưa có câu trả lời, và các câu đó vẫn đang chờ cán bộ xem. Bạn hãy chờ cán bộ trả lời các câu trước rồi hỏi lại.',
  /** A 👎 past the staff queue's caps: the vote is kept, the answer not sent to staff. */
  feedbackDownNotQueued: 'Cảm ơn bạn đã cho biết, ý kiến của bạn đã được ghi nhận.',
  queueFullSource:
    'Câu hỏi này chưa được chuyển tới cán bộ: trong 24 giờ qua đã có rất nhiều câu hỏi chưa có câu trả lời gửi từ mạng bạn đang dùng. Bạn hãy hỏi lại sau, hoặc liên hệ trực tiếp với cơ quan.',
  suggestionsIntro: 'Có thể bạn muốn hỏi:',
  /** A one-word message ("đất", "thuế"): a topic, not yet a question (the entries that have it follow as buttons). */
  vagueQuestion: (word: string) => `Bạn muốn hỏi điều gì về “${word}”? Hãy gõ cả câu hỏi, hoặc chọn một câu dưới đây:`,
  emptyQuestion: 'Bạn hãy gõ câu hỏi, ví dụ: “Trẻ em dưới 6 tuổi có được cấp thẻ bảo hiểm y tế không?”',
  emojiOnly: 'Cảm ơn bạn! Nếu có câu hỏi, bạn hãy gõ bằng chữ để tôi tìm câu trả lời nhé.',
  tooLong: (max: number) =>
    `Tin nhắn quá dài (quá ${max} ký tự). Bạn hãy tóm tắt câu hỏi ngắn gọn hơn để tôi tìm câu trả lời chính xác. Nếu đây là một tin bạn nghi là tin giả, tin xấu độc, hãy gõ /baocao rồi dán lại tin đó.`,
  flood: 'Bạn đang gửi tin nhắn quá nhanh. Vui lòng chờ một chút rồi gửi tiếp.',
  unknownCommand: 'Tôi chưa hiểu lệnh này. Gõ /help để xem hướng dẫn.',
  /** A bare number with no numbered choice open for it ("1" after the thanks, "99"): not a question for staff. */
  strayNumber: 'Số này không ứng với lựa chọn nào đang mở. Bạn hãy gõ câu hỏi bằng chữ, hoặc chọn một chủ đề:',
  unsupported: 'Hiện tôi chỉ đọc được tin nhắn dạng chữ. Bạn hãy gõ câu hỏi bằng chữ nhé.',
  /** A voice message with no words: why it got no answer, and that unmarked typing is fine. */
  unsupportedVoice: 'Hiện tôi chỉ đọc được tin nhắn dạng chữ, chưa nghe được tin nhắn thoại. Bạn hãy gõ câu hỏi bằng chữ nhé, có dấu hay không dấu đều được.',
  /** A message edited after it was sent (Telegram): not read again; the fix must come as a new message. */
  edited: 'Tôi không đọc lại được tin nhắn đã sửa. Nếu bạn vừa sửa câu hỏi, hãy gửi lại câu hỏi đó thành một tin nhắn mới.',
  /** A sticker (a like, a hello): thanked like an emoji, with the topic menu. */
  sticker: 'Cảm ơn bạn! Hiện tôi chỉ đọc được tin nhắn dạng chữ: nếu có câu hỏi, bạn hãy gõ bằng chữ hoặc chọn một chủ đề:',
  sources: 'Nguồn:',
  reviewed: (d: string) => `Nội dung đã được duyệt ngày ${d}.`,
  readMore: 'Xem thêm:',
  related: 'Câu hỏi liên quan:',
  notFound: 'Nội dung này không còn được cung cấp.',
  menuButton: 'Chủ đề',
  /** Under an answer picked from a topic's list: back to that list (the answer was a dead end). */
  moreInTopic: (name: string) => `Câu hỏi khác về ${name}`,
  helpButton: 'Hướng dẫn',
  askHint: 'Bạn hãy gõ câu hỏi sau lệnh, ví dụ: /hoi thủ tục đăng ký khai sinh',
  eraseConfirm:
    'Bạn muốn xoá dữ liệu cá nhân của mình (tên, tin nhắn, đăng ký nhận tin, thông tin dự thi)? Sau khi xoá, bạn sẽ không nhận tin nữa. Các số liệu thống kê không gắn với danh tính vẫn được giữ theo quy định.',
  eraseYes: 'Đồng ý xoá',
  eraseNo: 'Không xoá',
  eraseDone:
    'Dữ liệu cá nhân của bạn đã được xoá theo Luật Bảo vệ dữ liệu cá nhân (Luật số 91/2025/QH15). Bạn vẫn có thể hỏi đáp bình thường.',
  eraseCancelled: 'Đã huỷ. Dữ liệu của bạn được giữ nguyên.',
  feedbackQuestion: 'Câu trả lời này có hữu ích không?',
  feedbackUp: '👍 Hữu ích',
  feedbackDown: '👎 Chưa đúng',
  feedbackThanks: 'Cảm ơn bạn đã phản hồi! Nếu cần hỏi thêm, bạn cứ gõ câu hỏi.',
  feedbackDownThanks:
    'Cảm ơn bạn đã cho biết. Câu hỏi của bạn cùng câu trả lời vừa rồi đã được chuyển tới cán bộ phụ trách để xem lại.',
  /** Small talk replies (the topic menu follows as buttons); greetings use the bot's own greeting. */
  smallTalk: {
    thanks: 'Không có gì ạ! Nếu cần hỏi thêm, bạn cứ gõ câu hỏi hoặc chọn một chủ đề:',
    ack: 'Vâng ạ. Khi cần, bạn cứ gõ câu hỏi hoặc chọn một chủ đề:',
    bye: 'Tạm biệt bạn! Khi cần, bạn cứ nhắn cho tôi nhé. Các chủ đề bạn có thể xem:',
    ask: 'Mời bạn gõ câu hỏi, tôi sẽ tìm câu trả lời đã được duyệt. Hoặc chọn một chủ đề:',
    who: 'Tôi là trợ lý hỏi đáp tự động: tôi chỉ trả lời bằng những nội dung đã được cơ quan duyệt; câu nào chưa có câu trả lời, tôi chuyển tới cán bộ phụ trách.',
    human: (contact: string | null) =>
      contact
        ? `Tôi là trợ lý tự động. Để gặp cán bộ, bạn liên hệ: ${contact}. Bạn cũng có thể gõ câu hỏi ở đây: câu nào chưa có câu trả lời đã duyệt, tôi chuyển tới cán bộ phụ trách. Hoặc chọn một chủ đề:`
        : 'Tôi là trợ lý tự động. Bạn cứ gõ câu hỏi ở đây: câu nào chưa có câu trả lời đã duyệt, tôi chuyển tới cán bộ phụ trách để trả lời. Hoặc chọn một chủ đề:',
    sorry:
      'Xin lỗi vì tôi chưa giúp được bạn. Bạn thử gõ lại câu hỏi ngắn gọn với các từ chính (ví dụ “thẻ bảo hiểm y tế cho trẻ em”), hoặc chọn một chủ đề:',
  },
  /** Under a numbered menu: every number up to three, a range beyond ("Gõ 1, 2, … 16 hoặc 17" was long on a phone). */
  chooseNumber: (n: number) =>
    n <= 1 ? 'Gõ 1 để chọn.' : n <= 3 ? `Gõ ${Array.from({ length: n - 1 }, (_, i) => i + 1).join(', ')} hoặc ${n} để chọn.` : `Gõ một số từ 1 đến ${n} để chọn.`,
} as const;
