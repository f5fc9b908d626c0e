import Bowser from 'bowser';

/**
 * What the "your sessions" page shows for a session: browser, its major version, system and
 * kind of device ("Firefox 120 on Windows (desktop)"). Only this label is stored, never the
 * user agent itself.
 */
export function deviceLabel(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const r = Bowser.parse(userAgent.slice(0, 512));
  const browser = [r.browser.name, r.browser.version?.split('.')[0]].filter(Boolean).join(' ');
  const os = r.os.name ?? '';
  const kind = r.platform.type ?? '';
  const label = [browser || 'Unknown browser', os && `on ${os}`, kind && `(${kind})`]
    .filter(Boolean)
    .join(' ');
  // Only printable text reaches the database and the page.
  return label.replace(/[^\x20-\x7e]/g, '').slice(0, 120);
}
