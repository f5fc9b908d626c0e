import { createHash, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { StaffUser } from '../accounts/service.js';
import { appendAudit, type AuditDetail } from '../audit/log.js';
import { publishRegistryChange, registryChanged } from '../privacy/policy-revisions.js';
import { blank } from '../console/input.js';
import { demand } from '../console/permissions.js';
import type { Db } from '../db/database.js';
import type { TagsTable } from '../db/schema.js';
import { DisclosureRefusedError } from '../privacy/disclosures.js';
import { activeProcessors, recipientByKey } from '../privacy/disclosure-store.js';
import type { PolicyTagVendor } from '../privacy/policy.js';
import { isSensitivePath } from '../privacy/sensitive-paths.js';
import type { PrivacySignals } from '../privacy/signals.js';
import {
  assertTagVendor,
  endTagDisclosure,
  startTagDisclosure,
  tagCategories,
  tagVendorsForPolicy,
} from '../privacy/tag-disclosures.js';
import { categories as categoryLabels, type Category } from '../privacy/vocabulary.js';
import { invalid, notFound } from '../web/errors.js';

// Consent-gated third-party tags. A tag is served only when the kernel allows its category
// (consent, and no GPC or Do Not Track signal: src/privacy/signals.ts), and never on a page
// where a person types personal data or is signed in (src/privacy/sensitive-paths.ts). The CSP
// of the pages where one loads names its vendor's origin, and no other page's CSP does.

/** The consent categories a tag can belong to (what the cookie notice asks about). */
const consentCategories = ['analytics', 'advertising'] as const satisfies TagsTable['category'][];

export type Tag = Pick<
  Selectable<TagsTable>,
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
  | 'recipient_id'
  | 'categories'
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
  'recipient_id',
  'categories',
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

/** A form sends one checkbox as a string, several as an array, none as nothing. */
const tagCategoryBoxes = z.preprocess(
  (v) => (v === undefined || v === '' ? [] : [v].flat()),
  z
    .array(
      z.enum(tagCategories, {
        error: `Choose what the tag sends from the list: ${tagCategories.join(', ')}.`,
      }),
    )
    .min(1, 'Tick each kind of data the tag sends its vendor.'),
);

export const tagBody = z
  .object({
    name: text('a name', 120),
    category: z.enum(consentCategories, { error: 'Choose analytics or advertising.' }),
    provider: text('the key of the registered service provider that serves the tag', 40),
    categories: tagCategoryBoxes,
    scriptUrl: optionalText(500, 'Keep the script URL under 500 characters.'),
    inlineSnippet: optionalText(5000, 'Keep the snippet under 5,000 characters.'),
    origin: optionalText(200, 'Keep the origin under 200 characters.'),
    _csrf: z.string().optional(),
  })
  .strict();
export type TagInput = z.infer<typeof tagBody>;
export interface TagProvider {
  key: string;
  name: string;
}

/** Checks what the schema cannot: one of URL or snippet, and an origin the CSP may name. */
function normalise(
  input: TagInput,
): Pick<TagsTable, 'name' | 'category' | 'origin' | 'script_url' | 'inline_snippet'> {
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
    origin,
    script_url: input.scriptUrl ?? null,
    inline_snippet: input.inlineSnippet ?? null,
  };
}

/** The kernel's refusal as a field error the form shows beside the provider. */
async function vendorFor(db: Db, input: TagInput) {
  const recipient = await recipientByKey(db, input.provider);
  const refused = (message: string) =>
    invalid(`This tag cannot be registered: ${message}`, { provider: message });
  if (!recipient)
    throw refused(
      `no service provider is registered under the key ${input.provider}. Register the vendor under Settings, Service providers, with its contract reference and the categories it receives.`,
    );
  try {
    return await assertTagVendor(db, recipient.id, input.categories, input.category);
  } catch (err) {
    if (err instanceof DisclosureRefusedError) throw refused(err.message);
    throw err;
  }
}

const labelsOf = (cs: readonly Category[]) => cs.map((c) => categoryLabels[c]).join('; ');

