/**
 * What each role may do in the admin pages. Every route names one permission and the server
 * checks it on every request (pages and actions alike); the navigation only mirrors this table.
 */
import { ROLES, hasAnyRole, type Role, type User } from '../db/users.js';

const ANY: readonly Role[] = ROLES;

/** Permission -> the roles that grant it (admin implies all, see `hasRole`). */
export const PERMISSIONS = {
  'dashboard.view': ANY,
  'questions.view': ['editor', 'approver', 'viewer'],
  'questions.answer': ['editor'],
  'content.view': ANY,
  'content.edit': ['editor'],
  'content.approve': ['approver'],
  'campaigns.view': ['broadcaster', 'approver', 'viewer'],
  'campaigns.compose': ['broadcaster'],
  'campaigns.approve': ['approver'],
  'contests.view': ['quiz_organizer', 'viewer'],
  'contests.manage': ['quiz_organizer'],
  'contests.export': ['quiz_organizer'],
  'disinfo.view': ['editor', 'approver', 'viewer'],
  'disinfo.triage': ['editor', 'approver'],
  'training.view': ['quiz_organizer', 'broadcaster', 'editor', 'approver', 'viewer'],
  'training.manage': ['quiz_organizer', 'broadcaster'],
  'report.view': ANY,
  // Filing a report ("chốt số liệu") is the office's act of sending it: the approver's (leadership).
  'report.file': ['approver'],
  'audit.view': ['approver'],
  'users.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

/** A permission name. */
export type Permission = keyof typeof PERMISSIONS;

/** True when the user may do this. Disabled users may do nothing. */
export function can(user: Pick<User, 'roles' | 'disabledAt'>, permission: Permission): boolean {
  return hasAnyRole(user, PERMISSIONS[permission]);
}
