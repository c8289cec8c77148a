/** What a disabled level method becomes: one shared empty function. */
export function noop (): void {}
