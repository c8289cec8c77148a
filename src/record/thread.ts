// The `threadName` of the Python layout: `main`, or the worker thread's id.
import { isMainThread, threadId } from 'node:worker_threads'

export const PID = process.pid
export const THREAD_NAME = isMainThread ? 'main' : `worker-${threadId}`
