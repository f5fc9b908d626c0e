import { deleteAfter } from '../retention/delete-after.js';
import { describeRule } from '../retention/period.js';
import type { Purger } from '../retention/types.js';
import { retention } from '../privacy/vocabulary.js';

const { period, from } = retention.privacy_request;

// The request log: each closed request is deleted 24 months after it was closed (its link
// tokens go with it by foreign key). Open requests are never due.
export const privacyRequestPurger: Purger = {
  key: 'privacy_request',
  title: 'The log of privacy requests and our answers',
  rule: 'privacy_request',
  period: describeRule({ period, from }),
  action: 'deleted',
  ...deleteAfter('privacy_requests', 'closed_at', period),
};
