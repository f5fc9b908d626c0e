import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import type { Clock } from '../adapters/clock.js';
import { blank, pageParam } from '../console/input.js';
import { registerConsoleRoutes, route, type RefusedInput } from '../console/route-table.js';
import type { Db } from '../db/database.js';
import { allRecipients, type Recipient } from '../privacy/disclosure-store.js';
import { recipientCreateBody, recipientEditBody } from '../privacy/recipients.js';
import { disclosureBases, type DisclosureBasis } from '../privacy/vocabulary.js';
import type { DomainError } from '../web/errors.js';
import { evidenceBody, evidenceHere, evidenceKinds, type EvidenceService } from './evidence.js';
import { EvidenceFormPage, EvidencePage } from './evidence-views.js';
import { LedgerPage } from './ledger-views.js';
import { ProcessorFormPage, ProcessorsPage } from './processor-views.js';
import type { DisclosureService } from './service.js';

const bases = Object.keys(disclosureBases) as [DisclosureBasis, ...DisclosureBasis[]];

const ledgerQuery = z.object({
  lead: z.preprocess(
    blank,
    z
      .string({ error: 'Enter one lead id.' })
      .trim()
      .max(64, 'A lead id is at most 64 characters.')
      .optional(),
  ),
  recipient: z.preprocess(
    blank,
    z
      .string({ error: 'Choose one recipient.' })
      .max(36, 'Choose a recipient from the list.')
      .optional(),
  ),
  basis: z.preprocess(
    blank,
    z.enum(bases, { error: `Basis must be one of: ${bases.join(', ')}.` }).optional(),
  ),
  page: pageParam,
});
const idParams = z.object({ id: z.string().min(1).max(64) });
const here = '/console/settings/processors';
const kinds = Object.keys(evidenceKinds) as [keyof typeof evidenceKinds];
const evidenceKindQuery = z.object({
  kind: z.enum(kinds, { error: `Kind must be one of: ${kinds.join(', ')}.` }),
});
const savedQuery = z.object({ saved: z.string().max(8).optional() });

/** What the person typed, to put back in the form; checkboxes arrive as a string or an array. */
function formValues(body: unknown): { values: Record<string, string>; checked: string[] } {
  const values: Record<string, string> = {};
  let checked: string[] = [];
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (k === 'categories') checked = [v].flat().filter((c): c is string => typeof c === 'string');
    else if (typeof v === 'string') values[k] = v;
  }
  return { values, checked };
}

function recipientValues(r: Recipient) {
  return {
    values: {
      name: r.name,
      purpose: r.purpose,
      contractRef: r.contractRef ?? '',
      relatedEntity: r.relatedEntity ? 'on' : '',
    },
    checked: r.categories,
  };
}

export async function disclosureRoutes(
  fastify: FastifyInstance,
  opts: {
    db: Db;
    service: DisclosureService;
    evidence: EvidenceService;
    accounts: AccountService;
    clock: Clock;
  },
) {
  const { service, evidence } = opts;
  const saved = { redirect: here };
  const thirdParties = async () =>
    (await allRecipients(opts.db)).filter((r) => r.active && r.kind === 'third_party');

  /** The form again, status 400, with each problem beside its field. */
  const refusedForm = (
    { frame, sent }: RefusedInput<unknown>,
    err: DomainError,
    existing?: Recipient,
  ) => ({
    page: ProcessorFormPage({
      ...frame(),
      ...formValues(sent),
      errors: err.fields,
      message: err.message,
      existing,
    }),
  });

  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: here,
      access: 'processors.manage',
      handler: async ({ frame, staff }) => {
        const recipients = await service.list(staff);
        return { page: ProcessorsPage({ ...frame(), recipients }) };
      },
    }),
    route({
      method: 'GET',
      url: `${here}/new`,
      access: 'processors.manage',
      handler: ({ frame }) => ({
        page: ProcessorFormPage({
          ...frame(),
          values: { kind: 'processor' },
          checked: [],
          errors: {},
        }),
      }),
    }),
    route({
      method: 'POST',
      url: here,
      access: 'processors.manage',
      body: recipientCreateBody,
      handler: async ({ staff, body }) => {
        await service.register(staff, body);
        return saved;
      },
      refused: (input, err) => refusedForm(input, err),
    }),
    route({
      method: 'GET',
      url: `${here}/:id`,
      access: 'processors.manage',
      params: idParams,
      handler: async ({ frame, staff, params }) => {
        const existing = await service.get(staff, params.id);
        const form = { ...recipientValues(existing), errors: {} };
        return { page: ProcessorFormPage({ ...frame(), ...form, existing }) };
      },
    }),
    route({
      method: 'POST',
      url: `${here}/:id`,
      access: 'processors.manage',
      params: idParams,
      body: recipientEditBody,
      handler: async ({ staff, params, body }) => {
        await service.edit(staff, params.id, body);
        return saved;
      },
      refused: async (input, err) =>
        refusedForm(input, err, await service.get(input.staff, input.params.id)),
    }),
    ...(
      [
        ['deactivate', false],
        ['activate', true],
      ] as const
    ).map(([action, active]) =>
      route({
        method: 'POST',
        url: `${here}/:id/${action}`,
        access: 'processors.manage',
        params: idParams,
        handler: async ({ staff, params }) => {
          await service.setActive(staff, params.id, active);
          return saved;
        },
      }),
    ),
    route({
      method: 'GET',
      url: '/console/disclosures',
      access: 'disclosures.read',
      query: ledgerQuery,
      handler: async ({ frame, staff, query }) => {
        const { page, ...filter } = query;
        const ledger = await service.ledger(staff, filter, page ?? 1);
        return { page: LedgerPage({ ...frame(), ledger, filter }) };
      },
    }),
    route({
      method: 'GET',
      url: evidenceHere,
      access: 'disclosure_evidence.manage',
      query: savedQuery,
      handler: async ({ frame, staff, query }) => {
        const rows = await evidence.list(staff);
        return { page: EvidencePage({ ...frame(), rows, saved: query.saved }) };
      },
    }),
    route({
      method: 'GET',
      url: `${evidenceHere}/new`,
      access: 'disclosure_evidence.manage',
      query: evidenceKindQuery,
      handler: async ({ frame, query }) => ({
        page: EvidenceFormPage({
          ...frame(),
          kind: query.kind,
          recipients: await thirdParties(),
          state: { values: {}, errors: {} },
        }),
      }),
    }),
    route({
      method: 'POST',
      url: evidenceHere,
      access: 'disclosure_evidence.manage',
      body: evidenceBody,
      handler: async ({ staff, body }) => {
        const id = await evidence.record(staff, body);
        return { redirect: `${evidenceHere}?saved=1#evidence-${id}` };
      },
      refused: async ({ frame, sent }, err) => {
        const { values } = formValues(sent);
        return {
          page: EvidenceFormPage({
            ...frame(),
            kind: kinds.find((k) => k === values.kind) ?? 'legal_process',
            recipients: await thirdParties(),
            state: { values, errors: err.fields },
            message: err.message,
          }),
        };
      },
    }),
  ]);
}
