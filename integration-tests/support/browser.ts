import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import type { Browser, Page } from 'puppeteer-core';

/** Debian's Chromium (scripts/system-packages.mjs installs it); puppeteer-core never downloads one. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Where the tests put the dashboard's screenshots (docs/dashboard/, referenced by docs/dashboard.md). */
export const SCREENSHOT_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'docs',
  'dashboard',
);

/** A headless Chromium, without sandbox (containers, root) and without any profile of the user's. */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

export type Theme = 'light' | 'dark';

/** Sets the page's colour scheme as the operating system would (the dashboard follows it). */
export async function useTheme(page: Page, theme: Theme): Promise<void> {
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);
}

/**
 * Takes a PNG of the page in both themes. With MLX_GATEWAY_SCREENSHOTS=1 they are saved as
 * docs/dashboard/<name>-light.png and -dark.png (the docs' pictures); otherwise they are only
 * rendered, so that a test run leaves the checkout as it was.
 */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
  const save = process.env['MLX_GATEWAY_SCREENSHOTS'] === '1';
  if (save) mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const theme of ['light', 'dark'] as const) {
    await useTheme(page, theme);
    const png = await page.screenshot(
      save ? { path: join(SCREENSHOT_DIR, `${name}-${theme}.png`) as `${string}.png` } : {},
    );
    if (png.length === 0) throw new Error(`the ${theme} screenshot of ${name} is empty`);
  }
  await useTheme(page, 'light');
}
