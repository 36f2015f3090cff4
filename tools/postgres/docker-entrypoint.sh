#!/bin/sh
# Entrypoint of the local PostgreSQL stand-in, following the official image's contract as the
# course uses it: POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER,
# POSTGRES_DB, PGDATA (the image sets it: /var/lib/postgresql/data up to 17, /var/lib/postgresql/18/docker
# from 18 on), /docker-entrypoint-initdb.d/*.sql|*.sh on first start only, the server run as the
# postgres user (UID 999), listening on port 5432. Authentication as in the official pg_hba.conf:
# trust on the Unix socket and from 127.0.0.1 and ::1 (initdb's defaults), then
# `host all all all METHOD` for every other client, METHOD being POSTGRES_HOST_AUTH_METHOD or else
# the server's password_encryption (scram-sha-256 from 14 on, md5 before). From 18 on, like the
# official image, it refuses to initialise a new database while PostgreSQL data or a mount sits in
# the pre-18 place, with the official message.
set -eu
PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA

# 18+ keeps PGDATA in a major-version folder (/var/lib/postgresql/MAJOR/docker, the layout pg_ctlcluster
# uses) under one volume at /var/lib/postgresql. Data in the old places means an image upgraded
# without its data; a mount at the old path means a volume the server would never use.
refuse_old_layout() {
    [ "$PGDATA" = "/var/lib/postgresql/${PG_MAJOR:-}/docker" ] || return 0
    found=
    for dir in /var/lib/postgresql /var/lib/postgresql/data /var/lib/postgresql/*/docker; do
        if [ -s "$dir/PG_VERSION" ]; then
            found="${found:+$found }$dir"
        fi
    done
    if [ -z "$found" ] && [ "$PG_MAJOR" -ge 18 ] && mountpoint -q /var/lib/postgresql/data; then
        found="/var/lib/postgresql/data (unused mount/volume)"
    fi
    [ -n "$found" ] || return 0
    # The official entrypoint's message (docker-library/postgres, docker_error_old_databases).
    cat >&2 <<EOF
Error: in 18+, these Docker images are configured to store database data in a
       format which is compatible with "pg_ctlcluster" (specifically, using
       major-version-specific directory names).  This better reflects how
       PostgreSQL itself works, and how upgrades are to be performed.

       See also https://github.com/docker-library/postgres/pull/1259

       Counter to that, there appears to be PostgreSQL data in:
         $found

       This is usually the result of upgrading the Docker image without
       upgrading the underlying database using "pg_upgrade" (which requires both
       versions).

       The suggested container configuration for 18+ is to place a single mount
       at /var/lib/postgresql which will then place PostgreSQL data in a
       subdirectory, allowing usage of "pg_upgrade --link" without mount point
       boundary issues.

       See https://github.com/docker-library/postgres/issues/37 for a (long)
       discussion around this process, and suggestions for how to do so.
EOF
    exit 1
}

if [ "${1:-}" = postgres ] && [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
        echo "Error: the database is uninitialized and no superuser password is set." >&2
        echo "       Pass -e POSTGRES_PASSWORD=... (or -e POSTGRES_HOST_AUTH_METHOD=trust)." >&2
        exit 1
    fi
    refuse_old_layout
    user=${POSTGRES_USER:-postgres}
    db=${POSTGRES_DB:-$user}
    pwfile=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD:-}" > "$pwfile"    # initdb reads the first line
    # trust on the socket and from 127.0.0.1/::1 is initdb's default, which the official image keeps.
    initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=trust \
        --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA"
    rm -f "$pwfile"
    # Every other client: the method the official entrypoint appends (pg_setup_hba_conf).
    auth=${POSTGRES_HOST_AUTH_METHOD:-$(postgres -C password_encryption -D "$PGDATA" 2>/dev/null || echo scram-sha-256)}
    printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
    if [ "$db" != postgres ]; then
        psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres -c "CREATE DATABASE \"$db\""
    fi
    for script in /docker-entrypoint-initdb.d/*; do
        case "$script" in
            *.sql) psql -v ON_ERROR_STOP=1 --username "$user" --dbname "$db" -f "$script" ;;
            *.sh) . "$script" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
