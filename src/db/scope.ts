/**
 * A staff member's region scope in SQL. Region-scoped staff (a commune office's account) see
 * figures, boards and log entries about their own region subtree only; the scope is the list of
 * region slugs they may see (`AdminContext.scopeRegions`), or null for province-wide staff.
 *
 * Citizens are placed by the region they chose (`people.region`); a person with no region, or
 * whose row was erased, belongs to no region and is counted only for province-wide staff.
 */

/** A region scope: the slugs a staff member may see, or null for every region. */
export type RegionScope = readonly string[] | null;

/**
 * A condition "the person in `column` lives in the scope", with its one argument; `'1'` (and no
 * argument) for province-wide staff. Put it in a WHERE clause and spread `args` where it sits.
 *
 * @example
 * const s = personInScope('q.person_id', scope);
 * db.prepare(`SELECT COUNT(*) FROM questions q WHERE q.created_at >= ? AND ${s.sql}`).get(from, ...s.args);
 */
export function personInScope(column: string, scope: RegionScope): { sql: string; args: string[] } {
  if (!scope) return { sql: '1', args: [] };
  return {
    sql: `${column} IN (SELECT id FROM people WHERE region IN (SELECT value FROM json_each(?)))`,
    args: [JSON.stringify(scope)],
  };
}

/**
 * A condition "the audit entry was written by staff of the scope" (their account's region is in
 * it; `cli:<user>` entries count as that user's), with its argument; `'1'` for province-wide staff.
 */
export function actorInScope(column: string, scope: RegionScope): { sql: string; args: string[] } {
  if (!scope) return { sql: '1', args: [] };
  return {
    sql: `${column} IN (SELECT username FROM users WHERE region IN (SELECT value FROM json_each(?))
                        UNION ALL SELECT 'cli:' || username FROM users WHERE region IN (SELECT value FROM json_each(?)))`,
    args: [JSON.stringify(scope), JSON.stringify(scope)],
  };
}
