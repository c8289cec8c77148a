// One unref'd timer that looks, now and then, at what the host may have done
// to the agent's visibility: debug namespaces turned off, process.stdout or
// console replaced, fd 1/2 closed or redirected, the host's logger silenced.
// Never per record.

import { StdioProbe, type Interference } from '../diagnostics/stdio-probe'
import { DebugBridge, type DebugChange } from './debug-bridge'

export const DEFAULT_WATCH_MS = 10_000

export class HostWatch {
  readonly debug: DebugBridge
  private readonly stdio = new StdioProbe()
  private readonly timer: NodeJS.Timeout

  constructor (
    onDebug: (c: DebugChange) => void,
    private readonly onStdio: (i: Interference) => void,
    private readonly onTick: () => void,
    everyMs: number
  ) {
    this.debug = new DebugBridge(onDebug)
    this.timer = setInterval(() => { this.check() }, everyMs)
    this.timer.unref()
  }

  check (): void {
    this.debug.checkAll()
    for (const found of this.stdio.check()) this.onStdio(found)
    this.onTick()
  }

  stop (): void {
    clearInterval(this.timer)
  }
}
