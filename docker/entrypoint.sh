#!/bin/sh
# The image's entry point. `web` (the default): apply the migrations, then serve with gunicorn.
# `worker`: run background jobs. `scheduler`: send the reminders once a day and sweep the jobs
# every few minutes. `healthcheck`: exit 0 when /healthz answers 200.
# Anything else is run as it is, e.g. `docker compose run --rm web python manage.py shell`.
set -eu

case "${1:-web}" in
web)
    if [ "${MIGRATE_ON_START:-true}" = "true" ]; then
        python manage.py migrate --noinput
    fi
    # Workers: WEB_CONCURRENCY (gunicorn reads it). More options: GUNICORN_CMD_ARGS.
    exec gunicorn registry.wsgi:application \
        --bind "0.0.0.0:${PORT:-8000}" \
        --access-logfile - \
        --max-requests 2000 --max-requests-jitter 200
    ;;
worker)
    # Background jobs, from Redis (TASKS_BACKEND=redis, REDIS_URL) or from the database. Each
    # worker takes one job at a time: run several (`docker compose up --scale worker=3`).
    if [ "${TASKS_BACKEND:-database}" = "redis" ]; then
        exec python manage.py rqworker default --job-class django_tasks_rq.Job
    fi
    exec python manage.py db_worker --no-reload
    ;;
scheduler)
    # The reminders at start, then every REMINDER_INTERVAL seconds (a day); the jobs' sweep
    # (stale jobs failed, expired results deleted) every JOBS_SWEEP_INTERVAL seconds. A failed
    # run is logged and the loop goes on; `docker compose stop` ends the wait at once.
    trap 'exit 0' TERM INT
    reminded=0
    while :; do
        now=$(date +%s)
        if [ $((now - reminded)) -ge "${REMINDER_INTERVAL:-86400}" ]; then
            python manage.py send_reminders || echo "send_reminders failed with status $?" >&2
            reminded=$now
        fi
        python manage.py jobs_sweep || echo "jobs_sweep failed with status $?" >&2
        sleep "${JOBS_SWEEP_INTERVAL:-300}" &
        wait $!
    done
    ;;
healthcheck)
    # The probe must send a Host the site accepts: the first of ALLOWED_HOSTS.
    exec python - <<'PY'
import os
import sys
import urllib.request

hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
host = next((h for h in hosts if h and h != "*"), "localhost")
url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
try:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": host}), timeout=5):
        sys.exit(0)
except Exception as error:
    print(f"{url}: {error}", file=sys.stderr)
    sys.exit(1)
PY
    ;;
*)
    exec "$@"
    ;;
esac
