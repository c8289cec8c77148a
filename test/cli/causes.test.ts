// diagnose(): one test per cause. The table is typed Record<CauseId, …>, so a
// cause added to CauseId without a case here does not compile.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { diagnose, type CauseId, type Evidence } from '../../src/cli/causes'

interface Case {
  /** Evidence as doctor --connect or summary would pass it; each must give the id. */
  readonly evidence: readonly Evidence[]
  readonly cause: RegExp
  readonly fix: RegExp
}

const CASES: Readonly<Record<CauseId, Case>> = {
  dns_failure: {
    evidence: [{ code: 'ENOTFOUND', host: 'collector.oneapm.invalid' }, { code: 'EAI_AGAIN', host: 'collector.oneapm.invalid' }, { step: 'dns', code: 'ETIMEDOUT', host: 'collector.oneapm.invalid' }],
    cause: /the name collector\.oneapm\.invalid could not be resolved/,
    fix: /getent hosts/
  },
  connection_refused: {
    evidence: [{ code: 'ECONNREFUSED', host: '10.0.0.5:8443' }, { code: 'ECONNREFUSED', step: 'tcp', host: '10.0.0.5:8443' }],
    cause: /10\.0\.0\.5:8443 refused the connection/,
    fix: /port in host/
  },
  timeout: {
    evidence: [{ code: 'ETIMEDOUT', host: 'c.example:443' }, { code: 'UND_ERR_CONNECT_TIMEOUT', host: 'c.example:443', step: 'tcp' }],
    cause: /no answer from c\.example:443 in time .*firewall drops the packets/,
    fix: /allow outbound TCP/
  },
  connection_reset: {
    evidence: [{ code: 'ECONNRESET', host: 'c.example' }, { code: 'UND_ERR_SOCKET', host: 'c.example' }],
    cause: /connection to c\.example was cut/,
    fix: /proxy or firewall/
  },
  unknown_ca: {
    evidence: [{ code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', host: 'c.example', issuer: 'CN=Corp Intercept CA' }, { code: 'SELF_SIGNED_CERT_IN_CHAIN', step: 'tls', host: 'c.example', issuer: 'CN=Corp Intercept CA' }],
    cause: /issued by "CN=Corp Intercept CA" is not from a trusted CA .*intercepting TLS/,
    fix: /NODE_EXTRA_CA_CERTS=.*never turn verification off/
  },
  wrong_host_certificate: {
    evidence: [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: 'c.example', subject: 'CN=other.example' }],
    cause: /not for c\.example \(it is for "CN=other\.example"\)/,
    fix: /check host/
  },
  certificate_expired: {
    evidence: [{ code: 'CERT_HAS_EXPIRED', host: 'c.example' }, { code: 'CERT_NOT_YET_VALID', host: 'c.example' }],
    cause: /not valid now/,
    fix: /clock/
  },
  tls_other: {
    evidence: [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER', host: 'c.example' }, { step: 'tls', code: 'EPROTO', host: 'c.example' }],
    cause: /TLS handshake with c\.example failed/,
    fix: /TLS 1\.2/
  },
  proxy_auth: {
    evidence: [{ status: 407, proxy: 'http://u:****@p:3128' }, { status: 407, step: 'proxy', proxy: 'http://u:****@p:3128' }],
    cause: /the proxy http:\/\/u:\*\*\*\*@p:3128 asked for credentials \(HTTP 407\)/,
    fix: /proxy = http:\/\/user:password@proxy:3128/
  },
  proxy_failed: {
    // A 403 from the proxy is the proxy's rule, not the license key.
    evidence: [{ status: 403, step: 'proxy', host: 'c.example:443', proxy: 'http://p:3128' }, { status: 502, step: 'proxy', host: 'c.example:443' }],
    cause: /the proxy( http:\/\/p:3128)? (refused the tunnel to|could not reach) c\.example:443/,
    fix: /allow CONNECT/
  },
  license_rejected: {
    evidence: [{ status: 401, license: 'Zq9X****', requestKind: 'preconnect' }, { status: 403, license: 'Zq9X****', step: 'http' }],
    cause: /rejected the license key Zq9X\*\*\*\* \(HTTP 40[13]/,
    fix: /check license_key/
  },
  payload_too_large: {
    evidence: [{ status: 413, requestKind: 'metric_data' }],
    cause: /answered 413 to metric_data: the payload is too large/,
    fix: /smaller batches/
  },
  collector_error: {
    evidence: [{ status: 500, host: 'c.example' }, { status: 503, host: 'c.example', requestKind: 'metric_data' }],
    cause: /c\.example answered HTTP 50[03]/,
    fix: /retries with backoff/
  },
  http_other: {
    evidence: [{ status: 404, host: 'c.example' }, { status: 302, host: 'c.example' }],
    cause: /c\.example answered HTTP (404|302)/,
    fix: /not a OneAPM collector/
  },
  host_silenced: {
    evidence: [{ interference: 'host_logger_silenced' }, { interference: 'debug_disabled', code: 'ENOSPC' }],
    cause: /host application interfered with the agent's log \((host_logger_silenced|debug_disabled)\)/,
    fix: /set log_file/
  },
  disk_full: {
    evidence: [{ code: 'ENOSPC', path: '/var/log/agent.log' }, { code: 'EDQUOT', path: '/var/log/agent.log' }],
    cause: /the disk holding \/var\/log\/agent\.log is full/,
    fix: /free space/
  },
  log_file_unwritable: {
    evidence: [{ code: 'EACCES', path: '/var/log/agent.log' }, { code: 'EROFS', path: '/var/log/agent.log' }],
    cause: /the log file \/var\/log\/agent\.log cannot be written \((EACCES|EROFS)\)/,
    fix: /writable by the app's user/
  },
  not_http: {
    evidence: [{ code: 'UND_ERR_HEADERS_OVERFLOW', step: 'http', host: 'c.example:443' }, { code: 'HPE_INVALID_CONSTANT', host: 'c.example:443' }, { code: 'HTTPParserError', step: 'http', host: 'c.example:443' }],
    cause: /c\.example:443 answered, but not as an HTTP collector/,
    fix: /port in host/
  },
  network_other: {
    evidence: [{}, { code: 'EHOSTUNREACH', host: 'c.example' }],
    cause: /could not be reached/,
    fix: /doctor --connect/
  },
  host_not_set: {
    evidence: [{ code: 'ONEAPM_NO_HOST' }, { step: 'config', host: '' }],
    cause: /no collector host is set/,
    fix: /set host/
  }
}

for (const [id, c] of Object.entries(CASES) as Array<[CauseId, Case]>) {
  test(`diagnose: ${id}`, () => {
    for (const evidence of c.evidence) {
      const d = diagnose(evidence)
      assert.equal(d.id, id, JSON.stringify(evidence))
      assert.match(d.cause, c.cause, JSON.stringify(evidence))
      assert.match(d.fix, c.fix, JSON.stringify(evidence))
    }
  })
}

test('diagnose: network_other from doctor --connect (a step is known) does not send the operator back to doctor --connect', () => {
  const d = diagnose({ code: 'EHOSTUNREACH', step: 'tcp', host: 'c.example' })
  assert.equal(d.id, 'network_other')
  assert.doesNotMatch(d.fix, /doctor --connect/)
  assert.equal(diagnose({ code: 'ERR_PROXY_ANSWER', step: 'proxy', proxy: 'http://p:3128', host: 'p' }).id, 'not_http')
})

test('diagnose: where it failed changes the words, not only the id', () => {
  assert.match(diagnose({ code: 'ETIMEDOUT', step: 'tls', host: 'c:443' }).cause, /accepted the TCP connection but did not answer the TLS handshake/)
  assert.match(diagnose({ code: 'UND_ERR_HEADERS_TIMEOUT', step: 'http', host: 'c:443', requestKind: 'preconnect' }).cause, /did not answer the preconnect request in time/)
  const proxy = diagnose({ code: 'ECONNREFUSED', step: 'proxy', proxy: 'http://p:3128', host: 'p' })
  assert.match(proxy.cause, /^the proxy http:\/\/p:3128 refused the connection/)
  assert.match(proxy.fix, /proxy/)
  assert.match(diagnose({ status: 401, license: '' }).cause, /license key \(none is set\)/)
  assert.match(diagnose({ status: 504, step: 'proxy', host: 'c:443' }).cause, /could not reach c:443/)
})

test('diagnose: the evidence summary passes (no step) still maps 407 and 401', () => {
  const fields = { code: undefined, status: 407, requestKind: 'metric_data', host: 'c.example', issuer: undefined, subject: undefined, license: 'Zq9X****', interference: undefined, path: undefined }
  assert.equal(diagnose(fields).id, 'proxy_auth')
  assert.equal(diagnose({ ...fields, status: 401 }).id, 'license_rejected')
})
