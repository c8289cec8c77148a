import assert from 'node:assert/strict'
import test from 'node:test'
import fc from 'fast-check'
import { parseSyslogUrl } from '../../../src/ship/syslog/url'

const ok = (s: string) => {
  const r = parseSyslogUrl(s)
  assert.ok(r.ok, r.ok ? '' : r.problem)
  return r.value
}
const problem = (s: unknown): string => {
  const r = parseSyslogUrl(s)
  assert.ok(!r.ok, `accepted ${String(s)}`)
  return r.problem
}

test('the four forms, default ports and caps, IPv6 in brackets', () => {
  assert.deepEqual(ok('syslog+udp://relay'), { protocol: 'udp', host: 'relay', port: 514, caFile: undefined, facility: 16, maxBytes: 2048, display: 'syslog+udp://relay:514' })
  assert.equal((ok('syslog+tcp://relay') as { port: number }).port, 601)
  assert.equal(ok('syslog+tcp://relay').maxBytes, 8096)
  assert.equal((ok('syslog+tls://relay.example.com') as { port: number }).port, 6514)
  assert.equal((ok('SYSLOG+TCP://10.0.0.1:1514/') as { port: number }).port, 1514)
  const v6 = ok('syslog+udp://[::1]:5514')
  assert.equal(v6.protocol === 'udp' && v6.host, '::1')
  assert.equal(v6.display, 'syslog+udp://[::1]:5514')
  assert.deepEqual(ok('syslog+unix:///dev/log'), { protocol: 'unix', path: '/dev/log', facility: 16, maxBytes: 8096, display: 'syslog+unix:///dev/log' })
})

test('options: facility, max, ca (TLS only)', () => {
  assert.equal(ok('syslog+tcp://h?facility=local3').facility, 19)
  assert.equal(ok('syslog+tcp://h?facility=DAEMON').facility, 3)
  assert.equal(ok('syslog+tcp://h?facility=23').facility, 23)
  assert.equal(ok('syslog+udp://h?max=1200').maxBytes, 1200)
  const t = ok('syslog+tls://h?ca=%2Fetc%2Fca.pem&max=16384')
  assert.equal(t.protocol === 'tls' && t.caFile, '/etc/ca.pem')
  assert.equal(t.maxBytes, 16384)
})

test('problems name what is wrong and what is accepted, and never echo credentials', () => {
  assert.match(problem('syslog+xyz://h'), /unknown scheme "syslog\+xyz".*syslog\+udp:\/\/host:514/)
  assert.match(problem('relay:514'), /not a syslog URL/)
  assert.match(problem('syslog+tcp://h:0'), /port "0".*1\.\.65535/)
  assert.match(problem('syslog+tcp://h:99999'), /port/)
  assert.match(problem('syslog+tcp://'), /host is missing/)
  assert.match(problem('syslog+tcp://h?facility=local9'), /local0\.\.local7/)
  assert.match(problem('syslog+tcp://h?max=10'), /480\.\.65535/)
  assert.match(problem('syslog+udp://h?max=65535'), /480\.\.65507/)
  assert.match(problem('syslog+tcp://h?ca=/x.pem'), /tls only/)
  assert.match(problem('syslog+tls://h?ca=relative.pem'), /absolute/)
  assert.match(problem('syslog+tcp://h?colour=blue'), /unknown option "colour".*facility, max, ca/)
  assert.match(problem('syslog+tcp://h?max=1000&max=2000'), /twice/)
  assert.match(problem('syslog+unix://dev/log'), /absolute socket path/)
  assert.match(problem('syslog+tcp://[::1'), /closing "\]"/)
  assert.match(problem('syslog+tcp://h/path'), /no path/)
  assert.match(problem('syslog+tcp://h#frag'), /fragment/)
  assert.match(problem('syslog+tcp://h o st'), /not a host name/)
  const cred = problem('syslog+tls://admin:hunter2@relay:6514')
  assert.match(cred, /credentials/)
  assert.ok(!cred.includes('hunter2'))
  assert.match(problem(42), /must be a string/)
  assert.match(problem('syslog+tcp://' + 'a'.repeat(5000)), /at most 2048/)
})

test('never throws, whatever it is given; what it accepts displays as a URL it accepts again (fast-check)', () => {
  const pieces = fc.constantFrom('syslog+udp://', 'syslog+tcp://', 'syslog+tls://', 'syslog+unix://', '[', ']', ':', '@', '?', '&', '=', '%', '%zz', '/', '#', 'facility=', 'max=', 'ca=', 'local3', '514', '::1', 'h', '.', '\u0000', 'é')
  fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.array(pieces, { maxLength: 12 }).map((a) => a.join('')), fc.anything()), (input) => {
    const r = parseSyslogUrl(input)
    if (r.ok) {
      const again = parseSyslogUrl(r.value.display)
      assert.ok(again.ok)
      assert.equal(again.value.display, r.value.display)
    } else {
      assert.equal(typeof r.problem, 'string')
    }
  }), { numRuns: 2000 })
})

test('a socket path or ca= path that %-decodes to a control character (newline, ESC, NEL, U+2028) is refused: it would forge lines where it is shown', () => {
  for (const bad of ['syslog+unix:///tmp/a%0ab', 'syslog+unix:///tmp/a%1b[31m', 'syslog+unix:///tmp/a%c2%85', 'syslog+unix:///tmp/a%e2%80%a8', 'syslog+unix:///tmp/a%7f',
    'syslog+tls://h?ca=/x%0a.pem', 'syslog+tls://h?ca=/x%1b.pem', 'syslog+tls://h?ca=/x%09.pem']) {
    const r = parseSyslogUrl(bad)
    assert.equal(r.ok, false, bad)
  }
  assert.equal(parseSyslogUrl('syslog+unix:///run/my%20relay/ünïcode.sock').ok, true)
})
