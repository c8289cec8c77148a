// Log lines that reach a bundle's summary.txt and report.html (events and
// errors from a minute ago, within --since), each holding a planted secret,
// in the text and JSON layouts, as a logger before redaction would have
// written them.
import { BEARER, KEY, PROXY_PW } from './bundle'

export function summaryPlants (now = Date.now()): string[] {
  const at = (s: number): Date => new Date(now - 60_000 + s * 1000)
  // The text layout's time: `2026-11-21 13:18:00,123+0000`.
  const text = (s: number): string => at(s).toISOString().replace('T', ' ').replace('.', ',').replace('Z', '+0000')
  const proxy = `http://bob:${PROXY_PW}@proxy.example:3128`
  return [
    JSON.stringify({ time: at(0).toISOString(), level: 'info', name: 'oneapm', pid: 321, thread: 'main', msg: 'agent started', event: 'agent_start', version: '0.1.0', node: process.version, settings: { license_key: `${KEY} (agent.config:2 [oneapm])`, proxy: `${proxy} (agent.config:3 [oneapm])`, log_level: 'debug (agent.config:5 [oneapm])' } }),
    `${text(1)} (321/main) oneapm.collector ERROR - collector rejected license ${KEY} event=collector_error cause="HTTP 401 via ${proxy}" url=https://collector.example/connect status=401`,
    `${text(2)} (321/main) oneapm.http WARNING - retrying with Authorization: Bearer ${BEARER} event=host_interference cause="Bearer ${BEARER}"`,
    `${text(3)} (321/main) oneapm.collector ERROR - upload failed for key ${KEY.toLowerCase()} password=${PROXY_PW}`,
    // The summary keeps 1,000 characters of a message: the key straddles that cut, so it must be masked before it.
    `${text(4)} (322/main) oneapm.collector WARNING - ${'y'.repeat(1000 - 12)}${KEY} rejected`,
    JSON.stringify({ time: at(4).toISOString(), level: 'error', name: 'oneapm.collector', pid: 322, thread: 'main', msg: `rejected ${KEY} through ${proxy}`, event: 'collector_error', cause: `Bearer ${BEARER}`, license_key: KEY, url: 'https://collector.example/metric_data', status: 403 })
  ]
}
