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


/** In groups the bot answers only /hoi (and mentions), so that is all the group menu shows. */
export const GROUP_COMMANDS: readonly MenuCommand[] = [
  { command: 'hoi', description: 'Hỏi trợ lý, ví dụ: /hoi thủ tục đăng ký khai sinh' },
];
