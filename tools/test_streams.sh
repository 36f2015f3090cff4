#!/usr/bin/env bash
# `make test` after set-up: the suite in two streams that run side by side, because most of its time is spent
# waiting on engines, not on the two cores.
#
#   shared   everything that uses the test engine's course names, one step after another: the exercises four
#            ways (two workers), the other engine tests as root, then as a docker-group learner.
#   isolated the tests that need no engine, and those that use only engines and names of their own (pytest
#            mark `isolated`: the Compose course, the class hub, the clean and 20.10 engines; what they make on
#            the test engine is named dvc-…, and tests/snapshot.py leaves it out), then the rootless pass, on
#            the rootless learner's own engine.
#
# Each stream writes its log (under $TEST_LOGS, default _build/test-logs); both logs are shown when both have
# ended, with each step's time. Every step runs even after one fails, so one run reports every failure; the exit
# code is the first failing step's.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
LOGS=${TEST_LOGS:-_build/test-logs}
mkdir -p "$LOGS"

exec 3>&1   # each step's start and end also reach the terminal as they happen

say() {  # to the stream's log and to the terminal (not `tee /dev/fd/3`: that opens the terminal's file anew,
          # and when it is a file, truncates it)
  echo "$*"
  echo "$*" >&3
}

step() {  # step NAME CMD...: run CMD, say how long it took; stop the stream at the first failure
  local name=$1 started=$SECONDS rc
  shift
  say "=== $name: $*"
  "$@"
  rc=$?
  say "=== $name: exit $rc after $((SECONDS - started)) s"
  return "$rc"
}

shared() {
  local rc=0
  step "exercises four ways, root" "$PY" -m pytest -n 2 --dist loadscope tests/test_exercises.py || rc=${rc/#0/$?}
  # Lesson commands and the labs as given run as the learner below, who is who types them.
  step "the rest, root" "$PY" -m pytest --ignore=tests/test_exercises.py -m "engine and not isolated" \
       -k "not every_lesson_command_runs and not lab_as_given" || rc=${rc/#0/$?}
  # What differs for a docker-group learner: read routes, reset, ownership. Each exercise solved, graded and
  # reset once; every lesson's commands; the labs as given, and the whole course solved then graded at once.
  step "exercises, docker-group learner" bash tools/learner.sh run -n 2 --dist loadscope tests/test_exercises.py \
       -k reset_returns || rc=${rc/#0/$?}
  step "lessons and labs, docker-group learner" bash tools/learner.sh run tests/test_lessons.py \
       tests/test_learner.py tests/test_labs.py -k "not reference_solutions" || rc=${rc/#0/$?}
  return "$rc"
}

isolated() {
  local rc=0
  step "no engine, and isolated engines" "$PY" -m pytest --ignore=tests/test_exercises.py -m "not engine or isolated" \
       || rc=${rc/#0/$?}
  # A second learner account runs its own rootless engine, stopped after, pass or fail.
  step "rootless learner" env COURSE_LEARNER=rootless-learner bash tools/rootless.sh run \
       bash tools/learner.sh run -n 2 --dist loadscope tests/test_exercises.py tests/test_rootless.py \
       -k "reset_returns or rootless" || rc=${rc/#0/$?}
  return "$rc"
}

started=$SECONDS
shared > "$LOGS/shared.log" 2>&1 &
shared_pid=$!
isolated > "$LOGS/isolated.log" 2>&1 &
isolated_pid=$!
echo "make test: two streams side by side; logs in $LOGS/shared.log and $LOGS/isolated.log"
wait "$isolated_pid"; isolated_rc=$?
echo "--- the isolated stream ended (exit $isolated_rc) after $((SECONDS - started)) s"
wait "$shared_pid"; shared_rc=$?
echo "--- the shared stream ended (exit $shared_rc) after $((SECONDS - started)) s"
for stream in isolated shared; do
  echo
  echo "################################ $stream stream ################################"
  cat "$LOGS/$stream.log"
done
echo
grep -h "^=== .*exit" "$LOGS/shared.log" "$LOGS/isolated.log"
echo "make test: both streams in $((SECONDS - started)) s"
[ "$shared_rc" = 0 ] || exit "$shared_rc"
exit "$isolated_rc"
