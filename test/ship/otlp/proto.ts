// Decodes OTLP/JSON against the official opentelemetry-proto definitions:
// the protobufjs code @opentelemetry/otlp-transformer generates from them.
// A payload is taken "without loss" when JSON → message → protobuf binary →
// message → JSON gives back exactly what we sent (empty arrays aside, which
// protobuf cannot tell from absent ones). fromObject drops unknown keys and
// the binary step drops what the wire format cannot carry, so a misspelt
// field, a wrong type or a malformed string shows as a difference.
import assert from 'node:assert/strict'

interface MessageType {
  fromObject (o: unknown): unknown
  encode (m: unknown): { finish (): Uint8Array }
  decode (b: Uint8Array): unknown
  toObject (m: unknown, options: Record<string, unknown>): unknown
}

const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { logs: { v1: { ExportLogsServiceRequest: MessageType, ExportLogsServiceResponse: MessageType } } } } }
}
export const ExportLogsServiceRequest = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest

/** Removes empty arrays (and keys left holding nothing else), as a protobuf round trip does. */
function withoutEmptyArrays (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyArrays)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.length === 0) continue
    out[k] = withoutEmptyArrays(v)
  }
  return out
}

/** The decoded request; fails the test when anything in `json` did not survive the protobuf round trip. */
export function decodeWithoutLoss (json: string): unknown {
  const sent: unknown = JSON.parse(json)
  const message = ExportLogsServiceRequest.fromObject(sent)
  const wire = ExportLogsServiceRequest.encode(message).finish()
  const back = ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(wire), { longs: String, enums: Number, defaults: false, arrays: false })
  // Through JSON once more: toObject's objects have protobufjs prototypes.
  assert.deepEqual(JSON.parse(JSON.stringify(back)), withoutEmptyArrays(sent))
  return back
}

/** OTLP/JSON rules protobufjs is lenient about: 64-bit integers and timestamps are decimal strings, enums integers. */
export function assertOtlpJsonRules (value: unknown, path = '$'): void {
  if (Array.isArray(value)) { value.forEach((v, i) => { assertOtlpJsonRules(v, `${path}[${i}]`) }); return }
  if (value === null || typeof value !== 'object') return
  for (const [k, v] of Object.entries(value)) {
    if (k === 'intValue' || k === 'timeUnixNano' || k === 'observedTimeUnixNano') {
      assert.equal(typeof v, 'string', `${path}.${k} must be a decimal string`)
      assert.match(v as string, /^-?\d+$/, `${path}.${k}`)
    } else if (k === 'severityNumber') {
      assert.ok(Number.isInteger(v), `${path}.${k} must be an integer`)
    } else {
      assertOtlpJsonRules(v, `${path}.${k}`)
    }
  }
}
