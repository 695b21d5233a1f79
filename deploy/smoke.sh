#!/usr/bin/env bash
# A whole team install on one machine over loopback, under load (docs/deploy.md "Smoke and load test").
#
#   deploy/smoke.sh            200 users for 10 minutes while 1,000 posts fall due
#   deploy/smoke.sh --short    20 users for 60 s while 100 posts fall due (CI-sized)
#   options: --users N --duration SECONDS --posts N --keep (leave the data dir for a look)
#
# Uses the PostgreSQL and Redis answering on 127.0.0.1 (starts Debian's if they do not answer),
# in a database smoke_<pid> and a job queue of its own, both removed at the end. Starts the sandbox
# platform, then the web server and three job consumers with the ExecStart lines of deploy/systemd/
# (the scheduler and two socialops-worker@ instances), seeds a workspace, runs deploy/locustfile.py,
# checks that every post due was published exactly once, prints the table and stops everything.
# Exit status: 0 when there were no errors, no duplicate and no lost post; 1 otherwise (the
# latency targets are reported, not enforced: they depend on the machine).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${SOCIALOPS_BIN:-$(dirname "$(command -v socialops || echo "$ROOT/.venv/bin/socialops")")}"
PY="$BIN/python"

USERS=200 DURATION=600 POSTS=1000 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --short) USERS=20 DURATION=60 POSTS=100 ;;
    --users) USERS="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --posts) POSTS="$2"; shift ;;
    --keep) KEEP=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
for tool in "$BIN/socialops" "$BIN/locust" "$PY"; do
  [ -x "$tool" ] || { echo "$tool is missing: install socialops with its dev extras (make install)" >&2; exit 2; }
done

# ---- PostgreSQL and Redis -------------------------------------------------------------------
PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER="${SMOKE_PG_USER:-postgres}"
pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! pg_up; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start
fi
if ! redis_up; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
for _ in $(seq 1 30); do pg_up && redis_up && break; sleep 1; done
pg_up && redis_up || { echo "PostgreSQL or Redis did not come up" >&2; exit 1; }

DB="smoke_$$"
QUEUE="smoke_$$"
DATA="$(mktemp -d /tmp/socialops-smoke.XXXXXX)"
PIDS=() CONSUMERS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # As systemd stops them: SIGINT for the job consumers (Huey's graceful stop), SIGTERM for the
  # rest (gunicorn's graceful stop). A non-interactive shell's background jobs ignore SIGINT
  # unless they install their own handler, which Huey does.
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${CONSUMERS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}" "${CONSUMERS[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB" 2>/dev/null || true
  redis-cli -h 127.0.0.1 -n 13 --scan --pattern "*$QUEUE*" 2>/dev/null | xargs -r redis-cli -h 127.0.0.1 -n 13 del >/dev/null || true
  if [ "$KEEP" = 1 ]; then echo "data and logs kept in $DATA"; else rm -rf "$DATA"; fi
  exit "$status"
}
trap cleanup EXIT INT TERM

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WEB_PORT="$(free_port)"
SANDBOX_PORT="$(free_port)"

createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DB"
# The production profile of deploy/socialops.env.example, minus TLS (loopback has no proxy).
export SOCIALOPS_DATA_DIR="$DATA"
export DATABASE_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$DB"
export REDIS_URL="redis://127.0.0.1:6379/13"
export SOCIALOPS_HUEY_NAME="$QUEUE"
export SOCIALOPS_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SOCIALOPS_ALLOWED_HOSTS="127.0.0.1,localhost"
export SOCIALOPS_STATIC_MANIFEST=1
export SOCIALOPS_WEB_WORKERS=2 SOCIALOPS_THREADS=4 SOCIALOPS_WORKERS=4
export HOST=127.0.0.1 PORT="$WEB_PORT"
export SOCIALOPS_SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
# The sandbox is on loopback: outgoing requests may go there (as `make demo` allows).
export SOCIALOPS_EGRESS_ALLOW="127.0.0.0/8,::1/128"
export PYTHONUNBUFFERED=1

# The exact command of a unit, with this installation's bin dir for /opt/socialops/venv/bin.
unit_command() {
  sed -n 's/^ExecStart=//p' "$ROOT/deploy/systemd/$1" | sed "s#/opt/socialops/venv/bin#$BIN#"
}

echo "$(date +%T) == setting up (database $DB, data $DATA)"
"$BIN/socialops" migrate --noinput -v 0
"$BIN/socialops" collectstatic --noinput -v 0
"$BIN/socialops" sandbox --port "$SANDBOX_PORT" --rate-limit 0 >"$DATA/sandbox.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do curl -sf -o /dev/null "$SOCIALOPS_SANDBOX_URL/sandbox/health" && break; sleep 0.5; done
echo "$(date +%T) == seeding"
ACCOUNTS=$(( POSTS / 20 > 10 ? POSTS / 20 : 10 ))
# The posts fall due from 30 s after the load starts until a minute before it ends.
SPREAD=$(( DURATION > 150 ? DURATION - 90 : DURATION / 2 ))
"$PY" "$ROOT/deploy/load_seed.py" seed --sandbox "$SOCIALOPS_SANDBOX_URL" --out "$DATA/seed.json" \
  --accounts "$ACCOUNTS" --posts "$POSTS" --users 10 \
  >/dev/null 2>"$DATA/seed.log" || { cat "$DATA/seed.log" >&2; exit 1; }

echo "$(date +%T) == starting 2 web processes and 3 job consumers (the systemd units' commands)"
$(unit_command socialops-web.service) >"$DATA/web.log" 2>&1 &
PIDS+=($!)
$(unit_command socialops-scheduler.service) >"$DATA/scheduler.log" 2>&1 &
CONSUMERS+=($!)
for n in 1 2; do
  $(unit_command socialops-worker@.service) >"$DATA/worker$n.log" 2>&1 &
  CONSUMERS+=($!)
done
for _ in $(seq 1 120); do
  curl -sf -o /dev/null "http://127.0.0.1:$WEB_PORT/healthz" && break
  sleep 0.5
done
curl -sf -o /dev/null "http://127.0.0.1:$WEB_PORT/healthz" || { echo "the web server did not answer" >&2; tail -20 "$DATA/web.log" >&2; exit 1; }
# The posts' due times start now: re-queue them relative to this moment (set-up time varies).
"$PY" "$ROOT/deploy/load_seed.py" due --seed "$DATA/seed.json" --start-in 30 --spread "$SPREAD"

echo "$(date +%T) == load: $USERS users for $DURATION s, $POSTS posts falling due (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
LOAD_SEED="$DATA/seed.json" "$BIN/locust" -f "$ROOT/deploy/locustfile.py" --headless --only-summary \
  -u "$USERS" -r "$(( USERS / 10 > 1 ? USERS / 10 : 2 ))" -t "${DURATION}s" --stop-timeout 10 \
  --host "http://127.0.0.1:$WEB_PORT" --csv "$DATA/locust" >"$DATA/locust.log" 2>&1 || true
LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "$(date +%T) == checking the posts (duplicates, lost, lateness)"
"$PY" "$ROOT/deploy/load_seed.py" verify --sandbox "$SOCIALOPS_SANDBOX_URL" --seed "$DATA/seed.json" \
  --wait 180 >"$DATA/verify.json" || true
"$PY" "$ROOT/deploy/load_seed.py" report --csv "$DATA/locust_stats.csv" --verify "$DATA/verify.json" \
  --loadavg "$LOADAVG" --users "$USERS" --duration "$DURATION"
