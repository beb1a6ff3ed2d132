/**
 * The audit log as staff read it: Vietnamese names for the action ids, target types and detail
 * fields that the code records (`db/audit.ts`).
 *
 * The log keeps the stable ids (`campaign.approve`, `{ from: 'submitted', to: 'approved' }`),
 * because scripts and the page's filter ("đầu mã": `campaign.`) use them; this module is the one
 * place that turns them into words. An id without a label is still shown, under the label of
 * its area, so a new action is never a blank cell; add its label here when you add the action.
 */
import { formatVietnamTime } from '../time/vietnam.js';
import { ROLE_LABELS, type Role } from '../db/users.js';

/** Vietnamese labels of audit action ids. */
export const AUDIT_ACTION_LABEL: Readonly<Record<string, string>> = {
  'login.ok': 'Đăng nhập',
  'login.invalid': 'Đăng nhập sai mật khẩu hoặc tên',
  'login.disabled': 'Đăng nhập bằng tài khoản đã khoá',
  'login.throttled': 'Đăng nhập bị chặn tạm (thử sai quá nhiều lần)',
  'login.expired': 'Đăng nhập bằng mật khẩu dùng một lần đã hết hạn',
  logout: 'Đăng xuất',
  'user.add': 'Tạo tài khoản',
  'user.first-admin': 'Tạo tài khoản quản trị đầu tiên',
  'user.passwd': 'Đổi mật khẩu',
  'user.passwd.wrong': 'Đổi mật khẩu: nhập sai mật khẩu hiện tại',
  'user.passwd.ended': 'Đóng phiên đăng nhập vì nhập sai mật khẩu hiện tại nhiều lần',
  'user.role': 'Đổi vai trò',
  'user.disable': 'Khoá tài khoản',
  'user.enable': 'Mở khoá tài khoản',
  'user.sessions_end': 'Đăng xuất mọi phiên của tài khoản',
  'content.save': 'Lưu bản nháp',
  'content.revise': 'Sửa mục đã duyệt (chờ duyệt lại)',
  'content.revise_file': 'Sửa trực tiếp tệp nội dung (chờ phê duyệt)',
  'content.approve': 'Phê duyệt nội dung',
  'content.approve_many': 'Duyệt nhiều bản nháp cùng lúc',
  'content.reject': 'Từ chối bản sửa',
  'content.retire': 'Gỡ nội dung',
  'content.import': 'Nhập nhiều câu hỏi – đáp (bản nháp)',
  'question.attach': 'Gắn câu hỏi vào câu trả lời',
  'question.detach': 'Gỡ câu hỏi gắn nhầm khỏi câu trả lời',
  'question.dismiss': 'Bỏ qua câu hỏi chưa trả lời',
  'question.notify': 'Báo cho người đã hỏi',
  'question.notify.unknown': 'Tin báo người hỏi gửi dở khi máy chủ dừng',
  'campaign.create': 'Tạo chiến dịch',
  'campaign.submit': 'Gửi chiến dịch chờ duyệt',
  'campaign.edit': 'Sửa chiến dịch',
  'campaign.reject': 'Trả lại chiến dịch cho người soạn',
  'campaign.approve': 'Phê duyệt chiến dịch',
  'campaign.schedule': 'Lên lịch chiến dịch',
  'campaign.start': 'Bắt đầu gửi chiến dịch',
  'campaign.pause': 'Tạm dừng chiến dịch',
  'campaign.resume': 'Tiếp tục chiến dịch',
  'campaign.cancel': 'Huỷ chiến dịch',
  'campaign.done': 'Chiến dịch gửi xong',
  'campaign.unknown': 'Tin chiến dịch gửi dở khi máy chủ dừng',
  'campaign.resend_unknown': 'Gửi lại tin chiến dịch chưa rõ kết quả',
  'campaign.retry_failed': 'Gửi lại tin chiến dịch bị lỗi',
  'campaign.export': 'Xuất danh sách gửi của chiến dịch',
  'contest.open': 'Mở cuộc thi',
  'contest.close': 'Đóng cuộc thi',
  'contest.export': 'Xuất kết quả cuộc thi',
  'report.export': 'Xuất báo cáo năm',
  'report.file': 'Chốt số liệu báo cáo năm',
  'subscribers.import': 'Nhập người đăng ký từ tệp',
  'subscribers.sync_zalo': 'Đồng bộ người theo dõi Zalo OA',
  'subscribers.move_region': 'Chuyển người đăng ký sang địa bàn mới (xã/phường sáp nhập)',
  'privacy.export': 'Người dân tải dữ liệu của mình',
  'privacy.erase_request': 'Người dân yêu cầu xoá dữ liệu',
  'privacy.erase': 'Xoá dữ liệu của người dân',
  'send.unknown': 'Tin trả lời gửi dở khi máy chủ dừng',
  'send.channel_off': 'Tin chờ gửi qua kênh đã tắt: quá hạn, không gửi',
  'cli.password_wrong': 'Nhập sai mật khẩu ở dòng lệnh',
  'disinfo.status': 'Đổi trạng thái tin giả',
  'disinfo.correction': 'Gửi cải chính tin giả',
  'disinfo.merge': 'Gộp vụ việc tin giả vào vụ việc cùng tin',
  'disinfo.split': 'Tách vụ việc tin giả đã gộp nhầm',
  'training.import': 'Nhập danh sách cán bộ tập huấn',
  'training.invite': 'Mời cán bộ tập huấn',
  'training.remind': 'Nhắc cán bộ chưa tập huấn',
  'training.remove': 'Đưa cán bộ ra khỏi danh sách tập huấn',
  'training.in_person': 'Ghi nhận cán bộ đã tập huấn trực tiếp',
};

