// Accessibility and small-screen checks shared by the browser tests of both apps.
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";

/** The phone viewport the issue names (an iPhone 12-14 in portrait). */
export const MOBILE_VIEWPORT = { width: 390, height: 844 } as const;

const BLOCKING = new Set(["serious", "critical"]);

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules plus best practices) over the page as it is now and
 * fails with each serious or critical violation's rule id and the elements it hit.
 */
export async function expectNoSeriousA11yViolations(page: Page, label: string) {
  // Colours are measured as painted: let fades and slides (a dialog opening) finish first.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const blocking = results.violations.filter((v) => v.impact && BLOCKING.has(v.impact));
  if (blocking.length === 0) return;
  const lines = blocking.flatMap((v) => [
    `- ${v.id} (${v.impact}): ${v.help}`,
    ...v.nodes
      .slice(0, 5)
      .map((n) => `    ${n.target.join(" ")}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, " ")}` : ""}`),
  ]);
  throw new Error(`${label}: ${blocking.length} serious/critical accessibility violation(s)\n${lines.join("\n")}`);
}

/** Fails when the page scrolls sideways (something wider than the viewport). */
export async function expectNoHorizontalOverflow(page: Page, label: string) {
  const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => {
    const width = window.innerWidth;
    const wide = [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > width + 1 || r.left < -1);
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(" ").join(".")}` : ""}`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, culprits: wide };
  });
  if (scrollWidth > innerWidth) {
    throw new Error(
      `${label}: page is ${scrollWidth}px wide in a ${innerWidth}px viewport; e.g. ${culprits.join(", ")}`,
    );
  }
}
