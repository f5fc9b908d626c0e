import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { StaffUser } from '../accounts/service.js';
import { appendAudit } from '../audit/log.js';
import { publishRegistryChange } from '../privacy/policy-revisions.js';
import { blank } from '../console/input.js';
import { demand } from '../console/permissions.js';
import type { Db } from '../db/database.js';
import type { TagsTable } from '../db/schema.js';
import type { PolicyTagVendor } from '../privacy/policy.js';
import { isSensitivePath } from '../privacy/sensitive-paths.js';
import type { PrivacySignals } from '../privacy/signals.js';
import { invalid, notFound } from '../web/errors.js';

// Consent-gated third-party tags. A tag is served only when the kernel allows its category
// (consent, and no GPC or Do Not Track signal: src/privacy/signals.ts), and never on a page
// where a person types personal data or is signed in (src/privacy/sensitive-paths.ts). The CSP
// of the pages where one loads names its vendor's origin, and no other page's CSP does.

const tagCategories = ['analytics', 'advertising'] as const satisfies TagsTable['category'][];

export type Tag = Pick<
  TagsTable,
  | 'id'
  | 'name'
  | 'category'
  | 'vendor'
  | 'origin'
  | 'script_url'
  | 'inline_snippet'
  | 'data_received'
  | 'active'
  | 'updated_at'
>;
const columns = [
  'id',
  'name',
  'category',
  'vendor',
  'origin',
  'script_url',
  'inline_snippet',
  'data_received',
  'active',
  'updated_at',
] as const;

// Loopback addresses are allowed over plain http so a test can serve a tag from a second local port.
const loopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;
const allowedOrigin = (origin: string) => origin.startsWith('https://') || loopback.test(origin);
const text = (what: string, max: number) =>
  z.preprocess(
    blank,
    z
      .string({ error: `Enter ${what}.` })
      .trim()
      .min(1, `Enter ${what}.`)
      .max(max, `Keep ${what} under ${max} characters.`),
  );
const optionalText = (max: number, message: string) =>
  z.preprocess(blank, z.string().trim().max(max, message).optional());

export const tagBody = z
  .object({
    name: text('a name', 120),
    category: z.enum(['analytics', 'advertising'], { error: 'Choose analytics or advertising.' }),
    vendor: text('the vendor', 120),
    dataReceived: text('what data the vendor receives', 500),
    scriptUrl: optionalText(500, 'Keep the script URL under 500 characters.'),
    inlineSnippet: optionalText(5000, 'Keep the snippet under 5,000 characters.'),
    origin: optionalText(200, 'Keep the origin under 200 characters.'),
    _csrf: z.string().optional(),
  })
  .strict();
export type TagInput = z.infer<typeof tagBody>;

/** Checks what the schema cannot: one of URL or snippet, and an origin the CSP may name. */
function normalise(
  input: TagInput,
): Pick<
  TagsTable,
  'name' | 'category' | 'vendor' | 'origin' | 'script_url' | 'inline_snippet' | 'data_received'
> {
  const errors: Record<string, string> = {};
  if (!input.scriptUrl === !input.inlineSnippet)
    errors.scriptUrl = 'Give either a script URL or an inline snippet, not both.';
  let origin = input.origin ?? '';
  if (input.scriptUrl) {
    try {
      origin = new URL(input.scriptUrl).origin;
    } catch {
      errors.scriptUrl = 'Enter a full URL, such as https://tags.vendor.example/tag.js.';
    }
  }
  if (input.inlineSnippet && /<\/script/i.test(input.inlineSnippet))
    errors.inlineSnippet = 'Paste the code without its <script> tags.';
  if (input.inlineSnippet && !input.origin)
    errors.origin = 'Give the origin the snippet loads from, such as https://tags.vendor.example.';
  if (origin && !errors.scriptUrl) {
    try {
      origin = new URL(origin).origin;
    } catch {
      errors.origin = 'Enter an origin such as https://tags.vendor.example.';
    }
    if (!errors.origin && !allowedOrigin(origin))
      errors[input.scriptUrl ? 'scriptUrl' : 'origin'] = 'Tags must load over https.';
  }
  if (Object.keys(errors).length > 0)
    throw invalid('Please correct the highlighted fields.', errors);
  return {
    name: input.name,
    category: input.category,
    vendor: input.vendor,
    origin,
    script_url: input.scriptUrl ?? null,
    inline_snippet: input.inlineSnippet ?? null,
    data_received: input.dataReceived,
  };
}

