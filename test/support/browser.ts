import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium, type Browser, type Page, type Response } from 'playwright-core'
import { PASSWORD, startTestApp, type TestApp } from './app.ts'

export const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A `skip` option for node:test: false when Chromium is there, otherwise the reason. */
export const withoutChromium: string | false = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM}: apt-get install chromium`

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 })
}

export type ServedApp = TestApp & { baseUrl: string }

/**
 * The test application (fresh database, demonstration partnership) listening on a free port of
 * 127.0.0.1. Cookies stay Secure: Chromium treats http://127.0.0.1 as a secure context.
 */
export async function serveTestApp(): Promise<ServedApp> {
  const t = await startTestApp()
  const baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' })
  return { ...t, baseUrl }
}

/** Signs in through the sign-in page; leaves the page wherever the service redirects. */
export async function signIn(page: Page, baseUrl: string, email: string, password = PASSWORD): Promise<Response | null> {
  await page.goto(`${baseUrl}/sign-in`)
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  return submit(page, 'Sign in')
}

/** Clicks a form's button and waits for the page the browser lands on (after any redirects). */
export async function submit(page: Page, button: string): Promise<Response | null> {
  const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button, exact: true }).click()])
  return response
}

/** Everything that went wrong in the page's own JavaScript or loading: CSP refusals, failed assets, exceptions. */
export function watchForPageErrors(page: Page): string[] {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`${page.url()}: uncaught ${error.message}`))
  page.on('console', (message) => {
    // A 4xx document (the 404 and 403 pages under test) is logged as a failed resource: not a fault.
    if (message.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
      problems.push(`${page.url()}: console error: ${message.text()}`)
    }
  })
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' && response.status() >= 400) problems.push(`${page.url()}: ${response.status()} for ${response.url()}`)
  })
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'failed'
    // A load the browser itself cancelled because the page moved on (a redirect after a form) is no fault.
    if (request.resourceType() !== 'document' && reason !== 'net::ERR_ABORTED') problems.push(`${page.url()}: ${reason} for ${request.url()}`)
  })
  return problems
}

// axe-core

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']
const FAILING_IMPACTS = new Set(['serious', 'critical'])

type AxeNode = { target: unknown[]; html: string; failureSummary?: string }
type AxeViolation = { id: string; impact: string | null; help: string; helpUrl: string; nodes: AxeNode[] }
export type Finding = { page: string; url: string; id: string; impact: string; help: string; helpUrl: string; nodes: AxeNode[] }

/**
 * Runs axe-core on pages and keeps what it finds. Serious and critical violations fail the test
 * (`assertClean`); moderate and minor ones are only reported.
 */
export class AccessibilityAudit {
  readonly pages: string[] = []
  readonly findings: Finding[] = []

  /** Audits the page as it is now. `name` says which page it is in the report. */
  async check(page: Page, name: string): Promise<void> {
    // The page's Content-Security-Policy does not apply to evaluation through the DevTools protocol.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE)
    const violations = (await page.evaluate(
      (tags) => (window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: unknown[] }> } }).axe.run(document, { runOnly: tags, resultTypes: ['violations'] }).then((r) => r.violations),
      AXE_TAGS,
    )) as AxeViolation[]
    this.pages.push(name)
    for (const v of violations) {
      this.findings.push({ page: name, url: page.url(), id: v.id, impact: v.impact ?? 'unknown', help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })) })
    }
  }

  get failing(): Finding[] {
    return this.findings.filter((f) => FAILING_IMPACTS.has(f.impact))
  }

  get minor(): Finding[] {
    return this.findings.filter((f) => !FAILING_IMPACTS.has(f.impact))
  }

  /** Groups findings by rule and element, so a fault in the shared layout is reported once with the pages it is on. */
  static describe(findings: Finding[]): string {
    const groups = new Map<string, { f: Finding; node: AxeNode; pages: string[] }>()
    for (const f of findings) {
      for (const node of f.nodes) {
        const key = `${f.id} ${node.html}`
        const group = groups.get(key) ?? { f, node, pages: [] }
        group.pages.push(`${f.page} (${new URL(f.url).pathname})`)
        groups.set(key, group)
      }
    }
    return [...groups.values()]
      .map(({ f, node, pages }) =>
        [
          `  [${f.impact}] ${f.id}: ${f.help} (${f.helpUrl})`,
          `    element ${JSON.stringify(node.target)}: ${node.html.replace(/\s+/g, ' ').slice(0, 300)}`,
          ...(node.failureSummary ? [`    ${node.failureSummary.replace(/\n\s*/g, ' ')}`] : []),
          `    on ${pages.length} page(s): ${pages.join('; ')}`,
        ].join('\n'),
      )
      .join('\n')
  }

  /** What was checked, and any lesser findings, as lines for the test's diagnostics. */
  summary(): string[] {
    const minor = this.minor
    const lines = [`axe-core (${AXE_TAGS.join(', ')}) checked ${this.pages.length} pages: ${this.pages.join('; ')}`]
    if (minor.length) lines.push('moderate or minor findings (not failing):', ...AccessibilityAudit.describe(minor).split('\n'))
    return lines
  }

  assertClean(): void {
    const failing = this.failing
    assert.equal(failing.length, 0, `axe-core found serious or critical accessibility violations:\n${AccessibilityAudit.describe(failing)}`)
  }
}
