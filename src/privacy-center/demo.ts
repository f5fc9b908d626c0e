import type { DemoStep } from '../adapters/demo-data.js';
import { createFormTokens } from '../web/form-token.js';
import { saveChoices, type ChoicesDeps } from './choices.js';
import type { RequestQueue } from './console-service.js';
import { choicesBody, requestBody } from './fields.js';
import type { PrivacyCenter } from './service.js';
import { tokenFor } from './tokens.js';

const DAY = 86_400_000;

/**
 * Consents withdrawn through the Privacy Center's choices form, as a person does it: some demo
 * leads stop marketing email, some stop texts (each kept as a withdrawal and a suppression).
 */
export function demoOptOuts(deps: ChoicesDeps): DemoStep {
  return {
    name: 'opt-outs',
    units: 1,
    async run(ctx, tick) {
      let n = 0;
      // One in seven marketing consents and one in five SMS consents withdrawn, the first soon.
      let [m, t] = [0, 0];
      for (const lead of ctx.leads) {
        const marketing = lead.marketing && m++ % 7 === 0;
        const sms = lead.sms && t++ % 5 === 0;
        if (!marketing && !sms) continue;
        ctx.clock.set(laterThan(ctx, lead.at));
        const input = choicesBody.parse({
          ...(marketing ? { email: lead.email, marketing: 'on' } : {}),
          ...(sms ? { phone: lead.phone, sms: 'on' } : {}),
        });
        await saveChoices(deps, input, {}, false);
        n++;
      }
      tick();
      return `${n} opt-outs`;
    },
  };
}

/**
 * Privacy requests in each state, through the Privacy Center and the staff queue: some never
 * confirmed, access requests answered with a report, corrections and deletions open, extended,
 * denied or carried out. Confirming plays the person clicking the link the mail would carry.
 */
export function demoRequests(
  deps: { center: PrivacyCenter; queue: RequestQueue; secret: string; db: ChoicesDeps['db'] },
  count: number,
): DemoStep {
  const forms = createFormTokens(deps.secret);
  return {
    name: 'privacy requests',
    units: count,
    async run(ctx, tick) {
      const staff = ctx.staff.privacy;
      if (!staff) throw new Error('the demo requests need the demo privacy account');
      const states: Record<string, number> = {};
      // Recent ones, so deadlines on the console are still running; oldest first.
      const times = Array.from(
        { length: count },
        () => ctx.now.getTime() - ctx.random.int(1, 60) * DAY - ctx.random.int(0, 8) * 3_600_000,
      ).sort((a, b) => a - b);
      const done = new Set<string>();
      for (const at of times) {
        const lead = ctx.random.pick(ctx.leads);
        const kind = ctx.random.weighted({ access: 45, correction: 30, deletion: 25 });
        // A lead is deleted only once; another request about it asks for access.
        const safeKind = kind === 'deletion' && done.has(lead.id) ? 'access' : kind;
        ctx.clock.set(new Date(at));
        await deps.center.submitRequest(
          requestBody.parse({
            kind: safeKind,
            email: lead.email,
            ...(safeKind === 'correction'
              ? { correctionField: 'city', correctionValue: 'Springfield' }
              : {}),
            formToken: forms.issue(ctx.clock.now()),
          }),
        );
        const state = await settle(deps, ctx, staff, safeKind, at);
        if (state === 'deleted') done.add(lead.id);
        states[state] = (states[state] ?? 0) + 1;
        tick();
      }
      const summary = Object.entries(states).map(([s, n]) => `${n} ${s}`);
      return `${count} privacy requests (${summary.join(', ')})`;
    },
  };
}

/** Takes one just-submitted request to a state: left unconfirmed, or confirmed and handled. */
async function settle(
  deps: { center: PrivacyCenter; queue: RequestQueue; secret: string; db: ChoicesDeps['db'] },
  ctx: Parameters<DemoStep['run']>[0],
  staff: NonNullable<Parameters<DemoStep['run']>[0]['staff']['privacy']>,
  kind: 'access' | 'correction' | 'deletion',
  at: number,
): Promise<string> {
  const { random, clock } = ctx;
  if (random.chance(0.15)) return 'unconfirmed';
  const link = await deps.db
    .selectFrom('privacy_request_tokens')
    .select(['request_id', 'nonce'])
    .where('created_at', '=', new Date(at).toISOString())
    .where('purpose', '=', 'verify')
    .executeTakeFirstOrThrow();
  clock.set(new Date(at + random.int(5, 120) * 60_000));
  await deps.center.confirm(tokenFor(deps.secret, link.nonce), { gpc: false, overrode: 'none' });
  if (kind === 'access') return 'answered with a report';
  const id = link.request_id;
  clock.set(laterThan(ctx, clock.now(), 10));
  switch (random.weighted({ open: 40, extended: 15, denied: 15, done: 30 })) {
    case 'open':
      return 'open';
    case 'extended':
      await deps.queue.extend(staff, id, 'We need more time to find every record (demo).');
      return 'extended';
    case 'denied':
      await deps.queue.deny(staff, id, 'We could not match this request to a record (demo).');
      return 'denied';
    case 'done':
      if (kind === 'deletion') await deps.queue.completeDeletion(staff, id);
      else await deps.queue.applyCorrection(staff, id);
      return kind === 'deletion' ? 'deleted' : 'corrected';
  }
  return 'open';
}

/** A moment a few days after `t`, never later than just before now. */
function laterThan(ctx: Parameters<DemoStep['run']>[0], t: Date, maxDays = 30): Date {
  const later = t.getTime() + ctx.random.int(1, maxDays) * DAY;
  return new Date(Math.min(later, ctx.now.getTime() - 60_000));
}
