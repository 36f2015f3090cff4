#!/usr/bin/env bash
# Run tests as a learner is: a non-root Linux user in the `docker` group, with the course and its
# workspace in their home. Used by `make test` after the root run.
#
#   tools/learner.sh setup          create the user, give the docker group the socket, copy the course
#   tools/learner.sh run [ARGS...]  setup, then pytest ARGS as that user (default: the learner suite)
#   tools/learner.sh shell CMD...   setup, then run CMD as that user in their copy of the course
#
# What differs from root, and why it matters: /var/lib/docker/volumes cannot be read (volumes are
# read through the engine), files containers write as root into the workspace are not the user's to
# delete, `--user "$(id -u):$(id -g)"` is a real, unprivileged ID.
set -euo pipefail

LEARNER=${COURSE_LEARNER:-learner}
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$HERE/.venv/bin/python}
SOCKET=${DOCKER_SOCKET:-/var/run/docker.sock}
SUITE=(tests/test_exercises.py tests/test_lessons.py tests/test_labs.py tests/test_learner.py)

say() { printf 'learner: %s\n' "$*" >&2; }

setup() {
  [ "$(id -u)" = 0 ] || { say "setting up a learner account needs root"; exit 3; }
  getent group docker >/dev/null || groupadd --system docker
  id "$LEARNER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --groups docker "$LEARNER"
  id -nG "$LEARNER" | tr ' ' '\n' | grep -qx docker || usermod -aG docker "$LEARNER"
  # What Docker's packages do on a normal install: the docker group may use the socket.
  chgrp docker "$SOCKET" && chmod 660 "$SOCKET"
  # The course's Python lives in the developer's venv, whose interpreter may sit under /root:
  # let others traverse (not list) the folders on the way to it.
  local target dir
  target=$(readlink -f "$PY")
  dir=$(dirname "$target")
  while [ "$dir" != / ]; do chmod o+x "$dir"; dir=$(dirname "$dir"); done
  dir=$HERE
  while [ "$dir" != / ]; do chmod o+x "$dir"; dir=$(dirname "$dir"); done
  local home course
  home=$(getent passwd "$LEARNER" | cut -d: -f6)
  course=$home/course
  # A fresh copy of the course each run, as the learner would have it (their files, their home).
  rm -rf "$course"
  mkdir -p "$course"
  (cd "$HERE" && tar --exclude=./.venv --exclude=./_build --exclude=./.git --exclude='*/__pycache__' \
      --exclude=./.pytest_cache -cf - .) | tar -xf - -C "$course"
  chown -R "$LEARNER:$LEARNER" "$course"
}

as_learner() {
  local home
  home=$(getent passwd "$LEARNER" | cut -d: -f6)
  # A login-like environment: the learner's HOME, PATH and identity; the course's Python.
  runuser -u "$LEARNER" -- env -i HOME="$home" USER="$LEARNER" LOGNAME="$LEARNER" LANG=C.UTF-8 \
    PATH="$(dirname "$PY"):/usr/local/bin:/usr/bin:/bin" PYTHONPATH="$home/course" \
    COURSE_TESTS_AS_LEARNER=1 ${DOCKER_HOST:+DOCKER_HOST="$DOCKER_HOST"} \
    bash -c 'cd "$HOME/course" && exec "$@"' _ "$@"
}

case "${1:-run}" in
  setup) setup ;;
  run)
    shift || true
    setup
    [ $# -gt 0 ] || set -- "${SUITE[@]}"
    say "running the tests as $LEARNER (uid $(id -u "$LEARNER"), groups: $(id -nG "$LEARNER"))"
    as_learner "$PY" -m pytest -p no:cacheprovider "$@"
    ;;
  shell) shift; setup; as_learner "$@" ;;
  *) echo "usage: $0 setup|run [PYTEST ARGS]|shell CMD..." >&2; exit 2 ;;
esac
