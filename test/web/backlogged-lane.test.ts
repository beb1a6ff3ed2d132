/**
 * The lane of backlogged addresses (channels/web/limits.ts, issue 15: a flood must not slow
 * real visitors down): the messages a script got through are answered one at a time, in turn
 * by address, only when no other visitor's message is being answered (or after the longest
 * deferral), while other visitors' messages are answered at once.
 */
import { describe, expect, it } from 'vitest';
import { createBackloggedLane } from '../../src/channels/web/limits.js';

/** A call that runs until released: `log` records when each starts. */
function tasks() {
  const log: string[] = [];
  const release: Record<string, (fail?: boolean) => void> = {};
  const task = (name: string) => () => {
    log.push(name);
    return new Promise<string>((resolve, reject) => {
      release[name] = (fail) => (fail ? reject(new Error(name)) : resolve(name));
    });
  };
  return { log, release, task };
}
const turn = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the lane of backlogged addresses', () => {
  it('answers other visitors at once, and a backlogged address only when they are answered, one message at a time', async () => {
    const lane = createBackloggedLane({ maxDeferMs: 10_000 });
    const { log, release, task } = tasks();
    // 10.0.0.1 sends faster than it is answered: its third message had to wait for its turn.
    const s1 = lane.run('10.0.0.1', false, task('s1'));
    const s3 = lane.run('10.0.0.1', true, task('s3'));
    const s4 = lane.run('10.0.0.1', false, task('s4'));
    const v1 = lane.run('10.0.0.2', false, task('v1'));
    await turn();
    // s1 came before the address was backlogged; s3 and s4 wait while s1 and v1 are answered.
    expect(log).toEqual(['s1', 'v1']);
    expect(lane.state()).toEqual({ waiting: 2, running: false, prompt: 2 });
    release.s1!();
    await s1;
    await turn();
    expect(log).toEqual(['s1', 'v1']);
    release.v1!();
    await v1;
    await turn();
    await turn();
    // No other visitor's message is being answered: the lane starts, one at a time.
    expect(log).toEqual(['s1', 'v1', 's3']);
    const v2 = lane.run('10.0.0.3', false, task('v2'));
    await turn();
    expect(log).toEqual(['s1', 'v1', 's3', 'v2']);
    release.s3!(true);
    await expect(s3).rejects.toThrow('s3');
    await turn();
    await turn();
    // A failure frees the lane, but a visitor is being answered: s4 waits for v2.
    expect(log).toEqual(['s1', 'v1', 's3', 'v2']);
    release.v2!();
    await v2;
    await turn();
    await turn();
    expect(log).toEqual(['s1', 'v1', 's3', 'v2', 's4']);
    release.s4!();
    expect(await s4).toBe('s4');
    expect(lane.state()).toEqual({ waiting: 0, running: false, prompt: 0 });
  });

  it('takes backlogged addresses in turn, so one script cannot make another address wait for all of its messages', async () => {
    const lane = createBackloggedLane({ maxDeferMs: 10_000 });
    const { log, release, task } = tasks();
    const hold = lane.run('10.0.0.9', false, task('hold'));
    const runs = [
      lane.run('10.0.0.1', true, task('a1')),
      lane.run('10.0.0.1', true, task('a2')),
      lane.run('10.0.0.1', true, task('a3')),
      lane.run('10.0.0.2', true, task('b1')),
      lane.run('10.0.0.2', true, task('b2')),
    ];
    await turn();
    release.hold!();
    await hold;
    for (let i = 0; i < 5; i++) {
      for (let k = 0; k < 3; k++) await turn();
      release[log.at(-1)!]!();
    }
    await Promise.all(runs);
    expect(log).toEqual(['hold', 'a1', 'b1', 'a2', 'b2', 'a3']);
  });

  it('is never starved: under other visitors\' steady traffic a backlogged message starts after the longest deferral', async () => {
    const lane = createBackloggedLane({ maxDeferMs: 40 });
    const { log, release, task } = tasks();
    const busy = lane.run('10.0.0.9', false, task('busy'));
    const t = performance.now();
    const s = lane.run('10.0.0.1', true, task('s'));
    await sleep(15);
    expect(log).toEqual(['busy']);
    while (log.length < 2 && performance.now() - t < 2000) await sleep(5);
    expect(log).toEqual(['busy', 's']);
    expect(performance.now() - t).toBeGreaterThanOrEqual(35);
    release.s!();
    release.busy!();
    await Promise.all([s, busy]);
  });

  it('forgets a backlog after its memory: the address is answered at once again', async () => {
    let now = 1_000;
    const lane = createBackloggedLane({ maxDeferMs: 10_000, memoryMs: 5_000, now: () => now });
    const { log, release, task } = tasks();
    const v = lane.run('10.0.0.2', false, task('v'));
    const s1 = lane.run('10.0.0.1', true, task('s1'));
    await turn();
    expect(log).toEqual(['v']);
    release.v!();
    await v;
    await turn();
    await turn();
    expect(log).toEqual(['v', 's1']);
    release.s1!();
    await s1;
    // Still backlogged within its memory: behind another visitor's message.
    now = 5_900;
    const w = lane.run('10.0.0.3', false, task('w'));
    const s2 = lane.run('10.0.0.1', false, task('s2'));
    await turn();
    expect(log).toEqual(['v', 's1', 'w']);
    release.w!();
    await w;
    await turn();
    await turn();
    release.s2!();
    await s2;
    // After it: at once, beside another visitor's.
    now = 6_100;
    const x = lane.run('10.0.0.3', false, task('x'));
    const s3 = lane.run('10.0.0.1', false, task('s3'));
    await turn();
    expect(log.slice(-2)).toEqual(['x', 's3']);
    release.x!();
    release.s3!();
    await Promise.all([x, s3]);
  });
});
