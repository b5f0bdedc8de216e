// Debian's Chromium, headless, driven by playwright-core (which never downloads a
// browser), in a fresh profile; and what a page did that it should not have.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser in a profile of its own (deleted by `close`). */
export async function launch(executablePath = "/usr/bin/chromium") {
  const profile = mkdtempSync(join(tmpdir(), "docket-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Records, for `page`: requests to other origins than `origins`, CSP violations
 * (as the console reports them and as `securitypolicyviolation` events), console
 * errors and uncaught exceptions. */
export function watch(page, origins) {
  const seen = { foreign: [], csp: [], errors: [] };
  page.on("request", (request) => {
    const { protocol, origin } = new URL(request.url());
    if (protocol === "data:" || protocol === "blob:") return;
    if (!origins.includes(origin)) seen.foreign.push(request.url());
  });
  page.on("console", (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to (load|execute|apply|connect|create)/i.test(text)) {
      seen.csp.push(text);
    } else if (message.type() === "error") {
      seen.errors.push(text);
    }
  });
  page.on("pageerror", (error) => seen.errors.push(`uncaught: ${error.message}`));
  return seen;
}

/** Screenshots go to `folder` (created); returns a function taking a file name. */
export function screenshots(page, folder) {
  mkdirSync(folder, { recursive: true });
  return async (name) => {
    const path = join(folder, name);
    await page.screenshot({ path });
    console.log(`  screenshot ${path}`);
    return path;
  };
}

/** Every `securitypolicyviolation` event of the context's pages, kept in the page
 * (init scripts come through the DevTools protocol, not subject to the page's CSP). */
export async function recordViolations(context) {
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
}

export async function violations(page) {
  return page.evaluate(() => window.__violations ?? []);
}
