import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /** Stable across retries, so a receiving system can drop a duplicate. */
  messageId: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** SMTP when SMTP_URL is set; otherwise each message is written as an .eml file to read locally. */
export function createMailer(opts: { smtpUrl?: string | undefined; outboxDir: string; from: string }): Mailer {
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl);
    return {
      async send(mail) {
        await transport.sendMail({ ...mail, from: opts.from });
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail({ ...mail, from: opts.from });
      await fs.mkdir(opts.outboxDir, { recursive: true });
      const name = mail.messageId.replace(/[^a-zA-Z0-9.-]/g, '_');
      await fs.writeFile(path.join(opts.outboxDir, `${name}.eml`), info.message as Buffer);
    },
    close: () => transport.close(),
  };
}
