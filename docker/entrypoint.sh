#!/bin/sh
# The image's entry point. `web` (the default): apply the migrations, then serve with gunicorn.
# `scheduler`: send the reminders once a day. `healthcheck`: exit 0 when /healthz answers 200.
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
scheduler)
    # Once at start, then every REMINDER_INTERVAL seconds (a day). A failed run is logged and
    # the loop goes on; `docker compose stop` ends the wait at once.
    trap 'exit 0' TERM INT
    while :; do
        python manage.py send_reminders || echo "send_reminders failed with status $?" >&2
        sleep "${REMINDER_INTERVAL:-86400}" &
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
