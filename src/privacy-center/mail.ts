import { privacyOfficers } from '../accounts/recipients.js';
import { longDate } from '../adapters/dates.js';
import type { Config } from '../config/env.js';
import type { SiteConfig } from '../config/site.js';
import type { Db } from '../db/database.js';
import type { PrivacyMailKind, PrivacyRequestChannel } from '../db/schema.js';
import type { MessageKind, OutboxMessage } from '../outbox/worker.js';
import type { Kernel } from '../privacy/kernel.js';
import { secretLink } from '../privacy/secret-paths.js';
import { findSubjectByEmail } from '../privacy/subject-data.js';
import { latestToken, requestById, type RequestRow } from './repository.js';
import { tokenFor } from './tokens.js';

export interface PrivacyMailDeps {
  db: Db;
  config: Config;
  site: SiteConfig;
  kernel: Kernel;
  secret: string;
}

/** How the request reached us, as the confirmation email says it. */
const channelWords: Record<PrivacyRequestChannel, string> = {
  web: 'through our Privacy Center',
  phone: 'by phone',
  post: 'by post',
  email: 'by email',
};

const kindWords: Record<RequestRow['kind'], string> = {
  access: 'see a copy of your information',
  correction: 'correct your information',
  deletion: 'delete your information',
};

/**
 * The mails of the request workflow, registered with the outbox. Mail to the person carries
 * their own address to the SMTP relay, so it is declared (contact.email, at their request, for
 * the legal purpose) and the guard records it in the disclosure ledger; mail to staff carries a
 * console link only.
 */
export function privacyMessageKinds(deps: PrivacyMailDeps): Record<PrivacyMailKind, MessageKind> {
  const toPerson = (kind: PersonMailKind): MessageKind => ({
    recipients: ({ payload }) => personAddress(deps, payload),
    build: ({ payload }, to) => personMail(deps, kind, payload, to[0] ?? ''),
  });
  const toStaff = (kind: StaffMailKind): MessageKind => ({
    recipients: () => privacyOfficers(deps.db),
    build: ({ payload }) => Promise.resolve(staffNotice(deps, kind, payload)),
  });
  return {
    privacy_verify: toPerson('privacy_verify'),
    privacy_receipt: toPerson('privacy_receipt'),
    privacy_response: toPerson('privacy_response'),
    privacy_reminder: toStaff('privacy_reminder'),
    privacy_new_request: toStaff('privacy_new_request'),
  };
}

type StaffMailKind = 'privacy_reminder' | 'privacy_new_request';
type PersonMailKind = Exclude<PrivacyMailKind, StaffMailKind>;

/** The person's address, opened from the request: the new one when confirming a change of it. */
async function personAddress(
  deps: PrivacyMailDeps,
  payload: Record<string, string>,
): Promise<string[]> {
  const request = await requestById(deps.db, payload.requestId ?? '');
  if (!request?.email) return [];
  const { email, correction_value } = deps.kernel.open('privacy_requests', {
    email: request.email,
    correction_value: request.correction_value ?? '',
  });
  return [payload.purpose === 'confirm_email' ? correction_value : email];
}

