import { currentPolicy, policyVersions } from './policy-versions.js';

/** The version a new consent record is given under. */
export const policyVersionNow = (): string => currentPolicy.version;

/**
 * Does a consent still stand? It must be a grant, and no material change to the policy may
 * have been published after the version it was given under: then the person is asked again.
 */
export function consentStands(c: { granted: number; policy_version: string | null }): boolean {
  if (c.granted !== 1) return false;
  const given = policyVersions.findIndex(
    (v) => v.version === (c.policy_version ?? policyVersions[0]!.version),
  );
  if (given < 0) return false;
  return !policyVersions.slice(given + 1).some((v) => v.material);
}
