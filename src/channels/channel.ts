/**
 * The adapter interface each platform implements (`channels/<platform>/`). The message model it
 * speaks (Inbound, Reply, SendResult, Capabilities) lives in ../messages.ts, shared with the
 * core and the store; it is re-exported here for the channel folders.
 */
import type { ConnectionEvents } from './connection.js';
import type { Capabilities, ChannelName, Reply, SendOptions, SendResult } from '../messages.js';

export * from '../messages.js';

/** A platform adapter. One instance per configured channel. */
export interface Channel {
  readonly name: ChannelName;
  /** What it renders and what the platform allows (push, groups, a contact window): ../messages.ts. */
  readonly capabilities: Capabilities;
  /**
   * Sends one reply to one recipient (the channel's external user/chat id). Never throws for
   * platform errors: they come back as a {@link SendResult}.
   */
  send(recipient: string, reply: Reply, options?: SendOptions): Promise<SendResult>;
  /**
   * Resolves once a send made now leaves for the platform at once (Telegram: its sender
   * threads have loaded). A paced sender waits for it before taking throttle slots: a slot
   * granted while sends cannot leave is spent on a send that later leaves in a burst with the
   * others, which is what trips a platform's per-second limit. Absent: always ready.
   */
  warm?(): Promise<void>;
  /**
   * Connects to the platform: checks the credentials, registers the webhook or starts the poll
   * loop. Resolves once connected; throws a `ConnectError` (channels/connection.ts) saying
   * whether retrying can help. The app calls it in the background, again after each failure
   * (with backoff), so it must be safe to call more than once. Later changes (a poll loop that
   * failed or recovered) are reported through `events`.
   */
  start?(events?: ConnectionEvents): Promise<void>;
  /** Stops loops and drains in-flight work. */
  stop?(): Promise<void>;
  /**
   * Fetches an image a person sent, by the reference its Inbound carried (`media.ref`), for
   * staff to look at (a reported screenshot): never stored, at most `maxBytes`. Resolves null
   * when the platform no longer has it, it is larger, or it is not an image. Absent on channels
   * that receive no media.
   */
  fetchMedia?(ref: string, maxBytes: number): Promise<FetchedMedia | null>;
  /**
   * The address where a citizen finds this channel (a poster's QR code, a post on the portal):
   * Telegram's `https://t.me/<bot>`, the OA's `https://zalo.me/<oa id>`. Undefined until the
   * platform has said who the bot is (before `start` succeeded). Absent: the channel has none.
   */
  publicLink?(): string | undefined;
}

/** An image fetched from a platform for staff to view. */
export interface FetchedMedia {
  contentType: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';
  bytes: Uint8Array;
}

/**
 * Fetches `url` with a size cap and a time limit, and returns it when its bytes are a JPEG,
 * PNG, WebP or GIF image (by their signature: platforms' file servers often say
 * `application/octet-stream`). Null otherwise. Shared by the channels' `fetchMedia`.
 */
export async function fetchImage(url: string, maxBytes: number, timeoutMs = 10_000): Promise<FetchedMedia | null> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch {
    return null;
  }
  if (!res.ok || !res.body) return null;
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    await res.body.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
  } catch {
    return null;
  }
  const bytes = Buffer.concat(chunks);
  const contentType = imageType(bytes);
  return contentType ? { contentType, bytes } : null;
}

function imageType(b: Uint8Array): FetchedMedia['contentType'] | null {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'image/gif';
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'image/webp';
  return null;
}

