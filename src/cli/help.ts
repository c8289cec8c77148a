// `oneapm-agent-log --help`, in a module of its own so that printing it loads
// no command (main.ts requires a command's module only when it runs). The
// one-line entries repeat the first line of each command's own help; a test
// (test/cli/help.test.ts) keeps them equal.

export const HELP = `Usage: oneapm-agent-log <command> [options]

Commands:
  doctor   show the effective log config, check the destination, list what to fix
  demo     run a small host app with the agent logger embedded and show its log
  debug    start, stop or show a debug session in every process of the app (start|stop|status)
  bundle   write a redacted support bundle (.tar.gz) to send to OneAPM support; never uploads
  summary  what the log shows: collector timeline, errors, findings with fixes
  tail     the log's records in time order across rotated files; -f follows
  report   the summary as one offline HTML file: charts, a filterable events table

Options:
  -h, --help     help (also: oneapm-agent-log <command> --help)
  -v, --version  print the version

Usage: oneapm-agent-log doctor [--config FILE] [--json] [--connect [--timeout 10s]]
Usage: oneapm-agent-log demo [--config FILE]
Usage: oneapm-agent-log debug start|stop|status [options]
Usage: oneapm-agent-log bundle [--config FILE] [--since 24h] [--out DIR] [--max-size 32MB]
summary  what the log shows: identity, settings, collector timeline, levels over time, errors, findings with fixes
tail     the log's records in time order across rotated and gzipped files; -f follows it
report   the summary as one offline HTML file: charts, a filterable events table, the settings`

/** The commands, in the order HELP lists them after "Options" (each line is the first of that command's help). */
export const HELP_ORDER = ['doctor', 'demo', 'debug', 'bundle', 'summary', 'tail', 'report'] as const
