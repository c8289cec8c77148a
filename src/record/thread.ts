// The `threadName` of the Python layout: `main`, or the worker thread's id.
// node:worker_threads costs milliseconds to load: it is read when the first
// header is made (at configure), not when the package is required.
import type * as WorkerThreads from 'node:worker_threads'
import { lazy } from '../internal/lazy'

export const PID = process.pid

export const threadName = lazy(() => {
  const { isMainThread, threadId } = require('node:worker_threads') as typeof WorkerThreads
  return isMainThread ? 'main' : `worker-${threadId}`
})
