import { retention, retentionClocks } from '../../privacy/vocabulary.js';
import { deleteAfter } from '../delete-after.js';
import { describePeriod } from '../period.js';
import type { Purger } from '../types.js';

// Proof tables: each record proves a choice was honoured, so it is kept while that can still be
// asked about, and no longer. A legal hold on the lead a GPC record names keeps it.

const gpc = retention.gpc_proof;
export const gpcApplicationPurger: Purger = {
  key: 'gpc_application',
  title: 'Records that a Global Privacy Control signal was honoured',
  rule: 'gpc_proof',
  period: `${describePeriod(gpc.period)} after ${retentionClocks[gpc.from]}`,
  action: 'deleted',
  ...deleteAfter('gpc_applications', 'at', gpc.period, { id: 'subject_id', type: 'subject_kind' }),
};

const cookie = retention.cookie_choice;
export const cookieConsentPurger: Purger = {
  key: 'cookie_consent',
  title: 'Records of cookie choices',
  rule: 'cookie_choice',
  period: `${describePeriod(cookie.period)} after ${retentionClocks[cookie.from]}`,
  action: 'deleted',
  ...deleteAfter('cookie_consents', 'at', cookie.period),
};
