#!/usr/bin/env bash
# Installs a prikklok kiosk on Raspberry Pi OS Bookworm Lite (64-bit), or with --server the
# central server on Debian; run again, it upgrades in place and keeps config and data.
#
#   sudo systemd/install.sh --server-url https://prikklok.example.nl --kiosk-id voordeur \
#       --token-file /root/voordeur.token
#   sudo systemd/install.sh --server --database-url postgresql+psycopg://prikklok@db/prikklok
#
# --root DIR writes every file under DIR instead of / and prints each system command as
# "would run: …" instead of running it: nothing outside DIR is touched. The tests run it so.
#
# The door is never stopped for an upgrade: the new version goes into a venv of its own
# beside the running one (/opt/prikklok/versions/VERSION/venv), is checked there, and only
# then does /opt/prikklok/venv, a symlink, point at it, and the door restarts.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

VENV=/opt/prikklok/venv  # a symlink to versions/VERSION/venv: what the units run
VERSIONS=/opt/prikklok/versions
PRIKKLOK=$VENV/bin/prikklok
ETC=/etc/prikklok
CONFIG=$ETC/prikklok.toml
TOKEN_PATH=$ETC/kiosk.token
SERVER_ENV=$ETC/server.env
KIOSK_USER=prikklok
KIOSK_DATA=/var/lib/prikklok
KIOSK_GROUPS=(spi gpio input video render audio)
SERVER_USER=prikklok-server
SERVER_DATA=/var/lib/prikklok-server
UNIT_DIR=/etc/systemd/system
WATCHDOG_CONF=/etc/systemd/system.conf.d/prikklok-watchdog.conf

# Building: spidev, RPi.GPIO and evdev compile against Python's and Linux's headers.
BUILD_PACKAGES=(python3 python3-venv python3-dev gcc linux-libc-dev sqlite3)
# The door: fonts for every script it shows (Latin, Arabic, Ge'ez, Cyrillic, symbols),
# espeak-ng for the word of the day, ALSA's aplay, mtdev for touchscreens, and what
# SDL2's KMS/DRM driver loads (DRM, GBM, EGL, GLES, Mesa's drivers); fake-hwclock keeps
# the last known time over a reboot on a Pi without a real-time clock.
KIOSK_PACKAGES=(fonts-noto-core fonts-sil-abyssinica fonts-dejavu-core espeak-ng alsa-utils
                libmtdev1 libdrm2 libgbm1 libegl1 libgles2 libgl1 libgl1-mesa-dri fake-hwclock)
KIOSK_UNITS=(prikklok-kiosk.service prikklok-kiosk-revive.service prikklok-kiosk-revive.timer
             prikklok-sync.service prikklok-backup.service prikklok-backup.timer
             prikklok-upgrade.service prikklok-upgrade.timer)
SERVER_UNITS=(prikklok-server.service prikklok-retention.service prikklok-retention.timer
              prikklok-digest.service prikklok-digest.timer
              prikklok-server-backup.service prikklok-server-backup.timer
              prikklok-alerts.service prikklok-alerts.timer)

MODE=kiosk
ROOT=""
SERVER_URL=""
KIOSK_ID=""
TOKEN=""
TOKEN_FILE=""
SOURCE=""
DATABASE_URL=""
WORKERS=""
YES=0
REBOOT=0
BUILD=0

