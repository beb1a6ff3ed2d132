/**
 * The admin's view of the content files. The knowledge index serves approved entries (and a
 * broken file's last good version, see knowledge.ts); staff must still see their new draft and
 * every file's errors, so the pages read the files themselves (cached until a write or a
 * reload).
 */
import { loadContent, type Content } from '../knowledge/content.js';
import type { Knowledge } from '../knowledge/knowledge.js';

/** Cached content for the admin pages. */
export interface ContentView {
  get(): Content;
  /** Forget the cache (after a write). */
  invalidate(): void;
}

/** Creates the cached view of `contentDir`. */
export function createContentView(contentDir: string, knowledge: Knowledge): ContentView {
  let cached: Content | undefined;
  let seenLoad: Date | undefined;
  return {
    get() {
      if (!cached || seenLoad !== knowledge.state.loadedAt) {
        cached = loadContent(contentDir);
        seenLoad = knowledge.state.loadedAt;
      }
      return cached;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
