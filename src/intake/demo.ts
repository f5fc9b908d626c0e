import { daysAgo, fakePerson, type DemoStep } from '../adapters/demo-data.js';
import { intakeBody } from './fields.js';
import type { IntakeService } from './service.js';

const campaigns = [
  { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'demo-winter-billing' },
  { utm_source: 'linkedin', utm_medium: 'social', utm_campaign: 'demo-credentialing' },
  { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'demo-denials' },
];

/**
 * Demo leads, sent through the intake service as the form sends them (validated by the form's
 * schema, sealed by the kernel, with their consent records): every type of user, marketing and
 * SMS consent given or not (a number only with SMS consent, as the form allows), spread over
 * the past year with more of them lately.
 */
export function demoLeads(intake: IntakeService, count: number): DemoStep {
  return {
    name: 'leads',
    units: count,
    async run(ctx, tick) {
      const { random, clock } = ctx;
      const plans = Array.from({ length: count }, (_, n) => ({
        n,
        at: daysAgo(random, ctx.now, Math.floor(364 * random.next() ** 1.6)),
        type: random.weighted({ provider: 55, patient: 25, partner: 20 }),
        marketing: random.chance(0.55),
        sms: random.chance(0.35),
        campaign: random.chance(0.25) ? random.pick(campaigns) : {},
        person: fakePerson(random, n),
      })).sort((a, b) => a.at.getTime() - b.at.getTime());
      for (const p of plans) {
        // The form is shown a few minutes before it is sent, as a person fills it in.
        clock.set(new Date(p.at.getTime() - 4 * 60_000));
        const formToken = intake.issueToken();
        clock.set(p.at);
        const { phone, ...person } = p.person;
        const input = intakeBody.parse({
          ...person,
          userType: p.type,
          practiceSize: random.pick(['1', '2-5', '6-20', '21-50']),
          ...(p.sms ? { phone, consentSms: 'on' } : {}),
          ...(p.marketing ? { consentMarketing: 'on' } : {}),
          ...p.campaign,
          formToken,
        });
        const result = await intake.submit(input);
        if (result.kind !== 'accepted') throw new Error(`demo lead ${p.n} was not accepted`);
        ctx.leads.push({
          id: result.leadId,
          email: person.email,
          phone: p.sms ? phone : undefined,
          at: p.at,
          marketing: p.marketing,
          sms: p.sms,
        });
        tick();
      }
      return `${count} leads`;
    },
  };
}