/** Labels of the areas (the id's first part), used when an action has no label of its own. */
const AREA_LABEL: Readonly<Record<string, string>> = {
  login: 'Đăng nhập',
  user: 'Tài khoản',
  content: 'Nội dung',
  question: 'Câu hỏi',
  campaign: 'Chiến dịch',
  contest: 'Cuộc thi',
  report: 'Báo cáo',
  subscribers: 'Người đăng ký',
  privacy: 'Dữ liệu cá nhân',
  send: 'Gửi tin',
  cli: 'Dòng lệnh',
  disinfo: 'Tin giả',
  training: 'Tập huấn cán bộ',
};

/** Vietnamese labels of audit target types. */
export const AUDIT_TARGET_LABEL: Readonly<Record<string, string>> = {
  qa: 'Hỏi đáp',
  article: 'Bài viết',
  campaign: 'Chiến dịch',
  user: 'Tài khoản',
  contest: 'Cuộc thi',
  unanswered: 'Câu hỏi chưa trả lời',
  report: 'Báo cáo năm',
  disinfo_case: 'Vụ tin giả',
  training: 'Khoá tập huấn',
  training_official: 'Cán bộ tập huấn',
  person: 'Người dân',
};

/** Labels of the detail fields the code records. */
const DETAIL_LABEL: Readonly<Record<string, string>> = {
  into: 'Gộp vào vụ việc',
  reports: 'Số người báo tin',
  from: 'Từ',
  to: 'Sang',
  channels: 'Kênh',
  topics: 'Chủ đề',
  regions: 'Địa bàn',
  region: 'Địa bàn',
  roles: 'Vai trò',
  file: 'Tệp',
  revision: 'Bản sửa số',
  reviewer: 'Người duyệt',
  rows: 'Số dòng',
  imported: 'Đã nhập',
  keptOptedOut: 'Giữ nguyên (đã huỷ đăng ký)',
  followers: 'Người theo dõi',
  targeted: 'Số người nhận',
  unknown: 'Không rõ kết quả',
  requeued: 'Xếp gửi lại',
  count: 'Số câu hỏi',
  ids: 'Mã các mục',
  created: 'Tạo mới',
  fromQuestions: 'Từ câu hỏi',
  opens: 'Mở lúc',
  closes: 'Đóng lúc',
  out: 'Nơi lưu',
  format: 'Định dạng tệp',
  period: 'Kỳ báo cáo',
  filing: 'Bản chốt số',
  command: 'Lệnh',
  osUser: 'Người dùng máy',
  channel: 'Kênh',
  reason: 'Lý do',
  changed: 'Đã sửa',
  sent: 'Đã gửi',
  outsideWindow: 'Ngoài 7 ngày (Zalo)',
  failed: 'Lỗi',
  optedOut: 'Huỷ đăng ký trước khi gửi',
  cancelled: 'Không gửi (đã huỷ)',
  optedOutSince: 'Huỷ đăng ký từ khi bắt đầu gửi',
  retrying: 'Chờ thử lại',
  sending: 'Đang gửi',
  failedByReason: 'Lỗi theo lý do',
  approvalCleared: 'Phải duyệt lại',
  previousApprover: 'Người đã duyệt trước',
  audience: 'Số người nhận',
  note: 'Ghi chú',
  sendAt: 'Gửi lúc',
  pending: 'Chờ gửi',
  held: 'Giữ chờ người hỏi quay lại',
  unreachable: 'Không gửi được',
  gone: 'Đã chặn bot',
  skipped: 'Bỏ qua',
  refusedUnaudited: 'Số lần bị chặn trước đó chưa ghi nhật ký',
  left: 'Số lần nhập sai còn lại trước khi phiên bị đóng',
  many: 'Duyệt nhiều bản nháp cùng lúc',
  approved: 'Đã phê duyệt',
  reset: 'Đặt lại mật khẩu',
  oneTimeBy: 'Mật khẩu dùng một lần do ai đặt',
  sessions: 'Số phiên đã đăng xuất',
};

