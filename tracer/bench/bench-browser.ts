// The headless Chromium the viewer benches drive: one launch, with the flags that keep it from
// doing work of its own (updates, sync, network probes), then a wait for its start-up to settle:
// its top-chrome WebUI renderer spends ~1.3 s of CPU in the first seconds after launch, which on
// two cores would be charged to whatever the bench measured first.
import type { BrowserContext } from 'playwright-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const SETTLE_MS = 3000;

export async function launchBenchBrowser(chromiumPath: string, profile: string): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, viewport: { width: 1600, height: 1000 }, args: CHROMIUM_ARGS });
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return context;
}
