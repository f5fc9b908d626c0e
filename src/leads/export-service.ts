import type { Clock } from '../adapters/clock.js';
import type { StaffUser } from '../accounts/service.js';
import { appendAudit } from '../audit/log.js';
import { demand } from '../console/permissions.js';
import { exportableLeadColumns, type LeadFilter } from './repository.js';
import type { Db } from '../db/database.js';
import { mayRead } from '../privacy/access.js';
import { fieldClass } from '../privacy/data-map.js';
import { createEvidenceService, evidenceById } from '../disclosures/evidence.js';
import { allRecipients, recipientById, type Recipient } from '../privacy/disclosure-store.js';
import {
  basisForEvidence,
  DisclosureRefusedError,
  recordDisclosure,
} from '../privacy/disclosures.js';
import type { Kernel } from '../privacy/kernel.js';
import { isMasked } from '../privacy/access.js';
import { isWithdrawn } from '../privacy/opt-out-effects.js';
import type { Category, DisclosureBasis } from '../privacy/vocabulary.js';
import { invalid } from '../web/errors.js';
import * as repo from './export-repository.js';

/** Why staff may export, in the words the form shows. Phone numbers never leave by CSV. */
export const exportPurposes = {
  service_request:
    'Answering their requests (for example, in a CRM a service provider runs for us)',
  marketing: 'Marketing to people who agreed to hear from us (only leads whose consent stands)',
  legal:
    'Answering law or legal process, or protecting rights and safety (third parties, on evidence)',
} as const;
export type ExportPurpose = keyof typeof exportPurposes;

export const MAX_EXPORT_ROWS = 20_000;

const candidates = exportableLeadColumns;
export type ExportColumn = (typeof candidates)[number];

/** The columns a purpose may carry out of the system, straight from the data map. */
export function exportColumns(purpose: ExportPurpose): ExportColumn[] {
  return candidates.filter((c) => mayRead('leads', c, purpose));
}

function categoriesOf(columns: readonly ExportColumn[]): Category[] {
  const out = new Set<Category>();
  for (const c of columns) {
    const f = fieldClass('leads', c);
    if (f?.personal) out.add(f.category);
  }
  return [...out];
}

/** Purposes offered per kind of recipient; the kernel refuses any other combination anyway. */
export const purposesFor = {
  processor: ['service_request', 'marketing'],
  third_party: ['service_request', 'legal'],
} as const satisfies Record<Recipient['kind'], readonly ExportPurpose[]>;

/** A service provider acts for us under contract: these are the bases it is sent data on. */
export const processorBases = [
  'requested_service',
  'consent',
] as const satisfies readonly DisclosureBasis[];

export interface ExportRequest {
  recipientId: string;
  /** For a service provider; a third party's basis is the kind of evidence chosen. */
  basis?: DisclosureBasis | undefined;
  /** For a third party: the evidence record a privacy officer entered. */
  evidence?: string | undefined;
  purpose: ExportPurpose;
  filter: LeadFilter;
}

