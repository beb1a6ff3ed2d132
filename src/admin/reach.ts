/**
 * Where citizens find the bot, for the office to print and post: each channel's public address
 * (the web chat page, `https://t.me/<bot>`, the OA's `https://zalo.me/<oa id>`), the deep links
 * that open a contest, the subscription or a report directly, and their QR codes as SVG.
 *
 * The plan asks offices to reach people, and they do it with posters at the commune's one-stop
 * office, a post on the portal, a slide at a conference. Before this page the contest page said
 * "replace <tên bot> with your bot's name" and left the QR code to a website of the staff's
 * choosing; the bot's name is known once Telegram answered `getMe`.
 */
import qrcode from 'qrcode-generator';
import { escapeHtml } from '../text/html.js';
import type { ChannelName } from '../messages.js';
import type { Channel } from '../channels/channel.js';
import { deepLinkCommand } from '../conversation/conversation.js';

/** One address a citizen can open or scan, or why there is none yet. */
export interface ReachLink {
  /** What the QR route is asked for: `web`, `telegram`, `zalo`, with `:<start payload>` for a deep link. */
  target: string;
  channel: 'web' | 'telegram' | 'zalo';
  /** The channel's name as citizens know it. */
  label: string;
  url?: string;
  /** Why there is no address (the channel is off, or has not connected yet). */
  missing?: string;
  /** What a citizen does with it, one sentence. */
  how: string;
}

/** The deep links a poster may carry: the whole bot, or one action of it. */
export type ReachPurpose = { kind: 'chung' } | { kind: 'dangky' } | { kind: 'baocao' } | { kind: 'thi'; contestId: string; contestTitle: string };

/** What {@link reachLinks} needs of the running service. */
export interface ReachSources {
  /** The public address of the service (LOA_PUBLIC_URL), without a trailing slash. */
  publicUrl?: string;
  /** The address the staff member's browser used, when LOA_PUBLIC_URL is not set. */
  requestOrigin: string;
  channels: ReadonlyMap<ChannelName, Pick<Channel, 'publicLink'>>;
  /** Channels configured (credentials present), whether or not connected. */
  configured: { telegram: boolean; zalo: boolean };
  /**
   * A commune account's region: the web chat's address routes the visitors who scan it to that
   * commune's staff (`/?region=`, channels/web/web.ts), as the commune portal's tag does.
   */
  webRegion?: string;
}

/** The Telegram start payload and the typed command of a purpose. */
function payloadOf(p: ReachPurpose): { start?: string; command?: string } {
  switch (p.kind) {
    case 'chung':
      return {};
    case 'dangky':
      return { start: 'dangky', command: '/dangky' };
    case 'baocao':
      return { start: 'baocao', command: '/baocao' };
    case 'thi':
      return { start: `thi_${p.contestId}`, command: `/thi ${p.contestId}` };
  }
}

/** Who can open an address: anyone, this machine only, or the office's own network only. */
export type AddressReach = 'public' | 'this-machine' | 'local-network';

/** The four bytes of a dotted IPv4 address, or undefined. */
function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  const b = m?.slice(1).map(Number);
  return b && b.every((x) => x <= 255) ? b : undefined;
}

/**
 * Whether citizens can open an address. The web chat's address is the one the staff member's
 * browser used when LOA_PUBLIC_URL is unset, and offices often open the admin by the server's
 * address in the office network (http://192.168.1.20:3000, http://may-chu-loa:3000): a poster
 * of that QR code opens nothing on a citizen's phone on 4G. Private and link-local ranges,
 * carrier-grade NAT, names of one label and the suffixes of local networks count as the
 * office's network.
 */
export function addressReach(url: string): AddressReach {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return 'this-machine';
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '::' || host === '0.0.0.0' || /^127\./.test(host)) return 'this-machine';
  const v4 = ipv4(host) ?? (/^::ffff:/.test(host) ? ipv4(host.slice(7)) : undefined);
  if (v4) {
    const [a, b] = v4 as [number, number];
    if (a === 127 || a === 0) return 'this-machine';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) return 'local-network';
    return 'public';
  }
  if (host.includes(':')) return /^f[cd]|^fe[89ab]/.test(host) ? 'local-network' : 'public';
  if (!host.includes('.') || /\.(local|lan|internal|intranet|home\.arpa|localdomain)$/.test(host)) return 'local-network';
  return 'public';
}

/** True when an address points at this machine only: a QR code of it works for nobody else. */
export function isLocalAddress(url: string): boolean {
  return addressReach(url) === 'this-machine';
}

/**
 * What to tell staff before they print a QR code of the web chat at `origin`, in Vietnamese
 * (undefined when citizens can open it).
 */
export function originWarning(origin: string): string | undefined {
  const reach = addressReach(origin);
  if (reach === 'public') return undefined;
  const where =
    reach === 'this-machine'
      ? 'chỉ mở được trên chính máy chủ này: mã QR của nó không dùng được cho người dân'
      : 'chỉ mở được trong mạng nội bộ của cơ quan: điện thoại của người dân (4G, wifi nhà) không mở được, mã QR của nó không dùng được để dán cho người dân';
  return `Địa chỉ trang web hiện là ${origin}, ${where}. Hãy đặt LOA_PUBLIC_URL là địa chỉ công khai của Loa (ví dụ https://loa.tinh.gov.vn) trong tệp cấu hình rồi khởi động lại Loa trước khi in (hướng dẫn: docs/deploy.md).`;
}

