/**
 * The stop request of `loa start` (SIGTERM from systemd or `docker stop`, SIGINT from Ctrl+C),
 * listened for from the very beginning of the command.
 *
 * `loa start` used to install its handlers only once the service listened and every channel had
 * made its first attempt. A SIGTERM before that (a `systemctl restart` or `stop` while Loa was
 * still loading its index snapshot, opening and migrating the database, or waiting for the Bot
 * API's first answer) met Node's default action: the process was killed on the spot, with
 * the server maybe already listening, campaigns sending and polled updates taken from
 * Telegram, and systemd saw a process killed by a signal instead of a clean exit. Now the
 * request is noted whenever it comes; the start checks it between its steps and stops there
 * (nothing started yet: the database is simply closed), or, once it is starting, lets the start
 * finish and then drains as on any stop.
 *
 * Only the first signal is caught: a second Ctrl+C (or SIGTERM) meets Node's default action
 * again, for someone who wants it to end now.
 */

let requested: Promise<string> | undefined;
let received: string | undefined;

/**
 * What `bin/loa.js` noted before this module was loaded: it listens from its first line (the
 * compiled copy is checked or made, and the modules load, before main.ts calls listenForStop).
 */
interface EarlyStop {
  signal: string | undefined;
  /** Removes bin/loa.js's own listeners. */
  off: () => void;
}
const EARLY_STOP = Symbol.for('loa.earlyStop');

/**
 * Starts listening for SIGINT/SIGTERM (once per process; later calls return the same promise),
 * resolved with the name of the first signal received, also one bin/loa.js noted before.
 */
export function listenForStop(): Promise<string> {
  const early = (globalThis as { [EARLY_STOP]?: EarlyStop })[EARLY_STOP];
  if (!requested && early?.signal) {
    received = early.signal;
    requested = Promise.resolve(early.signal);
  }
  requested ??= new Promise((resolve) => {
    const on = (name: string) => (): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      received = name;
      resolve(name);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    // Ours are in place: bin/loa.js's go (no moment without a listener).
    early?.off();
  });
  return requested;
}

/** The signal received so far, if any (for the checks between start-up steps). */
export function stopReceived(): string | undefined {
  return received;
}