usage() {
    cat <<'EOF'
usage: install.sh [--kiosk | --server] [options]

  --kiosk               a kiosk at a door (the default): Raspberry Pi OS Lite
  --server              the central server: Debian
  --server-url URL      kiosk: the server's address, e.g. https://prikklok.example.nl
  --kiosk-id ID         kiosk: its id, as registered with 'prikklok server add-kiosk'
  --token TOKEN         kiosk: its token (visible to other users in ps: prefer --token-file)
  --token-file FILE     kiosk: a file holding its token
  --database-url URL    server: the database (default: SQLite in /var/lib/prikklok-server)
  --workers N           server: uvicorn workers (default: 1 for SQLite, 4 for PostgreSQL)
  --source DIR          the prikklok source to install (default: this repository)
  --root DIR            write every file under DIR and print the system commands instead
                        of running them (a dry run; nothing outside DIR is touched)
  --build-under-root    with --root: really make the new venv under DIR (python3 -m venv,
                        pip install), to see an upgrade fail or succeed without a Pi
  --yes                 ask no questions: what is missing is an error
  -h, --help            this help

Run again to upgrade: config, token and data are kept, and the door runs on until the new
version is installed and checked. Missing answers are asked for when standard input is a
terminal.
EOF
}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# Every system command goes through here: under --root it is only printed.
run() {
    if [[ -n $ROOT ]]; then
        local word line="would run:"
        for word in "$@"; do
            if [[ $word =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then
                line+=" $word"
            else  # quoted as a shell would need it
                line+=" '${word//\'/\'\\\'\'}'"
            fi
        done
        printf '%s\n' "$line"
    else
        "$@"
    fi
}

# Where a system path lives for this run: under --root, inside DIR.
at() { printf '%s%s' "$ROOT" "$1"; }

# write_file MODE PATH: standard input becomes PATH (under --root), replaced atomically.
write_file() {
    local mode=$1 path
    path=$(at "$2")
    mkdir -p "$(dirname "$path")"
    local tmp
    tmp=$(mktemp "$path.XXXXXX")  # mode 0600 from the start: a token is never readable
    cat > "$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$path"
    sync "$path" 2>/dev/null || true
}

make_dir() {  # make_dir MODE OWNER PATH
    mkdir -p "$(at "$3")"
    chmod "$1" "$(at "$3")"
    run chown "$2" "$3"
}

user_exists() {
    if [[ -n $ROOT ]]; then
        grep -q "^$1:" "$(at /etc/passwd)" 2>/dev/null
    else
        getent passwd "$1" >/dev/null
    fi
}

ask() {  # ask VAR PROMPT [secret]
    [[ $YES -eq 0 && -t 0 ]] || return 1
    local answer
    if [[ ${3:-} == secret ]]; then
        read -r -s -p "$2: " answer
        echo >&2
    else
        read -r -p "$2: " answer
    fi
    printf -v "$1" '%s' "$answer"
}

parse_args() {
    while [[ $# -gt 0 ]]; do
        case $1 in
            --kiosk) MODE=kiosk ;;
            --server) MODE=server ;;
            --root) ROOT=${2:?--root needs a directory}; shift ;;
            --server-url) SERVER_URL=${2?}; shift ;;
            --kiosk-id) KIOSK_ID=${2?}; shift ;;
            --token) TOKEN=${2?}; shift ;;
            --token-file) TOKEN_FILE=${2:?--token-file needs a file}; shift ;;
            --source) SOURCE=${2:?--source needs a directory}; shift ;;
            --database-url) DATABASE_URL=${2?}; shift ;;
            --workers) WORKERS=${2?}; shift ;;
            --yes|-y) YES=1 ;;
            --build-under-root) BUILD=1 ;;
            -h|--help) usage; exit 0 ;;
            *) usage >&2; die "unknown option: $1" ;;
        esac
        shift
    done
}

check_setup() {
    [[ $BUILD -eq 0 || -n $ROOT ]] || die "--build-under-root goes with --root DIR"
    if [[ -n $ROOT ]]; then
        mkdir -p "$ROOT"
        ROOT=$(cd "$ROOT" && pwd)
        [[ $ROOT != / ]] || die "--root /: that is the real system; leave --root out"
    fi
    [[ -n $ROOT || $EUID -eq 0 ]] || die "run it as root (sudo), or as a dry run with --root DIR"
    SOURCE=$(cd "${SOURCE:-$HERE/..}" 2>/dev/null && pwd) || die "--source: no such directory"
    [[ -f $SOURCE/pyproject.toml ]] || die "$SOURCE: no pyproject.toml (not a prikklok source)"
    VERSION=$(sed -n 's/^version = "\([0-9A-Za-z.+_-]*\)"$/\1/p' "$SOURCE/pyproject.toml" | head -n 1)
    [[ -n $VERSION ]] || die "$SOURCE/pyproject.toml: no version = \"…\" line"
}

