import { createHmac } from 'node:crypto';
import net from 'node:net';

/**
 * A keyed, one-way fingerprint of a personal value (an email typed at sign-in, a network
 * address), for counting without storing the value. Keyed with the app secret, so a leaked table
 * cannot be reversed by hashing every address; `domain` keeps fingerprints of different kinds
 * of value apart.
 */
export function keyedFingerprint(secret: string, domain: string, value: string): string {
  return createHmac('sha256', secret).update(`${domain}:${value}`).digest('hex');
}

/**
 * The network an address stands for: an IPv4 address itself, an IPv6 address its /64 (one
 * subscriber's allocation, so rotating through it does not make a new source), IPv4 mapped into
 * IPv6 as IPv4. Anything else is taken as it is.
 */
export function networkOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!net.isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
