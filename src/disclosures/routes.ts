import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService } from '../accounts/service.js';
import type { Clock } from '../adapters/clock.js';
import { demand } from '../console/permissions.js';
import { blank, fieldErrors, pageParam, validationMessage } from '../console/input.js';
import { guardConsoleSection, staffOf } from '../console/section.js';
import type { Recipient } from '../privacy/disclosure-store.js';
import { recipientCreateBody, recipientEditBody } from '../privacy/recipients.js';
import { disclosureBases, type DisclosureBasis } from '../privacy/vocabulary.js';
import { DomainError, invalid, type FieldErrors } from '../web/errors.js';
import { renderPage } from '../web/render.js';
import type { Db } from '../db/database.js';
import { allRecipients } from '../privacy/disclosure-store.js';
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
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const checkCsrf = fastify.csrfProtection.bind(fastify);
  const { service, evidence } = opts;
  guardConsoleSection(fastify, opts.accounts);

  /** The form again, status 400, with each problem beside its field. */
  function refusedForm(
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FieldErrors,
    existing?: Recipient,
  ) {
    reply.code(400);
    const staff = staffOf(request);
    const { form, ...fields } = errors;
    return renderPage(
      reply,
      ProcessorFormPage({
        site: request.site,
        staff,
        csrf: reply.generateCsrf(),
        ...formValues(request.body),
        errors: fields,
        message: form ?? 'Please correct the highlighted fields.',
        existing,
      }),
    );
  }

  /** Runs a registry change; a rule it breaks comes back as the form with the reasons. */
  async function save(
    request: FastifyRequest,
    reply: FastifyReply,
    run: () => Promise<unknown>,
    existing?: Recipient,
  ) {
    try {
      await run();
      return await reply.redirect(here, 303);
    } catch (err) {
      if (err instanceof DomainError && err.status === 400)
        return refusedForm(request, reply, err.fields, existing);
      throw err;
    }
  }

  app.get('/console/settings/processors', async (request, reply) => {
    const staff = staffOf(request);
    const recipients = await service.list(staff);
    return renderPage(
      reply,
      ProcessorsPage({ site: request.site, staff, csrf: reply.generateCsrf(), recipients }),
    );
  });

  app.get('/console/settings/processors/new', async (request, reply) => {
    const staff = staffOf(request);
    demand(staff, 'processors.manage'); // before showing a form that could not be sent
    const form = { values: { kind: 'processor' }, checked: [], errors: {} };
    return renderPage(
      reply,
      ProcessorFormPage({ site: request.site, staff, csrf: reply.generateCsrf(), ...form }),
    );
  });

  app.post(
    '/console/settings/processors',
    { schema: { body: recipientCreateBody }, attachValidation: true, preHandler: checkCsrf },
    async (request, reply) => {
      const staff = staffOf(request);
      demand(staff, 'processors.manage'); // a refusal, not a form, for those who may not register
      if (request.validationError)
        return refusedForm(request, reply, fieldErrors(request.validationError, 'form'));
      return save(request, reply, () => service.register(staff, request.body));
    },
  );

  app.get(
    '/console/settings/processors/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const staff = staffOf(request);
      const existing = await service.get(staff, request.params.id);
      const form = { ...recipientValues(existing), errors: {} };
      return renderPage(
        reply,
        ProcessorFormPage({
          site: request.site,
          staff,
          csrf: reply.generateCsrf(),
          ...form,
          existing,
        }),
      );
    },
  );

  app.post(
    '/console/settings/processors/:id',
    {
      schema: { params: idParams, body: recipientEditBody },
      attachValidation: true,
      preHandler: checkCsrf,
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const existing = await service.get(staff, request.params.id);
      if (request.validationError)
        return refusedForm(request, reply, fieldErrors(request.validationError, 'form'), existing);
      return save(request, reply, () => service.edit(staff, existing.id, request.body), existing);
    },
  );

  for (const [action, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    app.post(
      `/console/settings/processors/:id/${action}`,
      { schema: { params: idParams }, preHandler: checkCsrf },
      async (request, reply) => {
        await service.setActive(staffOf(request), request.params.id, active);
        return reply.redirect(here, 303);
      },
    );
  }

  app.get(
    '/console/disclosures',
    { schema: { querystring: ledgerQuery }, attachValidation: true },
    async (request, reply) => {
      if (request.validationError) throw invalid(validationMessage(request.validationError));
      const staff = staffOf(request);
      const { page, ...filter } = request.query;
      const ledger = await service.ledger(staff, filter, page ?? 1);
      return renderPage(
        reply,
        LedgerPage({ site: request.site, staff, csrf: reply.generateCsrf(), ledger, filter }),
      );
    },
  );

  app.get(
    evidenceHere,
    { schema: { querystring: z.object({ saved: z.string().max(8).optional() }) } },
    async (request, reply) => {
      const staff = staffOf(request);
      const rows = await evidence.list(staff);
      return renderPage(
        reply,
        EvidencePage({
          site: request.site,
          staff,
          csrf: reply.generateCsrf(),
          rows,
          saved: request.query.saved,
        }),
      );
    },
  );

  const kinds = Object.keys(evidenceKinds) as [keyof typeof evidenceKinds];
  const thirdParties = async () =>
    (await allRecipients(opts.db)).filter((r) => r.active && r.kind === 'third_party');

  app.get(
    `${evidenceHere}/new`,
    {
      schema: {
        querystring: z.object({
          kind: z.enum(kinds, { error: `Kind must be one of: ${kinds.join(', ')}.` }),
        }),
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      demand(staff, 'disclosure_evidence.manage');
      const page = EvidenceFormPage({
        site: request.site,
        staff,
        csrf: reply.generateCsrf(),
        kind: request.query.kind,
        recipients: await thirdParties(),
        state: { values: {}, errors: {} },
      });
      return renderPage(reply, page);
    },
  );

  app.post(
    evidenceHere,
    { schema: { body: evidenceBody }, attachValidation: true, preHandler: checkCsrf },
    async (request, reply) => {
      const staff = staffOf(request);
      demand(staff, 'disclosure_evidence.manage');
      try {
        if (request.validationError)
          throw invalid(
            'Please correct the highlighted fields.',
            fieldErrors(request.validationError, 'kind'),
          );
        const id = await evidence.record(staff, request.body);
        return await reply.redirect(`${evidenceHere}?saved=1#evidence-${id}`, 303);
      } catch (err) {
        if (!(err instanceof DomainError) || err.status !== 400) throw err;
        const { values } = formValues(request.body);
        const kind = kinds.find((k) => k === values.kind) ?? 'legal_process';
        reply.code(400);
        return renderPage(
          reply,
          EvidenceFormPage({
            site: request.site,
            staff,
            csrf: reply.generateCsrf(),
            kind,
            recipients: await thirdParties(),
            state: { values, errors: err.fields },
            message: err.message,
          }),
        );
      }
    },
  );
}
