// uPlot's browser build and its stylesheet, read from the installed package
// at run time and made safe to inline in one HTML file. Nothing is copied
// into our sources: the report carries exactly the uplot version installed.

import fs from 'node:fs'

export interface Assets {
  /** uPlot's IIFE build (defines the global `uPlot`), safe inside <script>. */
  readonly script: string
  /** uPlot's stylesheet, safe inside <style>. */
  readonly css: string
  readonly version: string
}

let cached: Assets | undefined

export function loadAssets (): Assets {
  cached ??= readAssets()
  return cached
}

/** The assets read afresh from the installed package (the bundle's read-back scan compares report.html with them). */
export function readAssets (): Assets {
  const read = (file: string): string => fs.readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8')
  const pkg = JSON.parse(fs.readFileSync(require.resolve('uplot/package.json'), 'utf8')) as { version?: unknown }
  return {
    script: inlineSafe(read('uPlot.iife.min.js'), 'script'),
    css: inlineSafe(read('uPlot.min.css'), 'style'),
    version: typeof pkg.version === 'string' ? pkg.version : 'unknown'
  }
}

/**
 * Text that cannot end its <script>/<style> element early or switch the
 * parser into the "escaped" script state: the `<` of `</script`, `</style`,
 * `<script` and `<!--` is written `\x3C` in JavaScript (the same character
 * in strings, template literals and regexes; harmless in comments) and
 * `\3c ` in CSS (where those can only be in strings or comments). uPlot 1.6
 * contains none of them today: this keeps a later version from breaking the
 * page silently.
 */
export function inlineSafe (text: string, tag: 'script' | 'style'): string {
  const lt = tag === 'script' ? '\\x3C' : '\\3c '
  let out = ''
  let from = 0
  for (let i = text.indexOf('<', 0); i >= 0; i = text.indexOf('<', i + 1)) {
    if (asciiAt(text, i, `</${tag}`) || asciiAt(text, i, '<!--') || asciiAt(text, i, '<script')) {
      out += text.slice(from, i) + lt
      from = i + 1
    }
  }
  return out + text.slice(from)
}

/** `word` (lower-case ASCII) at `i` in `text`, ignoring ASCII case. (toLowerCase() could shift indices: 'İ' becomes two code units.) */
function asciiAt (text: string, i: number, word: string): boolean {
  if (i + word.length > text.length) return false
  for (let k = 0; k < word.length; k++) {
    const c = text.charCodeAt(i + k)
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== word.charCodeAt(k)) return false
  }
  return true
}
