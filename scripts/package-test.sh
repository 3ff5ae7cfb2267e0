#!/usr/bin/env bash
# The Debian package, installed for real, as root on a Debian machine (CI's): it builds
# the package from an existing build, then
#
#   1. under systemd: boots this machine's own system under systemd (systemd-nspawn, in a
#      throwaway overlay, so nothing here changes), installs the package with dpkg -i,
#      checks the first start (the service's user, its files, the one-time password in
#      the journal and nowhere else), makes data (the administrator's own password, a
#      user, a message), edits the config, installs a higher version over it (data and
#      edited config survive, the service starts again), then removes (data kept) and
#      purges (data gone);
#   2. on this machine, without systemd: dpkg -i, `systemd-analyze verify` and
#      `security`, the installed binary's --version and `serve --check-config` on the
#      installed config, dpkg -r and dpkg -P.
#
# Usage: scripts/package-test.sh [PROFILE]    (default: dev, the build `cargo test` made;
#        release for `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE=${1:-dev}
CARGO_DEB_VERSION=3.8.0
export DEBIAN_FRONTEND=noninteractive
TARGET_DIR=${CARGO_TARGET_DIR:-target}
OUT=$TARGET_DIR/package-test
URL=http://127.0.0.1:8470

step() { printf '\n== [%s] %s\n' "$(date +%T)" "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
expect() { # expect DESCRIPTION COMMAND...: the command must succeed
  local what=$1; shift
  "$@" || fail "$what"
  echo "ok: $what"
}
fails() { ! "$@"; }

step "tools"
need=()
command -v systemd-nspawn >/dev/null 2>&1 || need+=(systemd-container)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
  cargo install --quiet --locked cargo-deb --version "$CARGO_DEB_VERSION"
fi

step "build the packages: this version, and a higher one for the upgrade"
rm -rf "$OUT" && mkdir -p "$OUT"
# `cargo deb` warns that a dev build is not for release: CI packages the build it tested.
cargo deb --quiet --no-build --profile "$PROFILE" --fast -o "$OUT/old.deb" 2>/dev/null
cargo deb --quiet --no-build --profile "$PROFILE" --fast --deb-revision 2 -o "$OUT/new.deb" 2>/dev/null
OLD=$(realpath "$OUT/old.deb")
NEW=$(realpath "$OUT/new.deb")
old_version=$(dpkg-deb -f "$OLD" Version)
new_version=$(dpkg-deb -f "$NEW" Version)
expect "$new_version is higher than $old_version" dpkg --compare-versions "$new_version" gt "$old_version"
expect "the package holds the binary, unit, config, man page, completions and themes" \
  bash -c "dpkg -c '$OLD' | awk '{print \$6}' > '$OUT/contents' && for f in \
    ./usr/bin/wardround ./usr/lib/systemd/system/wardround.service ./etc/wardround/config.toml \
    ./usr/share/man/man1/wardround.1.gz ./usr/share/bash-completion/completions/wardround \
    ./usr/share/zsh/vendor-completions/_wardround ./usr/share/fish/vendor_completions.d/wardround.fish \
    ./usr/share/wardround/themes/high-contrast.toml; do grep -qxF \"\$f\" '$OUT/contents' || { echo \"missing \$f\"; exit 1; }; done"
expect "the config is a conffile" bash -c "dpkg-deb -I '$OLD' conffiles | grep -qxF /etc/wardround/config.toml"

# ---------------------------------------------------------------------------------------
step "1. under systemd: boot this machine's system in a throwaway overlay"
MACHINE=$(mktemp -d /tmp/wardround-machine.XXXXXX)
NSPAWN=""
INIT=""
cleanup() {
  if [ -n "$INIT" ] && kill -0 "$INIT" 2>/dev/null; then
    nsenter -t "$INIT" -a systemctl poweroff --no-block >/dev/null 2>&1 || true
    for _ in $(seq 1 30); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 1; done
    kill -9 "$INIT" 2>/dev/null || true
  fi
  [ -n "$NSPAWN" ] && wait "$NSPAWN" 2>/dev/null || true
  umount -R "$MACHINE/root" 2>/dev/null || true
  umount -R "$MACHINE" 2>/dev/null || true
  rmdir "$MACHINE" 2>/dev/null || true
}
trap cleanup EXIT
mount -t tmpfs -o size=2g,mode=0755 tmpfs "$MACHINE"
mkdir -p "$MACHINE"/{upper,work,root}
mount -t overlay overlay -o "lowerdir=/,upperdir=$MACHINE/upper,workdir=$MACHINE/work" "$MACHINE/root"
# Its own network (loopback only) and its own machine id: it shares nothing it could spoil.
rm -f "$MACHINE/root/etc/machine-id"
# A container image's policy-rc.d forbids starting services; a server has none.
rm -f "$MACHINE/root/usr/sbin/policy-rc.d"
# The unit starts after network-online.target; the machine's private link never gets an
# address, so waiting for one would only add two minutes.
ln -sf /dev/null "$MACHINE/root/etc/systemd/system/systemd-networkd-wait-online.service"
# The packages, wherever this checkout is (its /tmp is the machine's own, not this one's).
systemd-nspawn -D "$MACHINE/root" --boot --register=no --keep-unit --private-network \
  --bind-ro="$(realpath "$OUT"):/mnt/packages" \
  --machine=wardround-ci >"$OUT/machine.log" 2>&1 </dev/null &
NSPAWN=$!
for _ in $(seq 1 50); do
  INIT=$(pgrep -P "$NSPAWN" -x systemd || true)
  [ -n "$INIT" ] && break
  sleep 0.2
done
[ -n "$INIT" ] || { cat "$OUT/machine.log"; fail "systemd did not start in the machine"; }
on() { nsenter -t "$INIT" -a -r -w "$@"; }
# said PATTERN [journalctl options]: the service's journal holds a line matching PATTERN.
said() { local pattern=$1; shift; on journalctl -u wardround -o cat --no-pager "$@" | grep -q -- "$pattern"; }
# shown FORMAT FILE...: stat's answer for the files, the same for all of them.
shown() { local format=$1; shift; on stat -c "$format" "$@" | sort -u; }
state=""
for _ in $(seq 1 240); do
  state=$(on systemctl is-system-running 2>/dev/null || true)
  case "$state" in running | degraded) break ;; esac
  sleep 0.5
