#!/usr/bin/env node
// The `loa` command. It runs the TypeScript sources directly through tsx, so a checkout needs
// no build step: `npm install` then `npx loa <command>` (or `npm start`).
import { register } from 'tsx/esm/api';

register();
// `.env` (or LOA_ENV_FILE) before any command reads its configuration; the environment wins.
const { loadEnvFile } = await import('../src/env-file.ts');
try {
  loadEnvFile();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(78); // EX_CONFIG
}
const { main } = await import('../src/main.ts');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
