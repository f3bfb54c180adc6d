#!/usr/bin/env bash
# `make run`'s two processes, the web server and a Celery worker with beat inside it, and how
# Ctrl-C stops both within 10 s, even while the worker is in the middle of a task.
# Usage (from the project folder): config/run.sh VENV_BIN HOST:PORT
#
# Each runs in a process group of its own (job control, `set -m`), so Ctrl-C reaches this script
# only, and the script stops each whole group: runserver's autoreloader child and the worker's
# pool and beat processes with it. On Ctrl-C the worker would otherwise wait, in "Warm
# shutdown", for its running tasks to finish, however long they take.
set -m
bin=$1
address=$2
web=
worker=

alive() {
  local group
  for group in "$@"; do
    [ -n "$group" ] && kill -0 -- "-$group" 2>/dev/null && return 0
  done
  return 1
}

stop() {
  trap - INT TERM EXIT
  alive "$web" "$worker" || return 0
  echo "Stopping the web server and the worker…"
  # TERM to runserver's group, and to the worker's main process only: it stops taking tasks and
  # waits for the running ones (its pool processes must not be killed under it, or it hangs).
  [ -n "$web" ] && kill -TERM -- "-$web" 2>/dev/null
  [ -n "$worker" ] && kill -TERM "$worker" 2>/dev/null
  for _ in 1 2 3 4 5 6 7 8; do alive "$web" "$worker" || return 0; sleep 0.5; done
  # Still busy after 4 s: QUIT is Celery's cold shutdown, which ends the running tasks (their
  # data requests come back at the next start: docs/deploy.md, "When a worker dies").
  if alive "$worker"; then
    echo "The worker is still busy: stopping it without waiting for its task."
    kill -QUIT "$worker" 2>/dev/null
  fi
  for _ in 1 2 3 4; do alive "$web" "$worker" || return 0; sleep 0.5; done
  # Whatever is left of either group after 6 s.
  for group in $web $worker; do kill -KILL -- "-$group" 2>/dev/null; done
  return 0
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# Celery warns about running as root (the JSON-only serializer keeps that safe; production runs
# as its own user), a warning `make run` in a container could do nothing about.
PYTHONWARNINGS="ignore:You're running the worker with superuser privileges" \
  "$bin/celery" -A config worker --beat --loglevel INFO --concurrency 2 &
worker=$!
# Django's "do not use in production" banner: `make run` is not production, and says so.
DJANGO_RUNSERVER_HIDE_WARNING=true "$bin/python" manage.py runserver "$address" &
web=$!
# Either one ending (the port is taken, say) stops the other.
wait -n
