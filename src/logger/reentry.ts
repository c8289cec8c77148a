// Set while a record is being formatted or handed to the host's logger, i.e.
// while code we don't own (toJSON, getters, the host's logger) may run. A log
// call made then would format a record that may log again: it is dropped and
// counted instead (stats().reentrant). Shared by every tree, so two trees
// can't bounce a record between them either.

export const guard = { busy: false }