/**
 * The addresses of each channel for a purpose, in the order a poster shows them (Zalo first:
 * most Vietnamese citizens have it).
 */
export function reachLinks(src: ReachSources, purpose: ReachPurpose): ReachLink[] {
  const { start, command } = payloadOf(purpose);
  // A payload Telegram would refuse (64 characters, A-Z a-z 0-9 _ -) is never printed.
  const startOk = start === undefined || deepLinkCommand(start) !== null;
  const out: ReachLink[] = [];
  const suffix = start ? `:${start}` : '';

  if (src.configured.zalo) {
    const base = src.channels.get('zalo')?.publicLink?.();
    out.push({
      target: `zalo${suffix}`,
      channel: 'zalo',
      label: 'Zalo',
      ...(base ? { url: base } : { missing: 'Chưa biết mã OA: Loa chưa kết nối được với Zalo OA (xem trạng thái ở trang Tổng quan), hoặc đặt ZALO_OA_ID.' }),
      // The OA's page carries no payload: the command is typed after following.
      how: command ? `Quét mã bằng Zalo, bấm "Quan tâm", rồi gõ ${command}.` : 'Quét mã bằng Zalo, bấm "Quan tâm", rồi gõ câu hỏi.',
    });
  }
  if (src.configured.telegram) {
    const base = src.channels.get('telegram')?.publicLink?.();
    out.push({
      target: `telegram${suffix}`,
      channel: 'telegram',
      label: 'Telegram',
      ...(base && startOk
        ? { url: start ? `${base}?start=${start}` : base }
        : { missing: base ? 'Mã cuộc thi quá dài hoặc có ký tự Telegram không nhận cho đường link.' : 'Chưa biết tên bot: Loa chưa kết nối được với Telegram (xem trạng thái ở trang Tổng quan).' }),
      how: start ? 'Quét mã bằng điện thoại, mở bằng Telegram và bấm "Bắt đầu".' : 'Quét mã bằng điện thoại, mở bằng Telegram, bấm "Bắt đầu" rồi gõ câu hỏi.',
    });
  }
  // The web chat cannot write first, so it takes no subscription (/dangky is refused there).
  if (purpose.kind === 'dangky') return out;
  const origin = (src.publicUrl ?? src.requestOrigin).replace(/\/+$/, '');
  out.push({
    target: `web${suffix}`,
    channel: 'web',
    label: 'Trang web',
    url: webUrl(origin, start && startOk ? start : undefined, src.webRegion),
    how: 'Quét mã bằng camera điện thoại để mở trang hỏi đáp, không cần cài ứng dụng.',
  });
  return out;
}

/** The web chat page's address, opening on `start` and routed to `region` when given. */
function webUrl(origin: string, start: string | undefined, region: string | undefined): string {
  const q = [...(start ? [`start=${start}`] : []), ...(region ? [`region=${encodeURIComponent(region)}`] : [])];
  return `${origin}/${q.length ? `?${q.join('&')}` : ''}`;
}

/** Parses a QR route's target (`telegram:thi_abc`) into its channel and start payload. */
export function parseTarget(target: string): { channel: 'web' | 'telegram' | 'zalo'; start?: string } | null {
  const m = target.match(/^(web|telegram|zalo)(?::([A-Za-z0-9_-]{1,64}))?$/);
  if (!m) return null;
  return { channel: m[1] as 'web' | 'telegram' | 'zalo', ...(m[2] ? { start: m[2] } : {}) };
}

/** The purpose of a start payload, checked against the contests that exist. */
export function purposeOf(start: string | undefined, contests: (id: string) => { id: string; title: string } | undefined): ReachPurpose | null {
  if (!start) return { kind: 'chung' };
  if (start === 'dangky') return { kind: 'dangky' };
  if (start === 'baocao') return { kind: 'baocao' };
  const m = start.match(/^thi_(.+)$/);
  const c = m ? contests(m[1]!) : undefined;
  return c ? { kind: 'thi', contestId: c.id, contestTitle: c.title } : null;
}

/** The QR matrix of a text (error correction M: a poster that is scuffed or photographed at an angle still scans). */
export function qrMatrix(text: string): boolean[][] {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
}

/**
 * The QR code of `text` as a standalone SVG (one path, a 4-module quiet zone as the standard
 * asks), scalable to any print size, titled with the address for screen readers.
 */
export function qrSvg(text: string, title: string = text): string {
  const m = qrMatrix(text);
  const n = m.length;
  const quiet = 4;
  const size = n + quiet * 2;
  let d = '';
  for (let r = 0; r < n; r++) {
    let c = 0;
    while (c < n) {
      if (!m[r]![c]) {
        c++;
        continue;
      }
      const from = c;
      while (c < n && m[r]![c]) c++;
      d += `M${from + quiet} ${r + quiet}h${c - from}v1h-${c - from}z`;
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title><rect width="${size}" height="${size}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`
  );
}
