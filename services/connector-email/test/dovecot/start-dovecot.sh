#!/usr/bin/env bash
# Start a throw-away Dovecot IMAP server on 127.0.0.1 only: plain IMAP (+STARTTLS) and implicit TLS.
# Usage: start-dovecot.sh [ROOT]   (ROOT defaults to a new mktemp dir). Prints ROOT.
# Ports can be moved with PLAIN_PORT / TLS_PORT (defaults 3143 / 3993); the tests pick free ones.
# Recipe: /work/shared/research/email.md Part 2 (Dovecot 2.3 syntax). No system service is used.
set -euo pipefail
PLAIN_PORT="${PLAIN_PORT:-3143}"; TLS_PORT="${TLS_PORT:-3993}"
ROOT="${1:-$(mktemp -d -t imaptest.XXXXXX)}"
mkdir -p "$ROOT"/{run,state,mail,log}
# login (dovenull) and auth (dovecot) processes must be able to traverse ROOT
chmod 755 "$ROOT"
# mail processes may not run as uid 0: use the invoking user, or nobody when root
if [ "$(id -u)" = 0 ]; then MUID=$(id -u nobody); MGID=$(id -g nobody); else MUID=$(id -u); MGID=$(id -g); fi
chown "$MUID:$MGID" "$ROOT/mail"
# passwd-file: user:{scheme}password  (two test users)
cat > "$ROOT/users" <<USERS
support@example.test:{PLAIN}secret
other@example.test:{PLAIN}secret
bench@example.test:{PLAIN}secret
USERS
chmod 644 "$ROOT/users"
# self-signed cert for the optional TLS listener
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -keyout "$ROOT/key.pem" -out "$ROOT/cert.pem" 2>/dev/null
cat > "$ROOT/dovecot.conf" <<CONF
# Private config: nothing from the system Dovecot config is read.
base_dir = $ROOT/run
state_dir = $ROOT/state
instance_name = imaptest-$(basename "$ROOT")
protocols = imap
listen = 127.0.0.1
log_path = $ROOT/log/dovecot.log
info_log_path = $ROOT/log/dovecot.log
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:$ROOT/mail/%u/Maildir
ssl = yes
ssl_cert = <$ROOT/cert.pem
ssl_key = <$ROOT/key.pem
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $ROOT/users
}
userdb {
  driver = static
  args = uid=$MUID gid=$MGID home=$ROOT/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PLAIN_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $TLS_PORT
    ssl = yes
  }
}
protocol imap {
  mail_max_userip_connections = 50
}
CONF
command -v dovecot >/dev/null || { echo "dovecot is not installed (apt-get install dovecot-imapd)" >&2; exit 69; }
# detached from our stdout/stderr, or a caller reading them would wait for the daemon to exit
dovecot -c "$ROOT/dovecot.conf" </dev/null >"$ROOT/log/start.out" 2>&1
# wait until the port answers (max ~10 s)
for i in $(seq 1 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/$PLAIN_PORT) 2>/dev/null; then break; fi
  sleep 0.2
done
echo "$ROOT"
