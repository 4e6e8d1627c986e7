/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the page as it is and returns its critical and serious findings, plus one of
 * our own: exactly one visible h1 per screen. axe is evaluated over the DevTools protocol, which
 * the page's CSP (no inline scripts) does not govern.
 */
export async function seriousFindings(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    // Off by default (experimental in axe-core 4): the visible text must be part of the accessible name.
    const result = await axe.run(document, { resultTypes: ['violations'], rules: { 'label-content-name-mismatch': { enabled: true } } });
    const findings = result.violations.map((v) => ({ rule: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
    // One h1 per screen, so a screen reader's "next heading" starts at the screen's title.
    const headings = [...document.querySelectorAll('h1')].filter((h) => h.getClientRects().length > 0).length;
    if (headings !== 1) findings.push({ rule: 'one-h1-per-screen', impact: 'serious', help: `${headings} visible h1 elements`, targets: [] });
    return findings;
  });
  return found.filter((f) => f.impact === 'critical' || f.impact === 'serious');
}

/** The same findings as one readable line each, so a failing test says which rule and which element. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  return (await seriousFindings(page)).map((f) => `${f.impact} ${f.rule}: ${f.help} (${f.targets.join(', ')})`);
}
