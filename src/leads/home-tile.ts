import type { HomeTile } from '../console/home.js';
import type { Db } from '../db/database.js';
import { countLeads } from './repository.js';

/** Sales' first question: who wrote in and has not heard from us yet. */
export function newLeadsTile(db: Db): HomeTile {
  return {
    needs: 'leads.read',
    load: async () => {
      const count = await countLeads(db, { status: 'new' });
      return {
        label: count === 1 ? 'New lead not yet contacted' : 'New leads not yet contacted',
        count,
        href: '/console/leads?status=new',
        urgency: count > 0 ? 'due' : 'calm',
      };
    },
  };
}
