#!/bin/sh
# Like the official redis image's entrypoint: options alone (`--requirepass x`) or a .conf file
# mean "redis-server with these"; redis-server always gets `--protected-mode no` first (a later
# option on the command line wins), so published ports accept connections without a password.
# The working directory is /data, so a `command:` without --dir still keeps its data there.
# exec: redis-server is PID 1 and handles SIGTERM itself (saves, then exits).
set -eu
case "${1:-}" in
    -* | *.conf) set -- redis-server "$@" ;;
esac
if [ "${1:-}" = redis-server ]; then
    shift
    set -- redis-server --protected-mode no "$@"
fi
exec "$@"
