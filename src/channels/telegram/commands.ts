/**
 * The commands shown in Telegram's menu, registered with `setMyCommands` on start. The
 * conversation core handles them; this list only describes them to Telegram users (Vietnamese).
 */

/** One menu command. */
export interface MenuCommand {
  command: string;
  description: string;
}

/** The commands of the private chat menu. */
export const PRIVATE_COMMANDS: readonly MenuCommand[] = [
  { command: 'start', description: 'Bắt đầu trò chuyện với trợ lý' },
  { command: 'hoi', description: 'Đặt câu hỏi, ví dụ: /hoi thủ tục đăng ký khai sinh' },
  { command: 'chude', description: 'Xem câu hỏi theo chủ đề' },
  { command: 'dangky', description: 'Đăng ký nhận tin theo chủ đề và địa bàn' },
  { command: 'huy', description: 'Thôi nhận tin' },
  { command: 'thi', description: 'Tham gia cuộc thi tìm hiểu' },
  { command: 'baocao', description: 'Báo tin giả/xấu độc bạn thấy trên mạng' },
  { command: 'dulieucuatoi', description: 'Xem dữ liệu cá nhân đang được lưu về bạn' },
  { command: 'xoadulieu', description: 'Xoá dữ liệu cá nhân của bạn' },
  { command: 'help', description: 'Hướng dẫn sử dụng' },
  { command: 'en', description: 'English' },
];

/**
 * The same menu for Telegram apps set to English (registered with `language_code: 'en'`); the
 * commands are the same, and English questions are answered in English (docs/search.md).
 */
export const PRIVATE_COMMANDS_EN: readonly MenuCommand[] = [
  { command: 'start', description: 'Start talking to the assistant' },
  { command: 'hoi', description: 'Ask a question, e.g. /hoi how do I register a foreign NGO' },
  { command: 'chude', description: 'Browse questions by topic' },
  { command: 'dangky', description: 'Subscribe to news by topic and area' },
  { command: 'huy', description: 'Unsubscribe' },
  { command: 'thi', description: 'Take part in a contest' },
  { command: 'baocao', description: 'Report false or harmful information you saw online' },
  { command: 'dulieucuatoi', description: 'See the personal data held about you' },
  { command: 'xoadulieu', description: 'Delete your personal data' },
  { command: 'help', description: 'Help' },
  { command: 'vi', description: 'Tiếng Việt' },
];

/** In groups the bot answers only /hoi (and mentions), so that is all the group menu shows. */
export const GROUP_COMMANDS: readonly MenuCommand[] = [
  { command: 'hoi', description: 'Hỏi trợ lý, ví dụ: /hoi thủ tục đăng ký khai sinh' },
];

/** The group menu for Telegram apps set to English. */
export const GROUP_COMMANDS_EN: readonly MenuCommand[] = [{ command: 'hoi', description: 'Ask the assistant, e.g. /hoi how do I register a foreign NGO' }];
