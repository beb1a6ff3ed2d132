/**
 * The consent text a person agrees to when subscribing (/dangky), versioned.
 *
 * Law 91/2025/QH15 asks the office to prove what a person agreed to, and the wording will change
 * (a new purpose, a new channel). So each wording keeps its version id forever, every consent
 * record stores the version it was given under (`people.consent_version`), and "what do you
 * hold about me" (/dulieucuatoi) shows that version's text, not today's.
 *
 * To change the wording, append a new version (never edit a published one) and point
 * {@link CURRENT_CONSENT} at it; people who consented before keep their version until they
 * subscribe again.
 */

/** One published wording of the consent. */
export interface ConsentText {
  /** Stored with each consent record; never reused. */
  version: string;
  /** The day it took effect (YYYY-MM-DD, Vietnam time). */
  since: string;
  /** What the person agrees to, in Vietnamese (NFC). */
  text: string;
  /** The same wording in English, shown to people answered in English (the version is the same). */
  textEn?: string;
}

/** Every wording ever shown, oldest first. Append only. */
export const CONSENT_TEXTS: readonly ConsentText[] = [
  {
    version: '1',
    since: '2026-01-01',
    text:
      'Khi đăng ký nhận tin, bạn đồng ý để cơ quan vận hành trợ lý này lưu và xử lý: mã tài khoản của bạn trên kênh bạn đang dùng, ' +
      'tên hiển thị, các chủ đề và địa bàn bạn chọn, thời điểm đăng ký. Mục đích duy nhất là gửi tới bạn tin thông báo theo các chủ đề ' +
      'và địa bàn đó. Dữ liệu không được chuyển cho bên thứ ba. Bạn có thể thôi nhận tin bất cứ lúc nào bằng lệnh /huy, xem dữ liệu ' +
      'đang được lưu về mình bằng lệnh /dulieucuatoi và yêu cầu xoá bằng lệnh /xoadulieu (Luật Bảo vệ dữ liệu cá nhân, số 91/2025/QH15).',
    textEn:
      'By subscribing to news, you agree that the office running this assistant stores and processes: your account id on the channel you use, ' +
      'your display name, the topics and area you choose, and the time you subscribed. The only purpose is to send you announcements on those ' +
      'topics and that area. The data is not passed to third parties. You can unsubscribe at any time with /huy, see the data held about you ' +
      'with /dulieucuatoi and ask for it to be deleted with /xoadulieu (Law on Personal Data Protection, No. 91/2025/QH15).',
  },
];

/** The wording shown to people subscribing now. */
export const CURRENT_CONSENT: ConsentText = CONSENT_TEXTS[CONSENT_TEXTS.length - 1]!;

/** The wording of a stored version, or undefined (no version: consent before versioning, or imported). */
export function consentText(version: string | null | undefined): ConsentText | undefined {
  return version ? CONSENT_TEXTS.find((c) => c.version === version) : undefined;
}
