// A report page in a real browser: Debian's chromium driven by
// puppeteer-core through executablePath (never a browser download), with
// console errors and any request but the file itself recorded.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import type { TestContext } from 'node:test'
import { pathToFileURL } from 'node:url'
import puppeteer, { type Page } from 'puppeteer-core'

function findChromium (): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' })
  const found = r.stdout.trim().split('\n')[0] ?? ''
  if (r.status === 0 && found !== '') return found
  return fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined
}

export const CHROMIUM = findChromium()
const SKIP = CHROMIUM === undefined ? 'chromium is not installed (.ci/run installs Debian\'s chromium)' : false
/** Options for a test that needs the browser: skipped without chromium, bounded in time. */
export const BROWSER_TEST = { skip: SKIP, timeout: 120_000 }

export interface Opened {
  readonly page: Page
  /** Console errors and uncaught page errors. */
  readonly errors: string[]
  /** Every request but the report file itself (each was refused). */
  readonly foreign: string[]
}

/** `file` opened in headless chromium, every request but the file itself refused; closed after the test. */
export async function open (t: TestContext, file: string): Promise<Opened> {
  const browser = await puppeteer.launch({ executablePath: CHROMIUM as string, args: ['--no-sandbox', '--headless=new'], timeout: 60_000 })
  t.after(async () => { await browser.close() })
  const page = await browser.newPage()
  page.setDefaultTimeout(30_000)
  const url = pathToFileURL(file).href
  const errors: string[] = []
  const foreign: string[] = []
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
  page.on('pageerror', (e) => { errors.push(String(e)) })
  await page.setRequestInterception(true)
  page.on('request', (r) => {
    if (r.url() === url) {
      void r.continue()
    } else {
      foreign.push(r.url())
      void r.abort()
    }
  })
  await page.setViewport({ width: 1280, height: 900 })
  await page.goto(url, { waitUntil: 'load' })
  await page.waitForSelector('html[data-ready="1"]')
  return { page, errors, foreign }
}