export function createTagService(deps: { db: Db; clock: { now(): Date } }) {
  const { db } = deps;
  return {
    list(staff: StaffUser): Promise<Tag[]> {
      demand(staff, 'tags.manage');
      return db.selectFrom('tags').select(columns).orderBy('name').execute();
    },
    async register(staff: StaffUser, input: TagInput): Promise<string> {
      demand(staff, 'tags.manage');
      const row = normalise(input);
      const id = randomUUID();
      const now = deps.clock.now();
      const at = now.toISOString();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('tags')
          .values({ id, ...row, active: 1, created_at: at, updated_at: at, updated_by: staff.id })
          .execute();
        // The policy names every registered tag's vendor: a new one is a new policy version.
        const published = await publishRegistryChange(
          trx,
          'tags',
          await tagVendors(trx),
          `${row.vendor} may receive ${row.data_received} through a ${row.category} tag on our website, only if you allow ${row.category} cookies.`,
          now,
        );
        const detail = {
          event: 'registered',
          category: row.category,
          origin: row.origin,
          policy_version: published?.version ?? null,
        };
        await appendAudit(
          trx,
          {
            actor: { kind: 'staff', id: staff.id },
            action: 'tag_change',
            target: { type: 'tag', id },
            detail,
          },
          now,
        );
      });
      return id;
    },
    async setActive(staff: StaffUser, id: string, active: boolean): Promise<void> {
      demand(staff, 'tags.manage');
      const now = deps.clock.now();
      await db.transaction().execute(async (trx) => {
        const res = await trx
          .updateTable('tags')
          .set({ active: active ? 1 : 0, updated_at: now.toISOString(), updated_by: staff.id })
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) throw notFound('That tag');
        const detail = { event: active ? 'activated' : 'deactivated' };
        await appendAudit(
          trx,
          {
            actor: { kind: 'staff', id: staff.id },
            action: 'tag_change',
            target: { type: 'tag', id },
            detail,
          },
          now,
        );
      });
    },
  };
}
export type TagService = ReturnType<typeof createTagService>;

/** The vendors the policy names: every registered tag's vendor, active or not. */
export async function tagVendors(db: Db): Promise<PolicyTagVendor[]> {
  const rows = await db
    .selectFrom('tags')
    .select(['vendor', 'category', 'data_received'])
    .orderBy('vendor')
    .orderBy('category')
    .execute();
  return rows.map((r) => ({ vendor: r.vendor, category: r.category, receives: r.data_received }));
}

/** The active tags this page may load: of the categories the kernel allows, none on sensitive pages. */
export async function tagsFor(db: Db, url: string, privacy: PrivacySignals): Promise<Tag[]> {
  const allowed = tagCategories.filter((c) => privacy.allows(c));
  if (allowed.length === 0 || isSensitivePath(url)) return [];
  return db
    .selectFrom('tags')
    .select(columns)
    .where('active', '=', 1)
    .where('category', 'in', allowed)
    .orderBy('name')
    .execute();
}

/** CSP hash of an inline snippet, so it runs without 'unsafe-inline'. */
export const snippetHash = (snippet: string) =>
  `'sha256-${createHash('sha256').update(snippet, 'utf8').digest('base64')}'`;

/**
 * The page's CSP with the tags' origins (and inline snippets' hashes) added where scripts,
 * images and connections are allowed. Only pages that serve a tag get this header.
 */
export function cspWithTags(csp: string, tags: readonly Tag[]): string {
  const origins = [...new Set(tags.map((t) => t.origin))];
  const hashes = tags.flatMap((t) => (t.inline_snippet ? [snippetHash(t.inline_snippet)] : []));
  const add: Record<string, string[]> = {
    'script-src': [...origins, ...hashes],
    'img-src': origins,
    'connect-src': origins,
  };
  const directives = csp
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);
  for (const [name, values] of Object.entries(add)) {
    const i = directives.findIndex((d) => d.split(/\s+/)[0] === name);
    if (i >= 0) directives[i] = `${directives[i]} ${values.join(' ')}`;
    else directives.push(`${name} 'self' ${values.join(' ')}`);
  }
  return directives.join(';');
}
