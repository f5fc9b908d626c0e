import { randomBytes } from 'node:crypto';
import type { DemoStep } from '../adapters/demo-data.js';
import { DomainError } from '../web/errors.js';
import type { AccountService } from './service.js';

/**
 * The staff the demo's console actions are made by: a sales and a privacy account with random
 * passwords nobody knows (the operator signs in with their own, `starspmb user create`).
 */
export function demoStaff(accounts: AccountService): DemoStep {
  return {
    name: 'staff',
    units: 2,
    async run(ctx, tick) {
      for (const role of ['sales', 'privacy'] as const) {
        // A database seeded before (--force) has these addresses already: the next free one.
        for (let n = 1; !ctx.staff[role]; n++) {
          const email = `demo-${role}${n > 1 ? `-${n}` : ''}@example.com`;
          try {
            const user = await accounts.createStaffUser(
              { email, password: randomBytes(24).toString('base64url'), role },
              { kind: 'system', name: 'demo seed' },
            );
            ctx.staff[role] = { ...user, role };
          } catch (err) {
            if (!(err instanceof DomainError && err.status === 409)) throw err;
          }
        }
        tick();
      }
      return '2 staff accounts (demo-sales@, demo-privacy@example.com; no known password)';
    },
  };
}