done
echo "the machine's systemd: $state"
[ "$state" = running ] || on systemctl --failed --no-pager || true
case "$state" in running | degraded) ;; *) cat "$OUT/machine.log"; fail "boot: $state" ;; esac
on systemctl --version | head -n 1

# A machine that never had the package: without the user an earlier install left here.
on sh -c 'userdel wardround; groupdel wardround; true' 2>/dev/null

step "1a. dpkg -i $old_version: the first start under systemd"
on dpkg -i /mnt/packages/old.deb 2>&1 | tee "$OUT/install.log"
expect "the package made the system user wardround" \
  test "$(on getent passwd wardround | cut -d: -f6-)" = "/var/lib/wardround:/usr/sbin/nologin"
expect "the service is running" on systemctl is-active --quiet wardround.service
expect "it is enabled at boot" on systemctl is-enabled --quiet wardround.service
pid=$(on systemctl show -p MainPID --value wardround.service)
expect "it runs as the user wardround" test "$(on ps -o user= -p "$pid")" = wardround
expect "it answers on $URL" on curl -fsS "$URL/healthz" -o /dev/null
expect "dpkg said where the one-time password went" grep -q "journalctl -u wardround" "$OUT/install.log"
on journalctl -u wardround.service -p warning -g 'one-time password' --no-pager -o cat >"$OUT/otp.log" || true
otp=$(sed -n 's/.*one-time password \([0-9a-f]\{18\}\) .*/\1/p' "$OUT/otp.log" | head -n 1)
expect "the journal holds the administrator's one-time password, at priority warning" test -n "$otp"
expect "no file in /etc, /var/lib or /tmp holds it" \
  fails grep -rqsF "$otp" "$MACHINE/upper/etc" "$MACHINE/upper/var/lib" "$MACHINE/upper/tmp"
expect "/var/lib/wardround is the service's alone (0700)" \
  test "$(shown '%U %a' /var/lib/wardround)" = "wardround 700"
expect "the database and the audit key are 0600, the service's" test \
  "$(shown '%U %a' /var/lib/wardround/wardround.sqlite /var/lib/wardround/audit.key)" = "wardround 600"
