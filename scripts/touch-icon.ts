// Renders public/apple-touch-icon.png (180×180) from the logo with Chromium: phones round the
// corners themselves, so the square is filled edge to edge. Run after changing public/logo.svg:
//   npx tsx scripts/touch-icon.ts
import { readFileSync } from 'node:fs';
import { launch } from '../test/e2e/support.js';

const logo = readFileSync('public/logo.svg', 'utf8')
  .replace(/\srx="[^"]*"/, '')
  .replace(/width="40" height="40"/, 'width="180" height="180"');
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 180, height: 180 } });
await page.setContent(`<body style="margin:0">${logo}</body>`);
await page.screenshot({
  path: 'public/apple-touch-icon.png',
  clip: { x: 0, y: 0, width: 180, height: 180 },
});
await browser.close();
