#!/usr/bin/env bash
# Install Reintegra on one Debian/Ubuntu server with PostgreSQL: a system user, the database and its role, an
# environment file with fresh keys, and systemd units for the web server, the background worker, the
# reminders timer and the nightly encrypted backup. See docs/deploy.md. Run as root from the checked-out code:
#
#   deploy/install.sh --host reintegra.example.org [--app-dir /srv/reintegra] [--port 8000]
#
# Re-running it keeps the existing environment file (the keys protect data already written: never regenerate
# them) and rewrites the units. `--root DIR` writes every file under DIR and runs nothing (to read what it would
# do, and for the tests).
set -euo pipefail

HOST="" APP_DIR="/srv/reintegra" PORT="8000" ROOT="" DB_NAME="reintegra" DB_USER="reintegra" SYSTEM_USER="reintegra"
while [ $# -gt 0 ]; do
  case "$1" in
    --host) HOST="$2"; shift 2 ;;
    --app-dir) APP_DIR="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --root) ROOT="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$HOST" ] || { echo "install: --host is required (the name users type, e.g. reintegra.example.org)" >&2; exit 2; }
case "$PORT" in ''|*[!0-9]*) echo "install: --port must be a number" >&2; exit 2 ;; esac

run() { if [ -n "$ROOT" ]; then echo "would run: $*"; else "$@"; fi; }
ETC="$ROOT/etc/reintegra" UNITS="$ROOT/etc/systemd/system" ENV_FILE="$ROOT/etc/reintegra/reintegra.env"
PYTHON="${PYTHON:-python3}"
key() { "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))'; }
fernet_key() { "$PYTHON" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'; }

# 1. The system user that owns the process (no login shell, no home in /home).
if [ -z "$ROOT" ] && ! id "$SYSTEM_USER" >/dev/null 2>&1; then
  useradd --system --home-dir "$APP_DIR" --shell /usr/sbin/nologin "$SYSTEM_USER"
fi

# 2. The environment file: generated once, readable by root and the service only.
mkdir -p "$ETC" "$UNITS"
if [ -f "$ENV_FILE" ]; then
  echo "install: keeping $ENV_FILE (its keys protect the data already written)"
  # A file written before the metrics token existed gets one (a new value protects no data: safe to add).
  if ! grep -q '^REINTEGRA_METRICS_TOKEN=' "$ENV_FILE"; then
    printf '# The bearer token of the Prometheus scraper for /metrics (docs/deploy.md).\nREINTEGRA_METRICS_TOKEN=%s\n' "$(key)" >>"$ENV_FILE"
    echo "install: added REINTEGRA_METRICS_TOKEN to $ENV_FILE"
  fi
else
  DB_PASSWORD="$(key)"
  umask 077
  cat >"$ENV_FILE" <<ENV
# Reintegra production settings (docs/deploy.md). Back this file up apart from the database backups:
# without REINTEGRA_FIELD_KEYS the encrypted personal data cannot be read.
REINTEGRA_ENV=production
REINTEGRA_HOME=$APP_DIR/var
REINTEGRA_ALLOWED_HOSTS=$HOST
REINTEGRA_CSRF_TRUSTED_ORIGINS=https://$HOST
REINTEGRA_BASE_URL=https://$HOST
REINTEGRA_PROXY_COUNT=1
REINTEGRA_STATIC_ROOT=$APP_DIR/var/static
REINTEGRA_SECRET_KEY=$(key)
REINTEGRA_FIELD_KEYS=$(fernet_key)
REINTEGRA_BLIND_INDEX_KEY=$(key)
REINTEGRA_PSEUDONYM_KEY=$(key)
# Backups: a key of their own (not a field key); keep a copy of it off the server too (docs/backup.md).
REINTEGRA_BACKUP_KEY=$(fernet_key)
REINTEGRA_BACKUP_DIR=$APP_DIR/var/backups
# The bearer token of the Prometheus scraper for /metrics (docs/deploy.md "Metrics and request logs").
REINTEGRA_METRICS_TOKEN=$(key)
DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:5432/$DB_NAME
REINTEGRA_EMAIL_HOST=localhost
REINTEGRA_FROM_EMAIL=reintegra@$HOST
ENV
  umask 022
  if [ -z "$ROOT" ]; then chown root:"$SYSTEM_USER" "$ENV_FILE"; chmod 640 "$ENV_FILE"; fi
  # 3. The database and its role (only when the environment file is new: the password is in it).
  run runuser -u postgres -- psql -v ON_ERROR_STOP=1 -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'"
  run runuser -u postgres -- createdb --owner "$DB_USER" --encoding UTF8 "$DB_NAME"
fi

# 4. The units: web (gunicorn through `reintegra serve`), worker, and the reminders every 30 minutes.
unit() {  # name description command [extra [Service] lines]
  cat >"$UNITS/$1.service" <<UNIT
[Unit]
Description=$2
After=network.target postgresql.service
Wants=postgresql.service

[Service]
Type=simple
User=$SYSTEM_USER
Group=$SYSTEM_USER
WorkingDirectory=$APP_DIR
EnvironmentFile=/etc/reintegra/reintegra.env
ExecStart=$APP_DIR/.venv/bin/reintegra $3
${4:-Restart=always
RestartSec=5}
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full
ProtectHome=yes
ReadWritePaths=$APP_DIR/var

[Install]
WantedBy=multi-user.target
UNIT
}
unit reintegra-web "Reintegra web server" "serve --bind 127.0.0.1:$PORT"
unit reintegra-worker "Reintegra background worker" "worker"
unit reintegra-reminders "Reintegra reminders (what is due, into each inbox)" "send-reminders" "Type=oneshot"
sed -i '/^\[Install\]/,$d' "$UNITS/reintegra-reminders.service"  # started by its timer only
unit reintegra-backup "Reintegra encrypted backup" "backup" "Type=oneshot"
sed -i '/^\[Install\]/,$d' "$UNITS/reintegra-backup.service"
cat >"$UNITS/reintegra-backup.timer" <<UNIT
[Unit]
Description=Reintegra encrypted backup every night

[Timer]
OnCalendar=*-*-* 02:30
Persistent=true

[Install]
WantedBy=timers.target
UNIT
cat >"$UNITS/reintegra-reminders.timer" <<UNIT
[Unit]
Description=Reintegra reminders every 30 minutes

[Timer]
OnCalendar=*:0/30
Persistent=true

[Install]
WantedBy=timers.target
UNIT

# 5. Code, schema and static files, then start.
run mkdir -p "$APP_DIR/var"
run chown -R "$SYSTEM_USER:$SYSTEM_USER" "$APP_DIR/var"
run runuser -u "$SYSTEM_USER" -- sh -c "set -a; . /etc/reintegra/reintegra.env; cd $APP_DIR && .venv/bin/reintegra migrate --no-input && .venv/bin/reintegra load-places && .venv/bin/reintegra check --deploy"
run systemctl daemon-reload
run systemctl enable --now reintegra-web.service reintegra-worker.service reintegra-reminders.timer reintegra-backup.timer
echo "install: done. Next: the reverse proxy with TLS (deploy/nginx.conf), then 'reintegra createorg' and"
echo "         'reintegra createuser' (docs/deploy.md, steps 5 and 6)."
