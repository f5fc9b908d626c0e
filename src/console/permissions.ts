import type { StaffUser } from '../accounts/service.js';
import type { StaffRole } from '../db/schema.js';
import { forbidden } from '../web/errors.js';

// Who may do what in the console: one table for every screen. Leads are worked by sales;
// marketing and privacy staff reach personal data through their own screens and purposes.
const grants = {
  'leads.read': ['admin', 'sales'],
  'leads.update_status': ['admin', 'sales'],
} as const satisfies Record<string, readonly StaffRole[]>;
export type Permission = keyof typeof grants;

export function can(staff: StaffUser | null | undefined, permission: Permission): boolean {
  return !!staff && (grants[permission] as readonly StaffRole[]).includes(staff.role);
}

export function demand(staff: StaffUser, permission: Permission): void {
  if (!can(staff, permission))
    throw forbidden('Your role does not give access to this part of the console.');
}

/** Where a staff member lands after signing in. */
export function landingPath(staff: StaffUser): string {
  return can(staff, 'leads.read') ? '/console/leads' : '/console';
}