valid_url() { [[ $1 =~ ^https?://[^[:space:]\"\'\\]+$ ]]; }

# -- what the admin tells us, gathered before anything changes -----------------------------

kiosk_answers() {
    if [[ -f $(at "$CONFIG") ]]; then
        [[ -z $SERVER_URL && -z $KIOSK_ID ]] ||
            say "keeping $CONFIG as it is: --server-url and --kiosk-id only go into a new one"
    else
        [[ -n $SERVER_URL ]] || ask SERVER_URL "Server address (https://…)" ||
            die "give the server's address with --server-url URL"
        [[ -n $KIOSK_ID ]] || ask KIOSK_ID "Kiosk id (as in 'prikklok server add-kiosk ID')" ||
            die "give this kiosk's id with --kiosk-id ID"
        valid_url "$SERVER_URL" || die "--server-url: expected http(s)://host[:port], got '$SERVER_URL'"
        [[ $KIOSK_ID =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] ||
            die "--kiosk-id: use letters, digits, '.', '_' or '-' (max 64), got '$KIOSK_ID'"
    fi
    if [[ -n $TOKEN_FILE ]]; then
        [[ -r $TOKEN_FILE ]] || die "--token-file: cannot read $TOKEN_FILE"
        TOKEN=$(tr -d '[:space:]' < "$TOKEN_FILE")
        [[ -n $TOKEN ]] || die "--token-file: $TOKEN_FILE is empty"
    elif [[ -z $TOKEN && ! -s $(at "$TOKEN_PATH") ]]; then
        ask TOKEN "Kiosk token (as printed by 'prikklok server add-kiosk')" secret ||
            die "give the kiosk's token with --token-file FILE (or --token TOKEN)"
    fi
    [[ -z $TOKEN || $TOKEN =~ ^[[:graph:]]+$ ]] || die "the token holds spaces or control characters"
}

server_answers() {
    if [[ -f $(at "$SERVER_ENV") ]]; then
        [[ -z $DATABASE_URL && -z $WORKERS ]] ||
            say "keeping $SERVER_ENV as it is: --database-url and --workers only go into a new one"
        return
    fi
    DATABASE_URL=${DATABASE_URL:-sqlite+pysqlite:///$SERVER_DATA/server.db}
    [[ $DATABASE_URL =~ ^[a-z0-9+]+:// && $DATABASE_URL != *[[:space:]\'\\]* ]] ||
        die "--database-url: expected a URL like postgresql+psycopg://user@host/db"
    if [[ -z $WORKERS ]]; then
        case $DATABASE_URL in postgresql*) WORKERS=4 ;; *) WORKERS=1 ;; esac
    fi
    [[ $WORKERS =~ ^[1-9][0-9]*$ ]] || die "--workers: expected a whole number, at least 1"
    if [[ $DATABASE_URL == sqlite* && $WORKERS -gt 1 ]]; then
        say "warning: $WORKERS workers on SQLite; several workers are meant for PostgreSQL"
    fi
}

# -- the machine ---------------------------------------------------------------------------

pi_model() { { tr -d '\0' < "$(at /proc/device-tree/model)"; } 2>/dev/null || true; }  # quiet off a Pi

is_pi5() {  # Pi 5, Pi 500, CM5: GPIO behind the RP1 chip, where RPi.GPIO cannot reach
    case $(pi_model) in
        "Raspberry Pi 5"*|"Raspberry Pi Compute Module 5"*) return 0 ;;
    esac
    return 1
}

install_packages() {
    local packages=("${BUILD_PACKAGES[@]}")
    [[ $MODE == kiosk ]] && packages+=("${KIOSK_PACKAGES[@]}")
    # The nightly backup: rsync for a copy to another host, pg_dump for PostgreSQL.
    [[ $MODE == server ]] && packages+=(rsync)
    [[ $MODE == server && $DATABASE_URL == postgresql* ]] && packages+=(postgresql-client)
    say "Debian packages: ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    run apt-get update
    run apt-get install -y --no-install-recommends "${packages[@]}"
}

make_user() {  # make_user NAME HOME [GROUP…]
    local name=$1 home=$2
    shift 2
    local group
    for group in "$@"; do
        run groupadd --system --force "$group"  # --force: fine when it exists
    done
    local groups
    groups=$(IFS=,; echo "$*")
    if user_exists "$name"; then
        [[ $# -eq 0 ]] || run usermod --append --groups "$groups" "$name"
    else
        run useradd --system --user-group --home-dir "$home" --no-create-home \
            --shell /usr/sbin/nologin ${groups:+--groups "$groups"} "$name"
    fi
}

# -- the Raspberry Pi's boot files -----------------------------------------------------------

boot_dir() {
    if [[ -f $(at /boot/firmware/config.txt) ]]; then
        echo /boot/firmware
    elif [[ -f $(at /boot/config.txt) ]]; then
        echo /boot
    fi
}

# SPI on for the MFRC522: dtparam=spi=on in config.txt, every other line kept.
enable_spi() {
    local file=$1 text
    text=$(cat "$(at "$file")")
    if grep -Eq '^[[:space:]]*dtparam=([^#]*,)?spi=on' <<<"$text"; then
        return
    fi
    if grep -Eq '^[[:space:]]*#[[:space:]]*dtparam=spi=on' <<<"$text"; then
        text=$(sed -E '0,/^[[:space:]]*#[[:space:]]*dtparam=spi=on/s//dtparam=spi=on/' <<<"$text")
    elif grep -Eq '^[[:space:]]*dtparam=spi=off' <<<"$text"; then
        text=$(sed -E 's/^([[:space:]]*)dtparam=spi=off/\1dtparam=spi=on/' <<<"$text")
    else
        # After a [pi4] or [cm5] section, a line would apply to that board only.
        local last
        last=$( (grep -E '^[[:space:]]*\[' <<<"$text" || true) | tail -n 1 | tr -d '[:space:]')
        if [[ -n $last && $last != "[all]" ]]; then
            text+=$'\n[all]'
        fi
        text+=$'\n# SPI for the MFRC522 badge reader (prikklok)\ndtparam=spi=on'
    fi
    printf '%s\n' "$text" | write_file 0644 "$file"
    say "SPI turned on in $file"
    REBOOT=1
}

# The console never blanks: consoleblank=0 on the kernel's one-line command line.
no_blanking() {
    local file=$1 line
    line=$(head -n 1 "$(at "$file")")
    if [[ " $line " == *" consoleblank=0 "* ]]; then
        return
    fi
    if [[ " $line " == *" consoleblank="* ]]; then
        line=$(sed -E 's/(^|[[:space:]])consoleblank=[^[:space:]]*/\1consoleblank=0/' <<<"$line")
    else
        line="${line%"${line##*[![:space:]]}"} consoleblank=0"
    fi
    printf '%s\n' "$line" | write_file 0644 "$file"
    say "console blanking off in $file"
    REBOOT=1
}

hardware_watchdog() {
    local text
    text=$(cat <<'EOF'
# Written by prikklok's install.sh. systemd pets the Pi's hardware watchdog (bcm2835-wdt,
# which allows at most about 15 s): if the whole system hangs, the Pi reboots by itself.
[Manager]
RuntimeWatchdogSec=15
# A reboot that hangs is forced after two minutes.
RebootWatchdogSec=2min
EOF
)
    if [[ -f $(at "$WATCHDOG_CONF") && $(cat "$(at "$WATCHDOG_CONF")") == "$text" ]]; then
        return
    fi
    printf '%s\n' "$text" | write_file 0644 "$WATCHDOG_CONF"
    say "hardware watchdog: $WATCHDOG_CONF"
    REBOOT=1
}

pi_setup() {
    local boot
    boot=$(boot_dir)
    if [[ -z $boot ]]; then
        say "no /boot/firmware/config.txt: not a Raspberry Pi? SPI and console blanking left alone"
    else
        enable_spi "$boot/config.txt"
        if [[ -f $(at "$boot/cmdline.txt") ]]; then
            no_blanking "$boot/cmdline.txt"
        fi
    fi
    hardware_watchdog
}

# -- prikklok itself -------------------------------------------------------------------------

# A build step: run for real, also under --root with --build-under-root (paths under DIR).
build() {
    if [[ $BUILD -eq 1 ]]; then
        printf 'building: %s\n' "$*"
        "$@"
    else
        run "$@"
    fi
}

# The folder of the new venv: versions/VERSION, or VERSION-2, … while the link names it (the
# same version installed again): the running venv is never written to.
new_release() {
    local current folder=$VERSIONS/$VERSION n=1
    current=$(readlink "$(at "$VENV")" 2>/dev/null || true)
    while [[ $current == "versions/${folder##*/}/venv" ]]; do
        n=$((n + 1))
        folder=$VERSIONS/$VERSION-$n
    done
    printf '%s' "$folder"
}

# build_venv EXTRA: the new version in a venv of its own; NEW is its folder. The running
# version is not touched: when pip fails here, the script stops and the door runs on.
build_venv() {
    local extra=$1
    mkdir -p "$(at /opt/prikklok)"
    chmod 0755 "$(at /opt/prikklok)"
    NEW=$(new_release)
    rm -rf "$(at "$NEW")"  # a half-built venv of an earlier try
    mkdir -p "$(at "$NEW/venv")"
    local venv=$NEW/venv
    [[ $BUILD -eq 1 ]] && venv=$(at "$NEW/venv")
    local constraints=()
    [[ -f $SOURCE/constraints.txt ]] && constraints=(--constraint "$SOURCE/constraints.txt")
    build python3 -m venv "$venv" || die "the new venv could not be made; the running version is unchanged"
    build "$venv/bin/pip" install --quiet --upgrade pip ||
        die "pip could not upgrade itself in $NEW; the running version is unchanged"
    # A path, never a bare name: pip would take "prikklok" for a package on PyPI.
    build "$venv/bin/pip" install --quiet --upgrade "${constraints[@]}" "$SOURCE$extra" ||
        die "prikklok $VERSION did not install in $NEW; the running version is unchanged"
    if [[ $MODE == kiosk ]] && is_pi5; then
        say "Raspberry Pi 5: rpi-lgpio in place of RPi.GPIO"
        # Both provide the module RPi.GPIO: the one that cannot work on a Pi 5 goes, and
        # rpi-lgpio is reinstalled whole, since installing RPi.GPIO overwrote its files.
        build "$venv/bin/pip" uninstall --quiet --yes RPi.GPIO
        build "$venv/bin/pip" install --quiet --force-reinstall rpi-lgpio
    fi
}

# The new kiosk version's checks, as the door's user, before it may run the door.
check_kiosk_venv() {
    local checked=$NEW/venv/bin/prikklok  # not "prikklok": shellcheck reads prikklok-server as a sum
    run runuser -u "$KIOSK_USER" -- "$checked" config check --config "$CONFIG" ||
        die "prikklok $VERSION does not accept $CONFIG; the running version is unchanged"
    if [[ -f $(at "$KIOSK_DATA/journal.db") ]]; then
        run runuser -u "$KIOSK_USER" -- "$checked" journal --config "$CONFIG" migrate --dry-run ||
            die "prikklok $VERSION cannot migrate the journal; the running version is unchanged"
    fi
}

# /opt/prikklok/venv names the new venv after one rename. A plain venv from before
# versions/ steps aside first and goes once the new version runs.
switch_venv() {
    local link tmp
    link=$(at "$VENV")
    tmp=$(at "/opt/prikklok/.venv.new")
    rm -f "$tmp"
    ln -s "versions/${NEW##*/}/venv" "$tmp"
    if [[ -d $link && ! -L $link ]]; then
        rm -rf "$(at /opt/prikklok/.venv.plain)"
        mv -T "$link" "$(at /opt/prikklok/.venv.plain)"
    fi
    mv -T "$tmp" "$link"
    # The admin's shortcut: plain "prikklok" in a root shell.
    mkdir -p "$(at /usr/local/bin)"
    ln -sfn "$PRIKKLOK" "$(at /usr/local/bin/prikklok)"
    say "prikklok $VERSION in $NEW"
}

# The release folder the link names now (kept for going back); empty before versions/.
previous_release() {
    local target
    target=$(readlink "$(at "$VENV")" 2>/dev/null) || return 0
    target=${target%/venv}
    printf '%s' "${target##*/}"
}

# After the restart: the plain venv set aside, and releases older than the one before.
tidy_versions() {
    rm -rf "$(at /opt/prikklok/.venv.plain)"
    local keep_new=${NEW##*/} keep_old=${PREVIOUS:-} folder
    for folder in "$(at "$VERSIONS")"/*; do
        [[ -d $folder ]] || continue
        case ${folder##*/} in
            "$keep_new"|"$keep_old") ;;
            *) rm -rf "$folder" ;;
        esac
    done
}

install_units() {
    local unit
    for unit in "$@"; do
        write_file 0644 "$UNIT_DIR/$unit" < "$HERE/$unit"
    done
    run systemctl daemon-reload
}

upgrading() { [[ -f $(at "$UNIT_DIR/$1") ]]; }

# -- the two modes ----------------------------------------------------------------------------

install_kiosk() {
    kiosk_answers
    install_packages
    make_user "$KIOSK_USER" "$KIOSK_DATA" "${KIOSK_GROUPS[@]}"
    make_dir 0755 root:root "$ETC"
    make_dir 0750 "$KIOSK_USER:$KIOSK_USER" "$KIOSK_DATA"
    make_dir 0700 "$KIOSK_USER:$KIOSK_USER" "$KIOSK_DATA/backup"
    # Upgrades: the sync agent (prikklok) writes wanted.json, the installer (root, without
    # the right to override permissions) writes status.json: owner root, group prikklok.
    make_dir 0770 "root:$KIOSK_USER" "$KIOSK_DATA/upgrade"
    if [[ -f $(at "$CONFIG") ]]; then
        say "kept $CONFIG"
    else
        local text
        text=$(<"$HERE/prikklok.toml.template")
        text=${text//@KIOSK_ID@/$KIOSK_ID}
        text=${text//@SERVER_URL@/$SERVER_URL}
        printf '%s\n' "$text" | write_file 0640 "$CONFIG"
        run chown "root:$KIOSK_USER" "$CONFIG"
        say "wrote $CONFIG"
    fi
    if [[ -n $TOKEN ]]; then
        printf '%s\n' "$TOKEN" | write_file 0600 "$TOKEN_PATH"
        run chown "$KIOSK_USER:$KIOSK_USER" "$TOKEN_PATH"
        say "wrote $TOKEN_PATH"
    else
        say "kept $TOKEN_PATH"
    fi
    # The door runs on while the new version is built beside it and checked.
    PREVIOUS=$(previous_release)
    build_venv ""
    check_kiosk_venv
    if upgrading prikklok-kiosk.service && [[ -x $(at "$PRIKKLOK") ]]; then
        # A backup before the new version migrates the journal at its first start.
        run runuser -u "$KIOSK_USER" -- "$PRIKKLOK" journal backup --config "$CONFIG" ||
            say "no backup before the upgrade (see above); going on"
    fi
    switch_venv
    pi_setup
    install_units "${KIOSK_UNITS[@]}"
    run systemctl enable prikklok-kiosk.service prikklok-sync.service prikklok-backup.timer \
        prikklok-upgrade.timer
    run systemctl start prikklok-backup.timer prikklok-upgrade.timer
    if [[ $REBOOT -eq 1 ]]; then
        say "done: reboot now (sudo reboot) to turn on SPI, the watchdog and the display settings"
    else
        run systemctl restart prikklok-kiosk.service prikklok-sync.service
        say "done: the door is starting (journalctl -fu prikklok-kiosk)"
        # Only once the old door is gone: until the reboot it runs from its own folder.
        tidy_versions
    fi
}

install_server() {
    server_answers
    install_packages
    make_user "$SERVER_USER" "$SERVER_DATA"
    make_dir 0755 root:root "$ETC"
    make_dir 0750 "$SERVER_USER:$SERVER_USER" "$SERVER_DATA"
    if [[ -f $(at "$SERVER_ENV") ]]; then
        say "kept $SERVER_ENV"
    else
        write_file 0640 "$SERVER_ENV" <<EOF
# The prikklok server's settings, read by its systemd units (EnvironmentFile=) and written
# by install.sh --server; a re-run keeps this file. Every variable: docs/server.md.
# Values in single quotes are taken as they are. After a change:
#   sudo systemctl restart prikklok-server
PRIKKLOK_SERVER_DATABASE_URL='$DATABASE_URL'
PRIKKLOK_SERVER_DATA_DIR='$SERVER_DATA'
# uvicorn worker processes: 1 for SQLite, several for PostgreSQL.
PRIKKLOK_SERVER_WORKERS=$WORKERS
# The server listens here; put a TLS proxy (nginx, Caddy) in front of it.
PRIKKLOK_SERVER_HOST=127.0.0.1
PRIKKLOK_SERVER_PORT=8080
# How links in pages and mails begin, behind the proxy.
#PRIKKLOK_SERVER_PUBLIC_URL=https://prikklok.example.nl
# The TLS proxy whose X-Forwarded-For is believed (docs/admin/tls.md); none by default.
#PRIKKLOK_SERVER_TRUSTED_PROXIES=127.0.0.1
# Taps and what derives from them are deleted after this many days (daily timer).
#PRIKKLOK_SERVER_RETENTION_DAYS=365
# The coaches' weekly digest and the kiosks' alerts are mailed only when an SMTP server is
# set (the alerts' recipients and webhook are set per site on the sites page).
#PRIKKLOK_SERVER_SMTP_HOST=localhost
#PRIKKLOK_SERVER_SMTP_PORT=25
#PRIKKLOK_SERVER_SMTP_FROM=prikklok@example.nl
# The nightly backup (prikklok-server-backup.timer): how many to keep, and a second place
# for each copy: a folder on another disk or an rsync target (docs/admin/server-backups.md).
#PRIKKLOK_SERVER_BACKUP_KEEP=7
#PRIKKLOK_SERVER_BACKUP_COPY_TO=backup@nas.example.nl:/srv/prikklok/
EOF
        run chown "root:$SERVER_USER" "$SERVER_ENV"
        say "wrote $SERVER_ENV"
    fi
    # The server serves on while the new version is built beside it.
    PREVIOUS=$(previous_release)
    build_venv "[server]"
    switch_venv
    install_units "${SERVER_UNITS[@]}"
    run systemctl enable prikklok-server.service prikklok-retention.timer prikklok-digest.timer \
        prikklok-server-backup.timer prikklok-alerts.timer
    run systemctl start prikklok-retention.timer prikklok-digest.timer prikklok-server-backup.timer \
        prikklok-alerts.timer
    run systemctl restart prikklok-server.service
    say "done: the server is starting (journalctl -fu prikklok-server)"
    tidy_versions
}

main() {
    parse_args "$@"
    check_setup
    [[ -z $ROOT ]] || say "dry run: files under $ROOT, system commands printed"
    case $MODE in
        kiosk) install_kiosk ;;
        server) install_server ;;
    esac
}

main "$@"