/** Campaign statuses as staff read them, for `from` and `to`. */
const STATUS_WORD: Readonly<Record<string, string>> = {
  draft: 'bản nháp',
  submitted: 'chờ phê duyệt',
  approved: 'đã duyệt',
  scheduled: 'đã lên lịch',
  sending: 'đang gửi',
  paused: 'tạm dừng',
  done: 'đã gửi xong',
  cancelled: 'đã huỷ',
};

/**
 * The Vietnamese name of an audit action id; an unknown id is shown under its area's label.
 *
 * @example auditActionLabel('campaign.approve') // 'Phê duyệt chiến dịch'
 * @example auditActionLabel('campaign.frobnicate') // 'Chiến dịch (campaign.frobnicate)'
 */
export function auditActionLabel(action: string): string {
  const known = AUDIT_ACTION_LABEL[action];
  if (known) return known;
  const area = AREA_LABEL[action.split('.')[0] ?? ''];
  return area ? `${area} (${action})` : action;
}

/** The Vietnamese name of an audit target type (the id itself when it has none). */
export function auditTargetLabel(targetType: string | null | undefined): string {
  return targetType ? (AUDIT_TARGET_LABEL[targetType] ?? targetType) : '';
}

function detailValue(key: string, v: unknown): string {
  if ((key === 'from' || key === 'to') && typeof v === 'string') return STATUS_WORD[v] ?? v;
  // A campaign's send time is stored as ISO (UTC); staff read it in Vietnam time.
  if (key === 'sendAt' && typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return `${formatVietnamTime(v)} (giờ Việt Nam)`;
  if (typeof v === 'boolean') return v ? 'có' : 'không';
  // A role is shown by its Vietnamese name ("Biên tập"), as on the accounts page.
  if (key === 'role' && typeof v === 'string') return ROLE_LABELS[v as Role] ?? v;
  if (Array.isArray(v)) return v.length ? v.map((x) => detailValue(key === 'roles' ? 'role' : '', x)).join(', ') : '(không có)';
  if (v === null || v === undefined || v === '') return '(không có)';
  // An entry left out, with why (bulk approval's `skipped`): not JSON with English keys.
  if (typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' && typeof (v as { why?: unknown }).why === 'string') return `“${(v as { id: string }).id}” (${(v as { why: string }).why})`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * An audit entry's details as lines staff can read: the entry's own sentence (`text`, already
 * Vietnamese) first, then each field with its Vietnamese label. Fields without a label keep
 * their key, so nothing recorded is hidden.
 *
 * @example auditDetailLines({ from: 'submitted', to: 'approved' }) // ['Từ: chờ phê duyệt', 'Sang: đã duyệt']
 */
export function auditDetailLines(details: Record<string, unknown> | null | undefined): string[] {
  if (!details) return [];
  const lines: string[] = [];
  if (typeof details.text === 'string' && details.text) lines.push(details.text);
  for (const [k, v] of Object.entries(details)) {
    if (k === 'text') continue;
    lines.push(`${DETAIL_LABEL[k] ?? k}: ${detailValue(k, v)}`);
  }
  return lines;
}
