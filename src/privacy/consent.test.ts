import { describe, expect, it } from 'vitest';
import { consentStands, policyVersionNow } from './consent.js';
import { policyVersions } from './policy-versions.js';

describe('a consent stands', () => {
  it('when granted under the current policy', () => {
    expect(consentStands({ granted: 1, policy_version: policyVersionNow() })).toBe(true);
    expect(consentStands({ granted: 0, policy_version: policyVersionNow() })).toBe(false);
  });

  it('not when a material change was published after it: the person is asked again', () => {
    const first = policyVersions[0]!.version;
    const laterMaterial = policyVersions.slice(1).some((v) => v.material);
    expect(consentStands({ granted: 1, policy_version: first })).toBe(!laterMaterial);
    // Rows from before the version was recorded count as the first version.
    expect(consentStands({ granted: 1, policy_version: null })).toBe(!laterMaterial);
    expect(consentStands({ granted: 1, policy_version: 'no-such-version' })).toBe(false);
  });
});
