/** `loa start`: runs the service until SIGINT/SIGTERM, then drains and stops cleanly. */
import { loadConfig } from '../config.js';
import { createApp } from '../app.js';

export async function run(_args: string[]): Promise<number> {
  const config = loadConfig();
  const app = await createApp(config);
  const address = await app.start();
  console.log(`Loa đang chạy: web chat ${address}/ · quản trị ${address}/admin`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      app.logger.info({ signal }, 'loa: stopping');
      app
        .stop()
        .catch((err) => app.logger.error({ err }, 'loa: error while stopping'))
        .finally(() => resolve());
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
