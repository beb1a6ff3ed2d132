/**
 * What makes two screenshots one picture, when the platform does not say (docs/disinformation.md
 * §2): the SHA-256 of the file's bytes.
 *
 * Why: reports of one screenshot should be one case. Telegram gives every copy of a file the same
 * `file_unique_id` (the channel puts it in `MediaRef.key`). Zalo's image event gives only URLs
 * (`attachments[].payload.url` and `thumbnail`; no file id, size or hash: see PLATFORMS.md and
 * channels/zalo/webhook.ts), and one picture sent by two people can reach us under two URLs, so
 * grouping by URL split it into as many cases. The file itself is the one thing the two copies
 * share: it is fetched once (the channel's `fetchMedia`, the same bounded fetch the case page's
 * "Xem ảnh" uses), hashed, and dropped; nothing of the picture is kept but the digest.
 *
 * What it does not do: a picture the platform re-encoded (resized, recompressed) has other bytes
 * and another digest; two screenshots of one post taken by two people are two files. Staff merge
 * those by hand. When the file cannot be fetched in time, the report is grouped by its URL, as
 * before.
 */
import { createHash } from 'node:crypto';
import type { ChannelName } from '../messages.js';

/** Fetches a picture's bytes from its channel (`Channel.fetchMedia`), or null when it cannot. */
export type FetchPicture = (channel: ChannelName, ref: string, maxBytes: number) => Promise<{ bytes: ArrayBuffer | Uint8Array } | null | undefined>;

/** Options of {@link createPictureKeys}. */
export interface PictureKeysOptions {
  fetch: FetchPicture;
  /** Largest file hashed (default 10 MB, as the case page views). */
  maxBytes?: number;
  /** Longest a report waits for the digest before it is grouped by URL instead (default 5 s). */
  waitMs?: number;
  /** Pictures remembered (default 500): a report's picture is asked for at its first step and again at its last. */
  remember?: number;
}

/** Content keys of pictures sent for reports. */
export interface PictureKeys {
  /**
   * The picture's key (`sha256:<hex>`), or null when it could not be fetched within the wait. The
   * first call starts the fetch; later calls for the same picture share it.
   */
  keyOf(channel: ChannelName, ref: string): Promise<string | null>;
}

/**
 * @example
 * const pictures = createPictureKeys({ fetch: (ch, ref, max) => channels.get(ch)?.fetchMedia?.(ref, max) ?? Promise.resolve(null) });
 * await pictures.keyOf('zalo', 'https://photo-stal.zadn.vn/a.jpg') // 'sha256:9f86…' or null
 */
export function createPictureKeys(opts: PictureKeysOptions): PictureKeys {
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const waitMs = opts.waitMs ?? 5000;
  const remember = opts.remember ?? 500;
  const known = new Map<string, Promise<string | null>>();
  const digest = async (channel: ChannelName, ref: string): Promise<string | null> => {
    try {
      const file = await opts.fetch(channel, ref, maxBytes);
      if (!file) return null;
      return `sha256:${createHash('sha256').update(file.bytes instanceof Uint8Array ? file.bytes : new Uint8Array(file.bytes)).digest('hex')}`;
    } catch {
      return null;
    }
  };
  return {
    keyOf(channel, ref) {
      const id = `${channel}\u0000${ref}`;
      let p = known.get(id);
      if (!p) {
        p = digest(channel, ref);
        known.set(id, p);
        // A failed fetch is tried again next time (the platform may have been slow).
        void p.then((k) => k === null && known.get(id) === p && known.delete(id));
        if (known.size > remember) known.delete(known.keys().next().value!);
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), waitMs)));
      return Promise.race([p, late]).finally(() => clearTimeout(timer));
    },
  };
}
