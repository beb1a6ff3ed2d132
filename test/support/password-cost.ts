/**
 * Every test file hashes passwords at a low scrypt cost (N = 2^10 instead of 2^15): each app
 * start creates the first admin, and the admin tests add and log in dozens of accounts, so at
 * the production cost scrypt alone took about 100 ms of CPU per hash and ~30 s per run. The cost
 * is stored in each hash and verification reads it from there, so what the tests check (hash,
 * verify, refuse) is unchanged. `test/admin/users.test.ts` checks the production cost itself.
 */
import { SCRYPT_PARAMS } from '../../src/db/users.js';

// Read before the first change, also where test files share a process (and run this again).
const key = Symbol.for('loa.test.productionScryptParams');
const store = globalThis as { [key]?: typeof SCRYPT_PARAMS };
const production = (store[key] ??= { ...SCRYPT_PARAMS });

/** The low cost every test file starts with. */
export function useTestPasswordCost(): void {
  Object.assign(SCRYPT_PARAMS, production, { N: 2 ** 10 });
}

/** Puts the production scrypt cost back, for a test of the hashing itself. */
export function useProductionPasswordCost(): void {
  Object.assign(SCRYPT_PARAMS, production);
}

useTestPasswordCost();
