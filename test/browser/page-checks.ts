/** Checks every browser test makes of a page: axe-core's serious/critical findings, console errors. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { HeadlessChromium } from './chromium.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Problems {
  errors: string[];
}

/** A page that records every console error and uncaught exception (a CSP block shows up here too). */
export async function openPage(chromium: HeadlessChromium, problems: Problems): Promise<Page> {
  const page = await chromium.context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.errors.push(m.text());
  });
  page.on('pageerror', (e) => problems.errors.push(e.message));
  return page;
}

export async function axeSeriousOrCritical(page: Page): Promise<string[]> {
  // evaluate() runs outside the page's CSP, which (rightly) forbids injected scripts.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run: () => Promise<{ violations: unknown[]; passes: unknown[] }> } }
    ).axe;
    const r = await axe.run();
    if (r.passes.length === 0) throw new Error('axe checked nothing');
    return r.violations as Array<{
      id: string;
      impact: string;
      help: string;
      nodes: Array<{ target: string[] }>;
    }>;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Keeps a screenshot under `artifacts`, and as docs/screenshots/NAME.png when UPDATE_SCREENSHOTS=1. */
export function saveScreenshot(artifacts: string, name: string, png: Buffer): void {
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, `${name}.png`), png);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync('docs/screenshots', { recursive: true });
    writeFileSync(`docs/screenshots/${name}.png`, png);
  }
}
