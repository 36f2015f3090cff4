#!/bin/sh
# Entrypoint of the local Redis stand-in, following the official image's contract as the course uses it:
# arguments that start with "-" (or a first argument ending in .conf) are options for redis-server, so
# `docker run redis:8 --appendonly yes` runs `redis-server --appendonly yes`; started as root, it hands
# /data's files to the redis user (UID 999) and runs the server as that user; the server's files are
# created with umask 0077 as in the official image. The official image builds redis-server with
# protected mode off by default; Debian's is built with it on, so the stand-in turns it off unless the
# arguments or the configuration file named first set protected-mode themselves.
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

if [ "$(umask)" = 0022 ]; then
    umask 0077
fi

if [ "$1" = redis-server ]; then
    sets_it=
    for arg in "$@"; do
        case "$arg" in --protected-mode|--protected-mode=*) sets_it=yes ;; esac
    done
    if [ -n "${2:-}" ] && [ "${2#-}" = "$2" ] && [ -f "$2" ] && grep -qiE '^[[:space:]]*protected-mode[[:space:]]' "$2"; then
        sets_it=yes
    fi
    if [ -z "$sets_it" ]; then
        set -- "$@" --protected-mode no
    fi
fi

exec "$@"
