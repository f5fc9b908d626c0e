import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { OWNER_DIR, OWNER_FILE } from '../config/data-dir.js';
import type { Category, DisclosureBasis, Purpose } from '../privacy/vocabulary.js';

export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /** Stable across retries, so a receiving system can drop a duplicate. */
  messageId: string;
  /**
   * The personal data the message carries, declared by whoever builds it. This adapter ignores
   * it; the privacy kernel's guard (src/privacy/mail-guard.ts) checks the relay's registration
   * and records the disclosure before the message reaches this adapter.
   */
  personal?: PersonalContent | undefined;
}

export interface PersonalContent {
  categories: Category[];
  basis: DisclosureBasis;
  purpose: Purpose;
  subjects: { type: 'lead'; id: string }[];
}

// Only the message itself goes to nodemailer; the declaration above stays on our side.
const message = ({ personal: _personal, ...mail }: OutgoingMail) => mail;

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** SMTP when SMTP_URL is set; otherwise each message is written as an .eml file to read locally. */
export function createMailer(opts: {
  smtpUrl?: string | undefined;
  outboxDir: string;
  from: string;
}): Mailer {
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl);
    return {
      async send(mail) {
        await transport.sendMail({ ...message(mail), from: opts.from });
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({ ...message(mail), from: opts.from });
      // Queued mail holds people's addresses and links that open their requests: owner-only.
      await fs.mkdir(opts.outboxDir, { recursive: true, mode: OWNER_DIR });
      const name = mail.messageId.replace(/[^a-zA-Z0-9.-]/g, '_');
      await fs.writeFile(path.join(opts.outboxDir, `${name}.eml`), info.message as Buffer, {
        mode: OWNER_FILE,
      });
    },
    close: () => transport.close(),
  };
}
