import type { StaffRole } from '../../src/db/schema.js';
import { staffJar } from '../../src/test-support/staff.js';
import { launch, serve } from './support.js';

// The set-up of a browser test of console screens: the app on a real port over a fresh
// database, Chromium, and a browser context already signed in as a new staff member.

export type ConsoleBrowser = Awaited<ReturnType<typeof consoleBrowser>>;

/** Signed in as `role`; `close` ends the browser, then the app. */
export async function consoleBrowser(role: StaffRole) {
  const server = await serve();
  const browser = await launch().catch(async (err: unknown) => {
    await server.close();
    throw err;
  });
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    const { sid } = await staffJar(server, role);
    const context = await browser.newContext();
    await context.addCookies([{ name: 'sid', value: sid!, url: server.url }]);
    return { server, context, close };
  } catch (err) {
    await close();
    throw err;
  }
}