export function createTagService(deps: { db: Db; clock: { now(): Date } }) {
  const { db } = deps;
  const audit = (trx: Db, staff: StaffUser, id: string, detail: AuditDetail, now: Date) =>
    appendAudit(
      trx,
      {
        actor: { kind: 'staff', id: staff.id },
        action: 'tag_change',
        target: { type: 'tag', id },
        detail,
      },
      now,
    );
  return {
    list(staff: StaffUser): Promise<Tag[]> {
      demand(staff, 'tags.manage');
      return db.selectFrom('tags').select(columns).orderBy('name').execute();
    },
    /** The service providers a tag may name: the form's choices. */
    async providers(staff: StaffUser): Promise<TagProvider[]> {
      demand(staff, 'tags.manage');
      return (await activeProcessors(db)).map((r) => ({ key: r.key, name: r.name }));
    },
    /** Registers a tag and activates it: refused unless its vendor is a service provider for what it sends. */
    async register(staff: StaffUser, input: TagInput): Promise<string> {
      demand(staff, 'tags.manage');
      const row = normalise(input);
      const vendor = await vendorFor(db, input);
      const id = randomUUID();
      const now = deps.clock.now();
      const at = now.toISOString();
      const sent = JSON.stringify(input.categories);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('tags')
          .values({
            id,
            ...row,
            vendor: vendor.name,
            data_received: labelsOf(input.categories),
            recipient_id: vendor.id,
            categories: sent,
            active: 1,
            created_at: at,
            updated_at: at,
            updated_by: staff.id,
          })
          .execute();
        const flow = { tagId: id, recipientId: vendor.id, categories: input.categories };
        await startTagDisclosure(trx, { ...flow, purpose: row.category }, staff.id, now);
        // The policy names every registered tag's vendor: a new one is a new policy version.
        const published = await publishRegistryChange(
          trx,
          'tags',
          await tagVendorsForPolicy(trx),
          `${vendor.name}, our service provider under contract, may receive ${labelsOf(input.categories)} through a ${row.category} tag on our website, only if you allow ${row.category} cookies.`,
          now,
        );
        const detail = {
          event: 'registered',
          category: row.category,
          origin: row.origin,
          policy_version: published?.version ?? null,
        };
        await audit(trx, staff, id, detail, now);
      });
      registryChanged(db);
      return id;
    },
    /** Safe to repeat: a tag already in the asked state changes nothing and records nothing. */
    async setActive(staff: StaffUser, id: string, active: boolean): Promise<void> {
      demand(staff, 'tags.manage');
      const now = deps.clock.now();
      const tag = await db
        .selectFrom('tags')
        .select(['id', 'category', 'categories', 'recipient_id', 'active'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!tag) throw notFound('That tag');
      if (Number(tag.active) === (active ? 1 : 0)) return;
      const sent = JSON.parse(tag.categories) as Category[];
      if (active) await checkActivation(tag.recipient_id, sent, tag.category);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('tags')
          .set({ active: active ? 1 : 0, updated_at: now.toISOString(), updated_by: staff.id })
          .where('id', '=', id)
          .execute();
        if (active) {
          const flow = { tagId: id, recipientId: tag.recipient_id!, categories: sent };
          await startTagDisclosure(trx, { ...flow, purpose: tag.category }, staff.id, now);
        } else await endTagDisclosure(trx, id, staff.id, now);
        await audit(trx, staff, id, { event: active ? 'activated' : 'deactivated' }, now);
      });
      registryChanged(db);
    },
  };

  async function checkActivation(
    recipientId: string | null,
    sent: Category[],
    purpose: TagsTable['category'],
  ): Promise<void> {
    if (!recipientId)
      throw invalid(
        'This tag names no registered service provider, so it cannot be activated. Register it again, naming the provider and what it receives.',
      );
    try {
      await assertTagVendor(db, recipientId, sent, purpose);
    } catch (err) {
      if (err instanceof DisclosureRefusedError)
        throw invalid(`This tag cannot be activated: ${err.message}`);
      throw err;
    }
  }
}
export type TagService = ReturnType<typeof createTagService>;

/** The vendors the policy names: every registered tag's service provider, active or not. */
export const tagVendors = (db: Db): Promise<PolicyTagVendor[]> => tagVendorsForPolicy(db);

/** The active tags this page may load: of the categories the kernel allows, none on sensitive pages. */
/** The tag categories a page may serve this visitor: none on sensitive pages or without consent. */
export function tagCategoriesFor(url: string, privacy: PrivacySignals): TagsTable['category'][] {
  const allowed = consentCategories.filter((c) => privacy.allows(c));
  return allowed.length === 0 || isSensitivePath(url) ? [] : allowed;
}

export async function tagsFor(db: Db, url: string, privacy: PrivacySignals): Promise<Tag[]> {
  const allowed = tagCategoriesFor(url, privacy);
  if (allowed.length === 0) return [];
  // A provider deactivated or left without a contract since the tag was activated stops it too.
  return db
    .selectFrom('tags as t')
    .innerJoin('recipients as r', 'r.id', 't.recipient_id')
    .select(columns.map((c) => `t.${c}` as const))
    .where('t.active', '=', 1)
    .where('t.category', 'in', allowed)
    .where('r.active', '=', 1)
    .where('r.kind', '=', 'processor')
    .where('r.related_entity', '=', 0)
    .where('r.contract_ref', 'is not', null)
    .orderBy('t.name')
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
