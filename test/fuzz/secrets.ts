// Planted secrets: a random secret, a carrier that hides it in a shape a host
// or an operator really produces, and the check that fails closed: no output
// may hold the secret, nor any 8-character piece of it, in any letter case.
import fc from 'fast-check'

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/** 24 to 40 random letters and digits: long enough that an 8-char piece in an output is no accident. */
// Not shrunk: a shrunk secret (aaaa…) could match an output by accident.
export const secret: fc.Arbitrary<string> = fc.noShrink(fc.array(fc.constantFrom(...ALNUM), { minLength: 24, maxLength: 40 }).map((a) => a.join('')))

export const WINDOW = 8

/** The first piece of `needle` (≥ WINDOW chars, any case) found in `output`, if any. */
export function leaked (output: string, needle: string): string | undefined {
  const hay = output.toLowerCase()
  const n = needle.toLowerCase()
  for (let i = 0; i + WINDOW <= n.length; i++) {
    const piece = n.slice(i, i + WINDOW)
    // A piece made only of characters the masks themselves use proves nothing.
    if (/^[*.…-]+$/.test(piece)) continue
    const at = hay.indexOf(piece)
    if (at !== -1) return `${needle.slice(i, i + WINDOW)} at ${at}: …${output.slice(Math.max(0, at - 80), at + 80)}…`
  }
  return undefined
}

export function assertNoLeak (what: string, output: string, needles: readonly string[]): void {
  for (const needle of needles) {
    const hit = leaked(output, needle)
    if (hit !== undefined) throw new Error(`${what} holds a piece of the planted secret ${needle}: ${hit}`)
  }
}

/** A password with a character that breaks naive URL parsing, split so each half is still ≥ 8 chars. */
export function awkward (s: string, sep: string): string {
  const cut = Math.floor(s.length / 2)
  return s.slice(0, cut) + sep + s.slice(cut)
}

const b64 = (s: string): string => Buffer.from(s).toString('base64')

export const SECRET_FIELDS = [
  'password', 'Password', 'db_password', 'passwd', 'pwd', 'pass', 'passphrase', 'secret', 'client_secret', 'token', 'access_token',
  'refreshToken', 'id_token', 'apiKey', 'api_key', 'x-api-key', 'license_key', 'licenseKey', 'LICENSE_KEY', 'accessKeyId', 'secretAccessKey',
  'private_key', 'authorization', 'Authorization', 'proxy-authorization', 'cookie', 'Cookie', 'set-cookie', 'credentials', 'sessionid',
  'session_id', 'sid', 'jwt', 'auth', 'signature', 'x-license-key', 'bearer'
]

/** Names a developer means as secret, spelt in ways an exact list misses. */
export const NEAR_MISS_FIELDS = [
  'licence_key', 'licenceKey', 'lisence_key', 'license-key', 'licensekey', 'pasword', 'passwrd', 'passw', 'user_pass', 'apikey',
  'api-key', 'apiToken', 'auth_token', 'authToken', 'x-auth-token', 'privateKey', 'secretKey', 'SECRET', 'Cookies', 'set_cookie',
  'refresh-token', 'bearer_token', 'session-token', 'PASSWORD', 'Token', 'proxy_password', 'proxyAuthorization'
]

/** Free-text shapes holding a secret; `{S}` is the secret (encoded), `{B}` is base64("user:" + secret). */
export const TEXT_SHAPES = [
  'http://user:{S}@proxy.example:3128/',
  'https://agent:{S}@collector.oneapm.com/agent_listener',
  'postgres://app:{S}@db:5432/main',
  'https://collector/agent?license_key={S}&protocol_version=14',
  'https://api.example/v1?access_token={S}',
  'https://api.example/v1?token={S}&x=1',
  'https://api.example/v1?apiKey={S}',
  'https://api.example/v1?api-key={S}#frag',
  'https://api.example/v1?X-Amz-Signature={S}',
  'Authorization: Bearer {S}',
  'authorization=Bearer {S}',
  'Authorization: Basic {B}',
  'Proxy-Authorization: Basic {B}',
  'request sent with Bearer {S} and rejected',
  'curl -H "Authorization: Bearer {S}" https://x',
  'Cookie: theme=dark; session={S}; lang=en',
  'Cookie: a=1; b=2; c=3; sid={S}',
  'Set-Cookie: sid={S}; Path=/; HttpOnly',
  'X-Api-Key: {S}',
  'x-license-key: {S}',
  'user=bob&password={S}&remember=1',
  'grant_type=client_credentials&client_secret={S}',
  'password: {S}',
  'db_password={S}',
  'secret = {S}',
  'pwd={S}',
  '"api_key": "{S}"',
  "{'password': '{S}'}",
  'payload {"user":"bob","password":"{S}"}',
  'payload {"auth":{"token":"{S}"}}',
  'body="{\\"password\\":\\"{S}\\"}"',
  '[["authorization","Bearer {S}"]]',
  'AWS_SECRET_ACCESS_KEY={S}',
  'jwt={S}'
]

export type Encoding = 'raw' | 'url' | 'json' | 'awkward@' | 'awkward:' | 'awkward%40'

export function encode (s: string, enc: Encoding): string {
  switch (enc) {
    case 'raw': return s
    case 'url': return encodeURIComponent(awkward(s, '@'))
    case 'json': return JSON.stringify(s).slice(1, -1)
    case 'awkward@': return awkward(s, '@')
    case 'awkward:': return awkward(s, ':')
    case 'awkward%40': return awkward(s, '%40')
  }
}

export const encoding: fc.Arbitrary<Encoding> = fc.constantFrom('raw', 'url', 'json', 'awkward@', 'awkward:', 'awkward%40')

/** Fills a text shape; returns the text and what must not leak. */
export function fill (shape: string, s: string, enc: Encoding): { text: string, needles: string[] } {
  const basic = b64(`user:${s}`)
  return { text: shape.replace('{S}', encode(s, enc)).replace('{B}', basic), needles: shape.includes('{B}') ? [s, basic] : [s] }
}
