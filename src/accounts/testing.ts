import type { ReceivedMail } from '../test-support/smtp.js';

// For tests of mailed account links: the link a received mail carries, as its reader sees it.

/** The mail's text with quoted-printable soft breaks and escapes undone. */
export function mailText(mail: ReceivedMail): string {
  return mail.raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The path of the one-time link in the newest mail to this address (`/account/reset/…`). */
export function linkPathFor(received: ReceivedMail[], to: string, kind: 'reset' | 'invite') {
  const mails = received.filter((m) => m.to.includes(to));
  const last = mails[mails.length - 1];
  if (!last) throw new Error(`no mail to ${to}`);
  const m = new RegExp(`http://localhost:3000(/account/${kind}/[A-Za-z0-9_-]{43})`).exec(
    mailText(last),
  );
  if (!m?.[1]) throw new Error(`no ${kind} link in the mail to ${to}`);
  return m[1];
}