export function createExportService(deps: { db: Db; kernel: Kernel; clock: Clock }) {
  const { db, kernel } = deps;
  const evidence = createEvidenceService(deps);

  async function recipients() {
    return (await allRecipients(db)).filter((r) => r.active);
  }

  /**
   * What the form offers for one recipient: for a third party, each evidence record with how
   * many of the leads the filter matches it covers; no record, no basis to offer.
   */
  async function optionsFor(recipientId: string, filter: LeadFilter) {
    const recipient = (await recipients()).find((r) => r.id === recipientId);
    if (!recipient || recipient.kind === 'processor') return { recipient, evidence: [] };
    const [records, rows] = await Promise.all([
      evidence.forRecipient(recipient.id),
      repo.leadsForExport(db, filter, MAX_EXPORT_ROWS),
    ]);
    const matched = new Set(rows.map((r) => r.id));
    return {
      recipient,
      matched: matched.size,
      evidence: records.map((e) => ({
        ...e,
        basis: basisForEvidence(e.kind),
        covers:
          e.kind === 'buyer_undertaking'
            ? matched.size
            : e.leads.filter((l) => matched.has(l)).length,
      })),
    };
  }

  /** The basis comes from the evidence for a third party, from the form for a service provider. */
  async function basisOf(
    req: ExportRequest,
  ): Promise<{ basis: DisclosureBasis; evidence?: string }> {
    const recipient = await recipientById(db, req.recipientId);
    if (recipient?.kind === 'third_party') {
      const ev = req.evidence ? await evidenceById(db, req.evidence) : undefined;
      if (!ev)
        throw invalid(
          `Export refused: ${recipient.name} is a third party. Intake data goes to a third party only on an evidence record a privacy officer has entered (legal process, protection, buyer's undertaking); choose one. A basis or reference typed here is not evidence.`,
        );
      return { basis: basisForEvidence(ev.kind), evidence: ev.id };
    }
    if (!req.basis || !(processorBases as readonly string[]).includes(req.basis))
      throw invalid('Please correct the highlighted fields.', {
        basis: `Choose the basis: ${processorBases.join(' or ')}.`,
      });
    return { basis: req.basis };
  }

  // Marketing reaches only people whose latest marketing choice is a yes; and no export carries
  // anyone whose stored opt-out withdraws its purpose (the kernel's table `optOutEffects`).
  async function withoutOptOuts<T extends { id: string; email: string }>(
    rows: T[],
    purpose: ExportPurpose,
  ): Promise<T[]> {
    const granted =
      purpose === 'marketing'
        ? await repo.standingMarketingConsent(
            db,
            rows.map((r) => r.id),
          )
        : undefined;
    const kept: T[] = [];
    for (const r of rows) {
      if (granted && !granted.has(r.id)) continue;
      const email = kernel.open('leads', { email: r.email }).email;
      if (!(await isWithdrawn(db, kernel, { email }, purpose))) kept.push(r);
    }
    return kept;
  }

  /** Records the disclosure (or refuses it, storing nothing), then hands back the file. */
  async function exportLeads(staff: StaffUser, req: ExportRequest) {
    demand(staff, 'leads.export');
    const { basis, evidence: evidenceId } = await basisOf(req);
    const columns = exportColumns(req.purpose);
    let rows = await repo.leadsForExport(db, req.filter, MAX_EXPORT_ROWS + 1);
    if (rows.length > MAX_EXPORT_ROWS) {
      throw invalid(
        `More than ${MAX_EXPORT_ROWS.toLocaleString('en-US')} leads match. Narrow the filter and export in parts.`,
      );
    }
    rows = await withoutOptOuts(rows, req.purpose);
    if (rows.length === 0)
      throw invalid(
        'No lead matches this filter (for marketing: none whose consent stands and who did not opt out), so there is nothing to export.',
      );
    const at = deps.clock.now();
    try {
      await recordDisclosure(
        db,
        {
          recipientId: req.recipientId,
          basis,
          purpose: req.purpose,
          categories: categoriesOf(columns),
          subjects: rows.map((r) => ({ type: 'lead' as const, id: r.id })),
          evidence: evidenceId,
          actor: { kind: 'staff', id: staff.id },
          channel: 'csv_export',
        },
        at,
      );
    } catch (err) {
      if (err instanceof DisclosureRefusedError) throw invalid(`Export refused: ${err.message}`);
      throw err;
    }
    await appendAudit(
      db,
      {
        actor: { kind: 'staff', id: staff.id },
        action: 'export',
        target: { type: 'leads', id: 'csv' },
        purpose: req.purpose,
        detail: { rows: rows.length, columns: columns.join(','), evidence: evidenceId ?? null },
      },
      at,
    );
    const shown = kernel.reveal('leads', rows, req.purpose);
    const records = shown.map((r) =>
      columns.map((c) => {
        const v = r[c];
        return isMasked(v) ? '' : String(v ?? '');
      }),
    );
    // Written by the one CSV writer (src/web/csv.ts), which defuses formulas in every cell.
    return {
      filename: `leads-${req.purpose}-${at.toISOString().slice(0, 10)}.csv`,
      rows: [columns, ...records],
      count: rows.length,
    };
  }

  return { recipients, optionsFor, exportLeads };
}

export type ExportService = ReturnType<typeof createExportService>;
