// What the running system does that the privacy policy may describe. The generated page promises
// only what is switched on here: a capability that is not built (or is off) is not promised, and
// one that runs is described. Turning one on changes the policy's fingerprint, so the change that
// builds it must also publish a new policy version (src/privacy/policy-versions.ts).

export interface Capabilities {
  /** First-party website analytics (src/analytics): automatic collection on every public page. */
  analytics: boolean;
  /** The public Privacy Center (src/privacy-center): access, correction, deletion, opt-outs. */
  privacyCenter: boolean;
  /** Marketing email sent by the system, each message with a one-click unsubscribe link. */
  marketingEmail: boolean;
  /** Text messages sent by the system, answering STOP and HELP. */
  sms: boolean;
  /** Client practice users signing in with a Practice ID and username. */
  clientPortal: boolean;
  /** Partners who sign in and submit leads about organizations they refer. */
  partnerLeads: boolean;
  /** Reviews of partners shown publicly on the website. */
  partnerReviews: boolean;
}

export type Capability = keyof Capabilities;

/** What this build runs. Each capability's change flips its own flag, with a new policy version. */
export const runningCapabilities: Readonly<Capabilities> = {
  analytics: true,
  privacyCenter: true,
  marketingEmail: false,
  sms: false,
  clientPortal: false,
  partnerLeads: false,
  partnerReviews: false,
};
