#!/usr/bin/env bash
# A rootless Docker Engine for the course's learner account (tools/learner.sh), so the tests also run
# against the engine where container root is the learner and every other container UID is one of the
# learner's subordinate UIDs. It is Docker's own dockerd-rootless.sh with RootlessKit, both from the
# Debian trixie tree the main engine runs from (tools/engine.sh); newuidmap and slirp4netns come from
# the host. It has its own socket, data (in the learner's home) and network: the main engine is untouched.
#
#   tools/rootless.sh start        (root) start it for the learner and build the lab images in it;
#                                  prints its DOCKER_HOST (unix:///run/user/UID/docker.sock)
#   tools/rootless.sh stop         (root) stop it and everything it runs
#   tools/rootless.sh run CMD...   (root) start, run CMD with DOCKER_HOST set to it, stop, even on failure
set -euo pipefail

LEARNER=${COURSE_LEARNER:-learner}
CACHE=${COURSE_CACHE:-/var/cache/docker-volumes-course}
ROOT=$CACHE/trixie-engine                      # debootstrapped trixie with docker.io (tools/engine.sh)
BIN=$CACHE/rootless-bin                        # what the learner's processes run from outside the tree
LOG=$CACHE/dockerd-rootless.log
PIDFILE=$CACHE/dockerd-rootless.pid            # RootlessKit's parent process
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$HERE/.venv/bin/python}

say() { printf 'rootless: %s\n' "$*" >&2; }
fail() { say "$*"; exit 3; }

apt_install() {
  command -v "$1" >/dev/null 2>&1 && return 0
  say "installing $2 from Debian"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

grant_subordinate_ids() {   # 65536 UIDs and GIDs for the learner's containers, after any range in use
  local file flag start
  for file in /etc/subuid /etc/subgid; do
    touch "$file"
    grep -q "^$LEARNER:\|^$(id -u "$LEARNER"):" "$file" && continue
    start=$(awk -F: 'BEGIN { next_free = 100000 } $2 + $3 > next_free { next_free = $2 + $3 } END { print next_free }' \
            /etc/subuid /etc/subgid)
    flag=--add-subuids; [ "$file" = /etc/subgid ] && flag=--add-subgids
    usermod "$flag" "$start-$((start + 65535))" "$LEARNER"
  done
}

prepare() {
  [ "$(id -u)" = 0 ] || fail "starting a rootless engine for $LEARNER needs root (to set up the account)"
  [ -x "$ROOT/usr/sbin/dockerd" ] || bash "$HERE/tools/engine.sh" tree
  [ -x "$ROOT/usr/share/docker.io/contrib/dockerd-rootless.sh" ] || fail "$ROOT has no dockerd-rootless.sh"
  id "$LEARNER" >/dev/null 2>&1 || bash "$HERE/tools/learner.sh" setup
  apt_install newuidmap uidmap
  apt_install slirp4netns slirp4netns
  if [ ! -x "$ROOT/usr/bin/rootlesskit" ]; then
    # In the tree, not on the host: dockerd 26 needs RootlessKit's rootlesskit-docker-proxy on its PATH.
    say "installing rootlesskit into $ROOT"
    { chroot "$ROOT" apt-get install -y -qq --no-install-recommends rootlesskit \
      || { chroot "$ROOT" apt-get update -qq && chroot "$ROOT" apt-get install -y -qq --no-install-recommends rootlesskit; }
    } >/dev/null 2>&1 || fail "could not install rootlesskit into $ROOT"
  fi
  grant_subordinate_ids
  local why
  why=$(setpriv --reuid="$LEARNER" --regid="$(id -g "$LEARNER")" --init-groups unshare --user --map-root-user true 2>&1) \
    || fail "$LEARNER cannot create a user namespace here ($why), and rootless Docker needs one: see the sysctls" \
            "user.max_user_namespaces, kernel.unprivileged_userns_clone, kernel.apparmor_restrict_unprivileged_userns"
  install -d -m 755 "$BIN"
  ln -sf "$ROOT/usr/bin/rootlesskit" "$BIN/rootlesskit"   # a Go binary that runs on the host's libc
  install -m 755 "$HERE/tools/rootless-dockerd" "$BIN/rootless-dockerd"
}

answers() { DOCKER_HOST=$1 docker info --format '{{.SecurityOptions}}' 2>/dev/null | grep -q rootless; }

start() {
  prepare
  local uid gid home run host pid
  uid=$(id -u "$LEARNER"); gid=$(id -g "$LEARNER")
  home=$(getent passwd "$LEARNER" | cut -d: -f6)
  run=/run/user/$uid                               # what a login would give the learner as XDG_RUNTIME_DIR
  host=unix://$run/docker.sock
  if answers "$host"; then say "a rootless engine already answers"; echo "$host"; return 0; fi
  stop quietly                                     # one this script started that hangs, if any
  install -d -m 700 -o "$uid" -g "$gid" "$run"
  # Nothing runs, so the engine's runtime state there is stale (left by a killed engine). Its PID files
  # count in that engine's own PID namespace, where the next one may well reuse the numbers, and then
  # dockerd and containerd would wait for a process that is not theirs.
  rm -rf "$run/docker.pid" "$run/docker" "$run/dockerd-rootless"
  say "starting a rootless dockerd (trixie) as $LEARNER"
  # --pidns: every process of the engine lives in one PID namespace, so none outlives it.
  (cd "$home" && exec setsid setpriv --reuid="$uid" --regid="$gid" --init-groups \
     env -i HOME="$home" USER="$LEARNER" LOGNAME="$LEARNER" LANG=C.UTF-8 XDG_RUNTIME_DIR="$run" \
       PATH="$BIN:/usr/local/bin:/usr/bin:/bin" DOCKERD="$BIN/rootless-dockerd" COURSE_ENGINE_USR="$ROOT/usr" \
       DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS=--pidns \
       sh "$ROOT/usr/share/docker.io/contrib/dockerd-rootless.sh" --iptables=false --ip6tables=false
  ) >"$LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PIDFILE"
  for _ in $(seq 1 120); do
    if answers "$host"; then
      say "rootless engine $(DOCKER_HOST=$host docker version --format '{{.Server.Version}}') answers at $host"
      DOCKER_HOST=$host "$PY" "$HERE/tools/standin_images.py"
      echo "$host"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  say "the rootless engine did not come up; last lines of $LOG:"
  grep -v '^+ ' "$LOG" | tail -15 >&2
  stop
  exit 3
}

stop() {
  [ -f "$PIDFILE" ] || { [ "${1:-}" = quietly ] || say "no rootless engine started by this script"; return 0; }
  local pid; pid=$(cat "$PIDFILE")
  if kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = rootlesskit ]; then
    kill -TERM "$pid"                              # RootlessKit passes it on: dockerd stops its containers
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      say "the rootless engine did not stop in 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped the rootless engine"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  run)
    shift
    [ $# -gt 0 ] || { echo "usage: $0 run CMD..." >&2; exit 2; }
    host=$(start)
    trap 'status=$?; stop; exit $status' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    DOCKER_HOST=$host "$@"
    ;;
  *) echo "usage: $0 start|stop|run CMD..." >&2; exit 2 ;;
esac