expect "the config is root's, readable by the service (0640)" \
  test "$(shown '%U:%G %a' /etc/wardround/config.toml)" = "root:wardround 640"
expect "the journal has the start-up at priority info, without a second timestamp" \
  said '^ *INFO .*listening on' -p info

step "systemd-analyze on the running unit"
on systemd-analyze verify /usr/lib/systemd/system/wardround.service
echo "ok: systemd-analyze verify"
on systemd-analyze security wardround.service --no-pager >"$OUT/security.log" || true
tail -n 1 "$OUT/security.log"
expect "the exposure is at most 2.0 (OK)" \
  bash -c "awk '/Overall exposure level/ { if (\$(NF-1)+0 > 2.0) exit 1; found=1 } END { exit !found }' '$OUT/security.log'"

step "1b. data: the administrator's own password, a user, a message; the config edited"
admin_password="correct-horse-ward-$RANDOM-round"
printf '%s\n%s\n' "$otp" "$admin_password" |
  on wardround --server "$URL" --user admin --password-stdin password
as_admin() { # as_admin ARGS...: the installed CLI, logged in as the administrator
  printf '%s\n' "$admin_password" | on wardround --server "$URL" --user admin --password-stdin "$@"
}
kpatel=$(as_admin admin user add kpatel --name "Kiran Patel" --role RN)
echo "$kpatel" | grep -q "one-time password" || fail "admin user add: $kpatel"
api() { # api METHOD PATH [JSON]: as the administrator
  on curl -fsS -X "$1" "$URL/api/v1$2" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' ${3:+-d "$3"}
}
token=$(on curl -fsS -X POST "$URL/api/v1/session" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$admin_password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
conversation=$(api POST /conversations '{"kind":"direct","members":["kpatel"]}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
message_id=$(python3 -c 'import uuid; print(uuid.uuid4())')
api POST "/conversations/$conversation/messages" \
  "{\"id\":\"$message_id\",\"body\":\"Bed 4 potassium 6.1, please review before the round\"}" >/dev/null
echo "ok: a message from admin to kpatel, $message_id"
# An edit IT makes: the port, and the log as JSON for a shipper.
on sed -i -e 's/^listen = "127.0.0.1:8470"/listen = "127.0.0.1:8471"/' \
  -e 's/^format = "text"/format = "json"/' /etc/wardround/config.toml
expect "the config now says 8471" on grep -q '^listen = "127.0.0.1:8471"' /etc/wardround/config.toml

step "1c. dpkg -i $new_version over it: the upgrade"
on dpkg -i /mnt/packages/new.deb </dev/null 2>&1 | tee "$OUT/upgrade.log"
expect "dpkg kept the edited config without asking" on grep -q '^listen = "127.0.0.1:8471"' /etc/wardround/config.toml
expect "no .dpkg-new or .dpkg-dist left beside it" \
  test "$(on ls /etc/wardround)" = config.toml
expect "the installed version is $new_version" \
  test "$(on dpkg-query -W -f='${Version}' wardround)" = "$new_version"
expect "the service is running again" on systemctl is-active --quiet wardround.service
new_pid=$(on systemctl show -p MainPID --value wardround.service)
expect "it was restarted by the upgrade (pid $pid -> $new_pid)" test "$new_pid" != "$pid"
URL=http://127.0.0.1:8471
expect "it listens where the edited config says ($URL)" on curl -fsS "$URL/healthz" -o /dev/null
on journalctl "_PID=$new_pid" -o json --no-pager >"$OUT/new-log"
expect "it logs as the edited config says (JSON), each line at its level's priority" python3 -c '
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
priority = {"ERROR": "3", "WARN": "4", "INFO": "6"}
assert entries, "no log lines"
for e in entries:
    line = json.loads(e["MESSAGE"])
    assert e["PRIORITY"] == priority[line["level"]], e
' "$OUT/new-log"
token=$(on curl -fsS -X POST "$URL/api/v1/session" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$admin_password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])') ||
  fail "the administrator's own password no longer logs in"
echo "ok: the administrator's own password still logs in"
as_admin admin user list >"$OUT/users.txt"
expect "the user kpatel survived" grep -q kpatel "$OUT/users.txt"
api GET "/conversations/$conversation/messages" >"$OUT/messages.json"
expect "the message survived" grep -q "$message_id" "$OUT/messages.json"
expect "the audit log verifies" as_admin admin audit verify
on install -d -o wardround -g wardround -m 0700 /var/backups/wardround
on runuser -u wardround -- wardround backup --database /var/lib/wardround/wardround.sqlite \
  /var/backups/wardround/wardround.sqlite | tee "$OUT/backup.log"
expect "a backup as the service's user, while it runs, holds the message" \
  grep -Eq '^messages[[:space:]]+1$' "$OUT/backup.log"
expect "no restart by Restart=on-failure was needed" \
  test "$(on systemctl show -p NRestarts --value wardround.service)" = 0

step "1d. a config error: the service stops as failed, saying why, and is not restarted"
on cp /etc/wardround/config.toml /root/config.good
on sh -c 'echo "bogus = 1" >> /etc/wardround/config.toml'
expect "systemctl restart fails" fails on systemctl restart wardround.service
sleep 3
shown=$(on systemctl show -p ActiveState -p ExecMainStatus -p NRestarts wardround.service | sort | tr '\n' ' ')
echo "$shown"
expect "the unit is failed, with exit status 78, never restarted" \
  test "$shown" = "ActiveState=failed ExecMainStatus=78 NRestarts=0 "
expect "the journal says why, at priority error" said 'unknown field .bogus.' -p err
on dpkg -i /mnt/packages/new.deb </dev/null >"$OUT/reinstall.log" 2>&1 || true
expect "installing over a broken config says the service is not running, and where to look" \
  grep -q "upgraded, but the service is not running" "$OUT/reinstall.log"
# A database where the unit lets the service write nothing (ProtectSystem=strict).
on cp /root/config.good /etc/wardround/config.toml
on sed -i 's|^database = .*|database = "/srv/wardround/wardround.sqlite"|' /etc/wardround/config.toml
expect "a database the service may not write: the restart fails" \
  fails on systemctl restart wardround.service
expect "... with status 78" test "$(on systemctl show -p ExecMainStatus --value wardround.service)" = 78
expect "... saying how to allow it" said 'ReadWritePaths=' -p err
on cp /root/config.good /etc/wardround/config.toml
on systemctl restart wardround.service
expect "with the config mended it starts again" on systemctl is-active --quiet wardround.service

step "1e. dpkg -r: the program goes, the data and the config stay"
on dpkg -r wardround
expect "the service is stopped" fails on systemctl is-active --quiet wardround.service
expect "the binary is gone" on test ! -e /usr/bin/wardround
expect "the database, the audit key and the checkpoints are kept" on test \
  -s /var/lib/wardround/wardround.sqlite -a -s /var/lib/wardround/audit.key \
  -a -s /var/lib/wardround/wardround.sqlite.audit-checkpoints
expect "the edited config is kept" on grep -q '^listen = "127.0.0.1:8471"' /etc/wardround/config.toml

step "1f. dpkg -P: everything goes"
on dpkg -P wardround
expect "the data is gone" on test ! -e /var/lib/wardround
expect "the config is gone" on test ! -e /etc/wardround
expect "the unit is gone" on test ! -e /usr/lib/systemd/system/wardround.service
cleanup
trap - EXIT

# ---------------------------------------------------------------------------------------
step "2. on this machine, without systemd as init: dpkg -i $old_version"
dpkg -i "$OLD" 2>&1 | tee "$OUT/host-install.log"
expect "dpkg said how to start it" grep -q "systemctl start wardround" "$OUT/host-install.log"
expect "--version" test "$(wardround --version)" = "wardround ${old_version%-*}"
systemd-analyze verify /usr/lib/systemd/system/wardround.service
echo "ok: systemd-analyze verify"
systemd-analyze security --offline=true /usr/lib/systemd/system/wardround.service --no-pager | tail -n 1
runuser -u wardround -- wardround serve --check-config --config /etc/wardround/config.toml
echo "ok: serve --check-config, as the service's user, on the installed config"
expect "the man page is installed" test -s /usr/share/man/man1/wardround.1.gz
dpkg -r wardround
expect "dpkg -r: the config stays" test -f /etc/wardround/config.toml
expect "dpkg -r: the state directory stays" test -d /var/lib/wardround
dpkg -P wardround
expect "dpkg -P: the config and the state directory go" test ! -e /etc/wardround -a ! -e /var/lib/wardround

step "the Debian package passed"
