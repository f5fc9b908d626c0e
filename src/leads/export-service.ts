import type { Clock } from '../adapters/clock.js';
import type { StaffUser } from '../accounts/service.js';
import { appendAudit } from '../audit/log.js';
import { demand } from '../console/permissions.js';
import type { LeadFilter } from './repository.js';
import type { Db } from '../db/database.js';
import { mayRead } from '../privacy/access.js';
import { fieldClass } from '../privacy/data-map.js';
import { allRecipients } from '../privacy/disclosure-store.js';
import { DisclosureRefusedError, recordDisclosure } from '../privacy/disclosures.js';
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
} as const;
export type ExportPurpose = keyof typeof exportPurposes;

export const MAX_EXPORT_ROWS = 20_000;

const candidates = [
  'id',
  'created_at',
  'status',
  'user_type',
  'name',
  'organization',
  'practice_size',
  'address',
  'city',
  'state',
  'zip',
  'email',
  'phone',
  'needs',
] as const;
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

export interface ExportRequest {
  recipientId: string;
  basis: DisclosureBasis;
  purpose: ExportPurpose;
  reference?: string | undefined;
  filter: LeadFilter;
}

export function createExportService(deps: { db: Db; kernel: Kernel; clock: Clock }) {
  const { db, kernel } = deps;

  async function recipients() {
    return (await allRecipients(db)).filter((r) => r.active);
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
          basis: req.basis,
          purpose: req.purpose,
          categories: categoriesOf(columns),
          subjects: rows.map((r) => ({ type: 'lead' as const, id: r.id })),
          reference: req.reference,
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
        detail: { rows: rows.length, columns: columns.join(',') },
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

  return { recipients, exportLeads };
}

export type ExportService = ReturnType<typeof createExportService>;
