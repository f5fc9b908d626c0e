import type { StaffUser } from '../accounts/service.js';
import type { StaffRole } from '../db/schema.js';
import { forbidden } from '../web/errors.js';

// Who may do what in the console: one table for every screen. Leads are worked by sales;
// marketing and privacy staff reach personal data through their own screens and purposes.
const grants = {
  // The console's front door: every staff member may sign in and be shown where to go.
  'console.enter': ['admin', 'sales', 'marketing', 'privacy'],
  'leads.read': ['admin', 'sales'],
  'leads.update_status': ['admin', 'sales'],
  // A file that leaves the console is a disclosure: recorded, and only by an administrator.
  'leads.export': ['admin'],
  // Registering a service provider changes the public policy and who may receive data: admin only.
  'processors.manage': ['admin'],
  // The ledger says who received whose data: read by those who answer for privacy.
  'disclosures.read': ['admin', 'privacy'],
  // Evidence that lets a third party receive intake data (legal process, protection, a buyer's
  // undertaking) is recorded by those who answer for privacy, and audited.
  'disclosure_evidence.manage': ['admin', 'privacy'],
  // The audit log and incidents name staff and record ids: accountability work, not sales work.
  'audit.read': ['admin', 'privacy'],
  'incidents.manage': ['admin', 'privacy'],
  // Retention and legal holds are privacy-officer work: what is deleted, and what must not be.
  'retention.read': ['admin', 'privacy'],
  'retention.run': ['admin', 'privacy'],
  'legal_holds.manage': ['admin', 'privacy'],
  // Privacy requests: the queue names who asked for what; answering them is the officer's duty.
  'privacy_requests.read': ['admin', 'privacy'],
  'privacy_requests.act': ['admin', 'privacy'],
  // Cookie consent rates are counts, no one's data, kept as proof: read by those who answer for privacy.
  'consent.read': ['admin', 'privacy'],
  // A tag sends visitors' data to another company and changes the public policy: admin only.
  'tags.manage': ['admin'],
  // Website analytics are aggregates (no one visitor can be picked out): marketing's own work,
  // and sales may see how prospects find the site.
  'analytics.read': ['admin', 'marketing', 'sales'],
  // Messages that fail to send and the daily backups: the operator's work, no one's data.
  'operations.read': ['admin'],
  // Staff accounts are the doors to everyone's data: who holds one, with which role, is the
  // administrator's decision alone (invite, role, disable, reset links).
  'users.manage': ['admin'],
} as const satisfies Record<string, readonly StaffRole[]>;
export type Permission = keyof typeof grants;

/** The table itself, read-only: which roles hold each permission. */
export const permissionTable: Readonly<Record<Permission, readonly StaffRole[]>> = grants;

export function can(staff: StaffUser | null | undefined, permission: Permission): boolean {
  return !!staff && (grants[permission] as readonly StaffRole[]).includes(staff.role);
}

export function demand(staff: StaffUser, permission: Permission): void {
  if (!can(staff, permission))
    throw forbidden('Your role does not give access to this part of the console.');
}

/** The console's screens in menu order; each role sees those its permissions open. */
export const consoleSections: readonly { href: string; label: string; needs: Permission }[] = [
  { href: '/console/leads', label: 'Leads', needs: 'leads.read' },
  { href: '/console/analytics', label: 'Analytics', needs: 'analytics.read' },
  { href: '/console/privacy', label: 'Privacy requests', needs: 'privacy_requests.read' },
  { href: '/console/disclosures', label: 'Disclosures', needs: 'disclosures.read' },
  {
    href: '/console/disclosures/evidence',
    label: 'Disclosure evidence',
    needs: 'disclosure_evidence.manage',
  },
  { href: '/console/retention', label: 'Retention', needs: 'retention.read' },
  { href: '/console/incidents', label: 'Incidents', needs: 'incidents.manage' },
  { href: '/console/audit', label: 'Audit log', needs: 'audit.read' },
  { href: '/console/consent', label: 'Cookie consent', needs: 'consent.read' },
  { href: '/console/settings/processors', label: 'Service providers', needs: 'processors.manage' },
  { href: '/console/settings/tags', label: 'Tags', needs: 'tags.manage' },
  { href: '/console/operations', label: 'Operations', needs: 'operations.read' },
  { href: '/console/users', label: 'Staff', needs: 'users.manage' },
];

/** Where a staff member lands after signing in: the console's home, which says what needs doing. */
export function landingPath(_staff: StaffUser): string {
  return '/console';
}
