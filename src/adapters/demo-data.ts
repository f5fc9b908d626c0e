import type { Clock } from './clock.js';

// Fake data for `starspmb demo seed` (docs/deploy.md): deterministic for a seed number, and
// obviously fake — example.com/example.org addresses, 555-01xx numbers — so demo rows can never
// be mistaken for, or reach, a real person.

/** A small seeded generator (mulberry32): the same seed gives the same demo, on any machine. */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  return {
    next,
    int,
    pick,
    chance: (p: number) => next() < p,
    /** One of the keys, in proportion to its weight. */
    weighted<K extends string>(weights: Record<K, number>): K {
      const entries = Object.entries(weights) as [K, number][];
      let r = next() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [k, w] of entries) if ((r -= w) < 0) return k;
      return entries[entries.length - 1]![0];
    },
    /** About normally distributed noise around 1 (sum of uniforms), never below 0. */
    noise: (spread: number) => Math.max(0, 1 + (next() + next() + next() - 1.5) * spread),
  };
}
export type Random = ReturnType<typeof createRandom>;

const firstNames = [
  'Avery',
  'Jordan',
  'Riley',
  'Morgan',
  'Casey',
  'Taylor',
  'Jamie',
  'Quinn',
  'Harper',
  'Rowan',
  'Elena',
  'Marcus',
  'Priya',
  'Diego',
  'Grace',
  'Samuel',
  'Nadia',
  'Owen',
  'Lena',
  'Victor',
];
const lastNames = [
  'Example',
  'Sample',
  'Demo',
  'Testwell',
  'Placeholder',
  'Fakely',
  'Mockford',
  'Specimen',
  'Dummer',
  'Trialson',
];
const practiceWords = [
  'Family Medicine',
  'Orthopedics',
  'Pediatrics',
  'Cardiology',
  'Dermatology',
  'Physical Therapy',
  'Urgent Care',
  'Behavioral Health',
  'Chiropractic',
  'Internal Medicine',
];
const places = [
  { city: 'Houston', state: 'TX', zip: '77002', area: '713' },
  { city: 'Dallas', state: 'TX', zip: '75201', area: '214' },
  { city: 'Austin', state: 'TX', zip: '78701', area: '512' },
  { city: 'Phoenix', state: 'AZ', zip: '85004', area: '602' },
  { city: 'Denver', state: 'CO', zip: '80202', area: '303' },
  { city: 'Atlanta', state: 'GA', zip: '30303', area: '404' },
  { city: 'Miami', state: 'FL', zip: '33130', area: '305' },
  { city: 'Chicago', state: 'IL', zip: '60601', area: '312' },
];
const streets = ['Demo Street', 'Sample Avenue', 'Example Road', 'Test Lane', 'Placeholder Way'];
const needs = [
  'We would like help with claim denials and follow-up.',
  'Looking for credentialing with two new payers.',
  'Please quote full-cycle billing for our practice.',
  'We need help with prior authorizations.',
  'Interested in a referral partnership for billing services.',
  'Our accounts receivable is over 90 days; can you help?',
];

export interface FakePerson {
  name: string;
  email: string;
  /** (AAA) 555-01NN: the range set aside for fiction. */
  phone: string;
  organization: string;
  address: string;
  city: string;
  state: string;
  zip: string;
  needs: string;
}

/** The n-th fake person: unique by `n`, so two runs with one seed make the same people. */
export function fakePerson(random: Random, n: number): FakePerson {
  const first = random.pick(firstNames);
  const last = random.pick(lastNames);
  const place = random.pick(places);
  const domain = n % 2 ? 'example.org' : 'example.com';
  return {
    name: `${first} ${last}`,
    email: `${first}.${last}.${n}@${domain}`.toLowerCase(),
    phone: `(${place.area}) 555-01${String(random.int(0, 99)).padStart(2, '0')}`,
    organization: `${last} ${random.pick(practiceWords)} (demo)`,
    address: `${random.int(10, 999)} ${random.pick(streets)}`,
    city: place.city,
    state: place.state,
    zip: place.zip,
    needs: random.pick(needs),
  };
}

/** A clock the seed moves: each record is made at its own moment of the past year. */
export function demoClock(start: Date) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (d: Date) => void (t = d.getTime()),
  } satisfies Clock & { set(d: Date): void };
}
export type DemoClock = ReturnType<typeof demoClock>;

/** A lead the seed made, for the steps after it (statuses, opt-outs, privacy requests). */
export interface DemoLead {
  id: string;
  email: string;
  phone?: string | undefined;
  at: Date;
  marketing: boolean;
  sms: boolean;
}

/** What each step of the seed shares: the generator, the clock, the real "now", and results. */
export interface DemoContext {
  random: Random;
  clock: DemoClock;
  /** The moment the seed runs: the demo's year ends here. */
  now: Date;
  leads: DemoLead[];
  /** Staff the demo's console actions are made by (ids of real accounts the seed created). */
  staff: Partial<
    Record<'sales' | 'privacy', { id: string; email: string; role: 'sales' | 'privacy' }>
  >;
}

/**
 * One capability's part of the demo: how many units it will do (for the progress bar) and the
 * work, which calls `tick` per unit. A new capability adds one step to the list in src/cli/demo.ts.
 */
export interface DemoStep {
  name: string;
  units: number;
  run(ctx: DemoContext, tick: (n?: number) => void): Promise<string>;
}

/** A moment `days` back from `now`, in working hours (8:00–18:00 UTC). */
export function daysAgo(random: Random, now: Date, days: number): Date {
  const d = new Date(now.getTime() - days * 86_400_000);
  d.setUTCHours(random.int(8, 17), random.int(0, 59), random.int(0, 59), 0);
  return d.getTime() >= now.getTime() ? new Date(now.getTime() - 60_000) : d;
}
