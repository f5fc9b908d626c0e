import type { DemoStep } from '../adapters/demo-data.js';
import type { ConsoleService } from './service.js';

/** How far along the pipeline each demo lead gets, and the path there. */
const paths = {
  new: [],
  contacted: ['contacted'],
  qualified: ['contacted', 'qualified'],
  won: ['contacted', 'qualified', 'won'],
  lost: ['contacted', 'lost'],
} as const;

/**
 * The sales pipeline for the demo leads: each moved by a demo sales account through the console
 * service (permission checked, each move recorded), a few days apart, never past today.
 */
export function demoPipeline(leads: ConsoleService): DemoStep {
  return {
    name: 'lead statuses',
    units: 1,
    async run(ctx, tick) {
      const staff = ctx.staff.sales;
      if (!staff) throw new Error('the demo pipeline needs the demo sales account');
      let moves = 0;
      for (const lead of ctx.leads) {
        const status = ctx.random.weighted({
          new: 30,
          contacted: 25,
          qualified: 15,
          won: 12,
          lost: 18,
        });
        let at = lead.at.getTime();
        for (const to of paths[status]) {
          at = Math.min(at + ctx.random.int(1, 6) * 86_400_000, ctx.now.getTime() - 60_000);
          ctx.clock.set(new Date(at));
          await leads.changeStatus(staff, lead.id, to);
          moves++;
        }
      }
      tick();
      return `${moves} status changes`;
    },
  };
}
