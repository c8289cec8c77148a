// proxy is an http(s) URL; host is a host name with an optional port.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/load'

const load = (env: Record<string, string>): ReturnType<typeof loadConfig> => loadConfig({ env, file: false })

test('proxy: http(s) URLs are accepted, anything else is a problem and no proxy is used', () => {
  for (const good of ['http://proxy.local:3128', 'https://user:pw@proxy.example.com', 'HTTP://10.0.0.1:8080/', 'http://[::1]:3128']) {
    const cfg = load({ ONEAPM_PROXY: good })
    assert.deepEqual(cfg.problems, [], good)
    assert.equal(cfg.settings.proxy, good)
  }
  for (const bad of ['proxy.local:3128', 'socks5://proxy:1080', 'http://', 'http:// spaces /', 'ftp://x', 'http//x', 'not a url']) {
    const cfg = load({ ONEAPM_PROXY: bad })
    assert.equal(cfg.settings.proxy, undefined, bad)
    assert.deepEqual(cfg.problems.map((p) => [p.code, p.key]), [['CONFIG_INVALID_VALUE', 'proxy']], bad)
    assert.match(cfg.problems[0]?.accepted ?? '', /http:\/\/ or https:\/\//)
  }
})

test('host: a host name or address with an optional port; a scheme is stripped with a warning', () => {
  for (const good of ['collector.oneapm.com', 'collector.oneapm.com:443', '127.0.0.1:8080', 'localhost', '[::1]:8443', 'my-host_1.internal']) {
    const cfg = load({ ONEAPM_HOST: good })
    assert.deepEqual(cfg.problems, [], good)
    assert.equal(cfg.settings.host, good)
  }
  for (const [given, used] of [['https://collector.oneapm.com', 'collector.oneapm.com'], ['http://127.0.0.1:9/', '127.0.0.1:9']] as const) {
    const cfg = load({ ONEAPM_HOST: given })
    assert.equal(cfg.settings.host, used)
    assert.deepEqual(cfg.problems.map((p) => [p.code, p.key]), [['CONFIG_VALUE_ADJUSTED', 'host']])
    assert.match(cfg.problems[0]?.message ?? '', new RegExp(`using ${used.replace(/\./g, '\\.')}`))
  }
  for (const bad of ['collector.oneapm.com/path', 'a b', 'host:99999', 'host:', 'user@host', 'https://', ':443', 'ho$t', 'https://a/b?c']) {
    const cfg = load({ ONEAPM_HOST: bad })
    assert.equal(cfg.settings.host, undefined, bad)
    assert.deepEqual(cfg.problems.map((p) => [p.code, p.key]), [['CONFIG_INVALID_VALUE', 'host']], bad)
  }
})
