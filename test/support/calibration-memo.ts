/**
 * The answer decision's fit (src/knowledge/calibrate.ts), remembered per test process.
 *
 * Every content save in the admin pages reloads the index, and a reload refits the decision:
 * about 1 s of CPU here, most of a reload. The fit is deterministic (its samples come from a
 * PRNG seeded by entry ids), and test apps ask for the same fits again and again: a saved draft
 * or a refused approval leaves the served entries unchanged, the English entries never change
 * when a Vietnamese one does, and many tests approve the same entries of the shipped content.
 * In four-eyes.test.ts, 5 of 20 fits were distinct.
 *
 * The key is everything the fit reads: the documents, synonyms, search options, negatives,
 * calibration options and language (the index it is given is built from the same documents,
 * synonyms and options). Each caller gets its own copy of the model.
 */
import { createHash } from 'node:crypto';
import { calibrate } from '../../src/knowledge/calibrate.js';
import type { DecisionModel } from '../../src/knowledge/decision.js';

const fits = new Map<string, DecisionModel>();

/** `calibrate`, remembering its result for inputs it has seen (test apps, see startTestApp). */
export const rememberedCalibrate: typeof calibrate = (index, docs, synonyms, searchOptions, negatives, opts, lang) => {
  const key = createHash('sha256').update(JSON.stringify([docs, synonyms, searchOptions, negatives, opts ?? null, lang ?? 'vi'])).digest('hex');
  let model = fits.get(key);
  if (!model) {
    model = calibrate(index, docs, synonyms, searchOptions, negatives, opts, lang);
    fits.set(key, model);
  }
  return structuredClone(model);
};
