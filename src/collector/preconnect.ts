// The agent's first, harmless call to its collector: `preconnect` asks which
// collector host to use and changes nothing on the server. It is the call
// `doctor --connect` makes, so the probe tests what the agent does first.
// The collector protocol is New Relic's (OneAPM's agents descend from it):
// POST /agent_listener/invoke_raw_method with the method, the marshal format,
// the protocol version and the license key in the query string, and a JSON
// array as body.

export const PRECONNECT = Object.freeze({
  method: 'POST',
  path: '/agent_listener/invoke_raw_method',
  protocolVersion: '17',
  body: '[]'
})

export interface CollectorRequest {
  readonly method: 'POST'
  /** Path and query, with the license key in it. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** The preconnect request for this license key (empty when none is set: the collector then answers 401). */
export function preconnectRequest (licenseKey: string | undefined, userAgent: string): CollectorRequest {
  const query = new URLSearchParams({
    method: 'preconnect',
    marshal_format: 'json',
    protocol_version: PRECONNECT.protocolVersion,
    license_key: typeof licenseKey === 'string' ? licenseKey : ''
  })
  return {
    method: 'POST',
    path: `${PRECONNECT.path}?${query.toString()}`,
    headers: { 'content-type': 'application/json', 'user-agent': typeof userAgent === 'string' ? userAgent : 'oneapm-agent-log' },
    body: PRECONNECT.body
  }
}