async function personMail(
  deps: PrivacyMailDeps,
  kind: PersonMailKind,
  payload: Record<string, string>,
  to: string,
): Promise<OutboxMessage | undefined> {
  const request = await requestById(deps.db, payload.requestId ?? '');
  if (!request?.email) return undefined;
  const leadIds = JSON.parse(request.lead_ids) as string[];
  const link = async (purpose: 'verify' | 'confirm_email') => {
    const t = await latestToken(deps.db, request.id, purpose);
    return t
      ? `${deps.config.baseUrl}${secretLink('privacyRequest', tokenFor(deps.secret, t.nonce))}`
      : undefined;
  };
  const sign = `\n\n${deps.site.company.name}\n${deps.site.company.address.street}, ${deps.site.company.address.city}, ${deps.site.company.address.state} ${deps.site.company.address.zip}\n`;
  const declared = (
    subjects: string[],
    subject: string,
    text: string,
  ): OutboxMessage | undefined =>
    subjects.length === 0
      ? undefined
      : {
          subject,
          text: text + sign,
          personal: {
            categories: ['contact.email'],
            basis: 'person_request',
            purpose: 'legal',
            subjects: subjects.map((id) => ({ type: 'lead' as const, id })),
          },
        };

  switch (kind) {
    case 'privacy_verify': {
      if (payload.purpose === 'confirm_email') {
        const url = await link('confirm_email');
        if (!url) return undefined;
        return declared(
          leadIds,
          'Confirm your new email address',
          `You asked us to change the email address we hold for you to this one. To confirm it is yours, open this link within 24 hours and press "Confirm":\n\n${url}\n\nIf you did not ask for this, ignore this email and nothing will change.`,
        );
      }
      if (request.status !== 'unverified') return undefined;
      // Decided here, after the web response: an address that is not on file is sent nothing,
      // so the form can neither tell anyone whether it is, nor be used to mail strangers.
      const subject = await findSubjectByEmail(deps.db, deps.kernel, to);
      const url = await link('verify');
      if (!url) return undefined;
      return declared(
        subject.leadIds,
        'Confirm your privacy request',
        `We received a request ${channelWords[request.channel]} to ${kindWords[request.kind]}. To confirm it was you, open this link within 24 hours and press "Confirm":\n\n${url}\n\nIf you did not ask for this, ignore this email and nothing will happen.`,
      );
    }
    case 'privacy_receipt': {
      const report = request.kind === 'access' ? await link('verify') : undefined;
      const body = report
        ? `Your request to ${kindWords.access} is answered. Your report is here (it is not in this email, to keep it private), until ${longDate(request.report_until ?? request.due_at)}:\n\n${report}\n\nThe page also offers a copy to download.`
        : `We received your request to ${kindWords[request.kind]} on ${longDate(request.created_at)} and confirmed it came from you. We will answer by ${longDate(request.due_at)}.`;
      return declared(leadIds, 'We received your privacy request', body);
    }
    case 'privacy_response':
      return declared(
        leadIds,
        'About your privacy request',
        await responseText(request, payload.event ?? '', link),
      );
  }
}

async function responseText(
  request: RequestRow,
  event: string,
  link: (p: 'verify') => Promise<string | undefined>,
): Promise<string> {
  switch (event) {
    case 'extended':
      return `We need more time to answer your request to ${kindWords[request.kind]}. We will answer by ${longDate(request.due_at)}.\n\nThe reason: ${request.extension_reason ?? ''}`;
    case 'denied':
      return `We cannot do what you asked (${kindWords[request.kind]}).\n\nThe reason: ${request.denial_reason ?? ''}\n\nIf you disagree, reply to this email or call us.`;
    case 'deleted':
      return 'We have deleted your information. We keep a record that you asked and that we answered, and any opt-outs, so we never contact you again.';
    case 'corrected':
      return 'We have corrected your information as you asked.';
    default:
      return `Your report is here, until ${longDate(request.report_until ?? request.due_at)}:\n\n${(await link('verify')) ?? ''}`;
  }
}

/** Mail to privacy staff: a deadline and a console link, never who asked or what about. */
function staffNotice(
  deps: PrivacyMailDeps,
  kind: StaffMailKind,
  payload: Record<string, string>,
): OutboxMessage {
  const due = payload.due ? longDate(payload.due) : 'its deadline';
  const link = `${deps.config.baseUrl}/console/privacy/${payload.requestId ?? ''}`;
  const [subject, opening] =
    kind === 'privacy_new_request'
      ? [
          'A new privacy request needs an answer',
          `A person confirmed a privacy request. It must be answered by ${due}.`,
        ]
      : [
          `A privacy request is due in 10 days (${payload.due?.slice(0, 10) ?? ''})`,
          `A privacy request must be answered by ${due}.`,
        ];
  return { subject, text: `${opening}\n\nOpen it in the console:\n${link}\n` };
}
