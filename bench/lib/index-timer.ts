/**
 * Times the knowledge index in a fresh process (so the figure includes nothing left warm by
 * another run): `node bin/run-ts.js bench/lib/index-timer.ts <contentDir> <dataDir>`.
 * With an empty data dir it builds the index and writes the snapshot (the build time); run
 * again on the same data dir, it loads the snapshot (the start-up time). Prints one JSON line:
 * { ms, fromSnapshot, rssMB, snapshotMB, calibrationMs } (calibrationMs: the fit of the answer decision,
 * calibrate.ts, part of the build; from a snapshot it is the figure stored with it).
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKnowledge, SNAPSHOT_FILE } from '../../src/knowledge/knowledge.js';

const [contentDir, dataDir] = process.argv.slice(2);
if (!contentDir || !dataDir) throw new Error('index-timer: usage: index-timer.ts <contentDir> <dataDir>');
const t = process.hrtime.bigint();
const k = createKnowledge({ contentDir, dataDir });
const ms = Number(process.hrtime.bigint() - t) / 1e6;
const snap = join(dataDir, SNAPSHOT_FILE);
writeFileSync(
  1,
  JSON.stringify({
    ms,
    fromSnapshot: k.state.fromSnapshot,
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    snapshotMB: existsSync(snap) ? Math.round(statSync(snap).size / 2 ** 20) : undefined,
    calibrationMs: k.decisionModel.info.ms,
    calibrationSource: k.decisionModel.info.source,
  }) + '\n',
);
