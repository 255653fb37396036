#!/usr/bin/env bash
# Turns a fresh Raspberry Pi OS Lite (Bookworm or Trixie, 64-bit) into a pima-kiosk point, in one command
# from the release tarball (`npm run release`):
#
#   tar -xzf pima-kiosk-0.1.0.tar.gz && sudo ./pima-kiosk-0.1.0/scripts/install.sh [options]
#
# A release built for the Pi (`npm run release -- --arch arm64`, Node.js 24) carries its native modules
# compiled: they are used when they load on this Pi's Node, and only the ones that do not (another Node
# major, or the plain release) are built here (Node.js 24 LTS recommended, 22 works). It is idempotent: a
# second run changes nothing. A built checkout (npm ci && npm run build) works too.
#   --enable-1wire     add dtoverlay=w1-gpio,gpiopin=4 to /boot/firmware/config.txt (DS18B20 thermometers)
#   --enable-watchdog  arm the Pi's hardware watchdog from systemd (RuntimeWatchdogSec)
#   --kiosk-screen     show the status page full screen on the HDMI screen from boot (cage + Chromium)
#   --uninstall        remove what the installer added; the log in /var/lib/pima-kiosk is always kept
#   --rollback         swap /opt/pima-kiosk with the previous version kept in /opt/pima-kiosk.prev
#   --prefix DIR       install into DIR instead of / (tests): no users, no systemctl, only files
#   --no-npm           do not build or install the production dependencies (tests)
#   --source DIR       the release or built checkout to install (default: this script's own)
# docs/operations.md is the technician's guide around it.
set -euo pipefail

readonly APP_NAME=pima-kiosk
readonly SERVICE_USER=pima-kiosk
readonly MIN_NODE_MAJOR=20
# Node 24 is the LTS the project recommends and CI tests; 20 reached its end of life in April 2026.
readonly RECOMMENDED_NODE_MAJOR=24
readonly SCREEN_USER=pima-screen
readonly SCREEN_PORT=8080
# What the installer marks in files it edits but does not own (config.txt).
readonly BEGIN_MARK='# >>> pima-kiosk (scripts/install.sh) >>>'
readonly END_MARK='# <<< pima-kiosk <<<'

PREFIX=''
ACTION=install
ENABLE_1WIRE=0
ENABLE_WATCHDOG=0
KIOSK_SCREEN=0
RUN_NPM=1
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHANGES=0
DONE=()
TODO=()

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --prefix)
        [ $# -ge 2 ] || die '--prefix needs a directory'
        PREFIX="$2"
        shift
        ;;
      --source)
        [ $# -ge 2 ] || die '--source needs a directory'
        SOURCE="$(cd "$2" && pwd)"
        shift
        ;;
      --enable-1wire) ENABLE_1WIRE=1 ;;
      --enable-watchdog) ENABLE_WATCHDOG=1 ;;
      --kiosk-screen) KIOSK_SCREEN=1 ;;
      --no-npm) RUN_NPM=0 ;;
      --uninstall) ACTION=uninstall ;;
      --rollback) ACTION=rollback ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        usage >&2
        exit 64
        ;;
    esac
    shift
  done
  if [ -n "$PREFIX" ]; then
    case "$PREFIX" in /*) ;; *) die "--prefix must be an absolute path, got $PREFIX" ;; esac
    PREFIX="${PREFIX%/}"
  fi
}

# Paths, all under the prefix.
set_paths() {
  APP_DIR="$PREFIX/opt/$APP_NAME"
  PREV_DIR="$PREFIX/opt/$APP_NAME.prev"
  NEW_DIR="$PREFIX/opt/$APP_NAME.new"
  CONF_DIR="$PREFIX/etc/$APP_NAME"
  STATE_DIR="$PREFIX/var/lib/$APP_NAME"
  UNIT_FILE="$PREFIX/etc/systemd/system/$APP_NAME.service"
  UDEV_FILE="$PREFIX/etc/udev/rules.d/99-$APP_NAME.rules"
  JOURNALD_FILE="$PREFIX/etc/systemd/journald.conf.d/$APP_NAME.conf"
  WATCHDOG_FILE="$PREFIX/etc/systemd/system.conf.d/$APP_NAME-watchdog.conf"
  BIN_FILE="$PREFIX/usr/local/bin/$APP_NAME"
  SCREEN_UNIT_FILE="$PREFIX/etc/systemd/system/$APP_NAME-screen.service"
  if [ -f "$PREFIX/boot/firmware/cmdline.txt" ] || [ ! -f "$PREFIX/boot/cmdline.txt" ]; then
    BOOT_CMDLINE="$PREFIX/boot/firmware/cmdline.txt"
  else
    BOOT_CMDLINE="$PREFIX/boot/cmdline.txt"
  fi
  if [ -f "$PREFIX/boot/firmware/config.txt" ] || [ ! -f "$PREFIX/boot/config.txt" ]; then
    BOOT_CONFIG="$PREFIX/boot/firmware/config.txt"
  else
    BOOT_CONFIG="$PREFIX/boot/config.txt"
  fi
}

in_prefix() { [ -n "$PREFIX" ]; }

did() {
  DONE+=("$*")
  CHANGES=$((CHANGES + 1))
}

todo() { TODO+=("$*"); }

# Runs a system command, or in prefix mode only says what it would run.
sys() {
  if in_prefix; then
    echo "  would run: $*"
  else
    "$@"
  fi
}

# Installs one file atomically (temp file + rename) unless it is already there, identical.
put_file() {
  local src="$1" dest="$2" mode="$3"
  if [ -f "$dest" ] && cmp -s "$src" "$dest" && [ "$(stat -c %a "$dest")" = "${mode#0}" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$dest")"
  local tmp
  tmp="$(mktemp "$dest.XXXXXX")"
  cat "$src" >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$dest"
  did "installed $dest"
}

# Like put_file, from text on stdin.
put_text() {
  local dest="$1" mode="$2" tmp
  tmp="$(mktemp)"
  cat >"$tmp"
  put_file "$tmp" "$dest" "$mode"
  rm -f "$tmp"
}

# systemctl for the running service manager (daemon-reload, restart, start, stop). Where systemd is not
# running (a chroot in which an SD-card image is prepared, or test:pi's emulated root), there is nothing to
# reload or start: the files are in place and apply from the first boot. `systemctl enable` needs no
# running manager and is not routed through here.
live_systemctl() {
  if in_prefix; then
    echo "  would run: systemctl $*"
  elif systemd_running; then
    systemctl "$@"
  else
    echo "  systemd is not running here: skipped systemctl $*"
  fi
}

# systemd's own test (sd_booted): it creates this directory when it runs as PID 1.
systemd_running() { [ -d /run/systemd/system ]; }

remove_path() {
  local path="$1"
  if [ -e "$path" ] || [ -L "$path" ]; then
    rm -rf -- "$path"
    did "removed $path"
  fi
}

need_root() {
  if ! in_prefix && [ "$(id -u)" -ne 0 ]; then
    die "run as root: sudo $0"
  fi
}

check_node() {
  local version major
  if ! command -v node >/dev/null 2>&1; then
    node_help 'Node.js is not installed.'
  fi
  version="$(node --version 2>/dev/null || true)"
  major="${version#v}"
  major="${major%%.*}"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || [ "$major" -lt "$MIN_NODE_MAJOR" ]; then
    node_help "Node.js ${version:-(unknown version)} is too old: pima-kiosk needs $MIN_NODE_MAJOR or newer."
  fi
  NODE_BIN="$(command -v node)"
  echo "Node.js $version at $NODE_BIN"
  if [ "$major" -lt 22 ]; then
    todo "Node.js $version reached its end of life in April 2026: install Node.js $RECOMMENDED_NODE_MAJOR LTS (docs/operations.md) and run this script again"
  fi
}

node_help() {
  cat >&2 <<EOF
install.sh: $1
Raspberry Pi OS's own nodejs package is too old (Bookworm: 18; Trixie: 20, past its end of life).
Install Node.js $RECOMMENDED_NODE_MAJOR LTS from NodeSource (it includes npm and the headers the native modules build with):
  curl -fsSL https://deb.nodesource.com/setup_$RECOMMENDED_NODE_MAJOR.x -o nodesource_setup.sh
  sudo bash nodesource_setup.sh && sudo apt-get install -y nodejs
Then run this script again.
EOF
  exit 1
}

check_source() {
  [ -f "$SOURCE/dist/src/main.js" ] ||
    die "no build in $SOURCE (dist/src/main.js is missing): install from a release tarball (npm run release), or run 'npm ci && npm run build' there first"
  [ -f "$SOURCE/package.json" ] || die "no package.json in $SOURCE"
  if is_release && [ ! -d "$SOURCE/node_modules" ]; then die "the release in $SOURCE has no node_modules"; fi
  return 0
}

# A release tarball (scripts/release.mjs) carries its production dependencies, natives unbuilt.
is_release() { [ -f "$SOURCE/release.json" ]; }

# apt-get install without recommends, waiting (up to 10 min) for unattended-upgrades or another apt.
apt_install() {
  if in_prefix; then
    echo "  would run: apt-get install -y --no-install-recommends $*"
    return 0
  fi
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "Installing ${missing[*]} (apt-get; it waits if another apt or an automatic update is running)..."
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -y --no-install-recommends)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${missing[@]}" ||
    { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update &&
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${missing[@]}"; } ||
    die "apt-get could not install ${missing[*]}"
  did "installed ${missing[*]} (apt)"
}

# The release's native modules (release.json) that do not load on this Node, one line; each one's reason on
# stderr. None when the release was built for this Pi's CPU and Node major (`npm run release -- --arch
# arm64`); for the plain release, all but @serialport/bindings-cpp (its package ships N-API prebuilds).
natives_not_loading() {
  (cd "$1" && "$NODE_BIN" -e "
const failing = [];
for (const m of require('./release.json').nativeModules) {
  try {
    const loaded = require(m);
    // better-sqlite3 opens its binary with the first database.
    if (m === 'better-sqlite3') new loaded(':memory:').close();
  } catch (err) {
    failing.push(m);
    console.error('  ' + m + ' does not load here: ' + String((err && err.message) || err).split('\\n')[0]);
  }
}
console.log(failing.join(' '));
")
}

# Makes the release's native modules in $1 load on this Pi's Node: uses the ones it carries when they load,
# builds the others here.
install_natives() {
  local dir="$1" failing version
  version="$("$NODE_BIN" --version)"
  failing="$(natives_not_loading "$dir")" || return 1
  if [ -z "$failing" ]; then
    echo "The release's native modules load on Node.js $version ($(uname -m)): nothing to compile"
    return 0
  fi
  build_natives "$dir" "$failing" || return 1
  failing="$(natives_not_loading "$dir")" || return 1
  if [ -n "$failing" ]; then
    echo "install.sh: still not loading after the build: $failing" >&2
    return 1
  fi
}

# Compiles the given native modules in $1 for this Pi's Node: better-sqlite3 and epoll from source with g++
# (no download from outside Debian and the npm registry), @serialport/bindings-cpp from the prebuilt
# binaries its package ships. Needs npm (NodeSource's nodejs has it) and Node's headers.
build_natives() {
  local dir="$1" natives="$2" nodedir
  command -v npm >/dev/null 2>&1 || die 'npm is missing: install Node.js with npm (NodeSource, docs/operations.md)'
  apt_install g++ make python3
  # node-gyp builds against the headers next to this node (NodeSource: /usr/include/node) when present,
  # instead of downloading them; JOBS=max compiles SQLite and the addon on all cores at once.
  nodedir="$(dirname "$(dirname "$(readlink -f "$NODE_BIN")")")"
  echo "Building the native modules ($natives) for Node.js $("$NODE_BIN" --version); a few minutes on a Pi..."
  # shellcheck disable=SC2086 # one word per module
  (cd "$dir" && if [ -f "$nodedir/include/node/node.h" ]; then export npm_config_nodedir="$nodedir"; fi &&
    JOBS=max npm_config_build_from_source=better-sqlite3 npm rebuild --no-audit --no-fund $natives)
}

# The user the service runs as: a system user with the groups for serial ports and GPIO.
ensure_user() {
  if in_prefix; then
    echo "  would run: groupadd --system gpio (only if the gpio group is missing)"
    echo "  would run: useradd --system --user-group --home-dir /var/lib/$APP_NAME --no-create-home --shell /usr/sbin/nologin $SERVICE_USER"
    echo "  would run: usermod --append --groups dialout,gpio $SERVICE_USER"
    return 0
  fi
  if ! getent group gpio >/dev/null; then
    # Raspberry Pi OS has it; elsewhere the unit's SupplementaryGroups=gpio needs it to exist.
    groupadd --system gpio
    did 'created group gpio'
  fi
  if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "/var/lib/$APP_NAME" --no-create-home \
      --shell /usr/sbin/nologin "$SERVICE_USER"
    did "created user $SERVICE_USER"
  fi
  local group
  for group in dialout gpio; do
    if getent group "$group" >/dev/null && ! id -nG "$SERVICE_USER" | tr ' ' '\n' | grep -qx "$group"; then
      usermod --append --groups "$group" "$SERVICE_USER"
      did "added $SERVICE_USER to group $group"
    fi
  done
}

ensure_dir() {
  local dir="$1" mode="$2" owner="$3"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    did "created $dir"
  fi
  if [ "$(stat -c %a "$dir")" != "${mode#0}" ]; then
    chmod "$mode" "$dir"
    did "set mode $mode on $dir"
  fi
  if ! in_prefix && [ "$(stat -c %U:%G "$dir")" != "$owner" ]; then
    chown "$owner" "$dir"
    did "set owner $owner on $dir"
  fi
}

# The files of the app, relative to the package root; what ends up in /opt/pima-kiosk.
app_items() {
  local item
  for item in dist/src config docs hardware systemd deploy scripts/install.sh package.json \
    package-lock.json README.md; do
    [ -e "$SOURCE/$item" ] && echo "$item"
  done
  # A checkout's own node_modules (with dev dependencies) is never copied; npm ci installs them.
  if is_release; then printf '%s\n' release.json node_modules; fi
  return 0
}

app_differs() {
  [ -d "$APP_DIR" ] || return 0
  local item
  while read -r item; do
    # A release's node_modules gets its native builds here; release.json (commit, time) stands for it.
    [ "$item" = node_modules ] && continue
    diff -rq "$SOURCE/$item" "$APP_DIR/$item" >/dev/null 2>&1 || return 0
  done < <(app_items)
  if [ "$RUN_NPM" = 1 ] && [ ! -d "$APP_DIR/node_modules" ]; then return 0; fi
  return 1
}

# Copies the package to /opt/pima-kiosk.new, installs its production dependencies there, then swaps it
# in and keeps the version it replaces as /opt/pima-kiosk.prev (for --rollback).
install_app() {
  if ! app_differs; then return 0; fi
  rm -rf -- "$NEW_DIR"
  mkdir -p "$NEW_DIR"
  local item
  while read -r item; do
    mkdir -p "$NEW_DIR/$(dirname "$item")"
    cp -R "$SOURCE/$item" "$NEW_DIR/$item"
  done < <(app_items)
  chmod 0755 "$NEW_DIR/dist/src/main.js"
  if [ "$RUN_NPM" = 1 ] && is_release; then
    install_natives "$NEW_DIR" || {
      rm -rf -- "$NEW_DIR"
      die 'building the native modules failed; the installed version was left as it was'
    }
  elif [ "$RUN_NPM" = 1 ]; then
    echo "Installing production dependencies (npm ci --omit=dev), this takes a few minutes on a Pi..."
    if [ -f "$NEW_DIR/package-lock.json" ]; then
      (cd "$NEW_DIR" && npm ci --omit=dev --no-audit --no-fund) || {
        rm -rf -- "$NEW_DIR"
        die 'npm ci failed; the installed version was left as it was'
      }
    else
      (cd "$NEW_DIR" && npm install --omit=dev --no-audit --no-fund) || {
        rm -rf -- "$NEW_DIR"
        die 'npm install failed; the installed version was left as it was'
      }
    fi
  fi
  if [ -d "$APP_DIR" ]; then
    rm -rf -- "$PREV_DIR"
    mv "$APP_DIR" "$PREV_DIR"
    did "kept the previous version as $PREV_DIR"
  fi
  mv "$NEW_DIR" "$APP_DIR"
  did "installed the app in $APP_DIR"
}

install_cli() {
  put_text "$BIN_FILE" 0755 <<EOF
#!/bin/sh
# pima-kiosk's command line (installed by scripts/install.sh). Reads /etc/pima-kiosk/config.yaml.
exec $NODE_BIN /opt/$APP_NAME/dist/src/main.js "\$@"
EOF
}

install_config() {
  local dest="$CONF_DIR/config.yaml"
  if [ -e "$dest" ]; then
    return 0
  fi
  put_file "$SOURCE/config/raspberry-pi.example.yaml" "$dest" 0640
  if ! in_prefix; then chown "root:$SERVICE_USER" "$dest"; fi
  todo "edit $dest (point.id, capacity, mqtt, hardware), then: sudo $APP_NAME check-config"
}

# A self-signed certificate of this point for /tech over HTTPS (web.https in the example config): the PIN
# never crosses the open Wi-Fi in clear text. Made once; `pima-kiosk tech-cert` prints its fingerprint for
# the technician to compare with the browser's (docs/security.md).
install_tech_cert() {
  local key="$CONF_DIR/tech-tls.key" cert="$CONF_DIR/tech-tls.crt"
  [ -e "$cert" ] && return 0
  if ! command -v openssl >/dev/null 2>&1; then
    todo "install openssl and run the installer again, for the /tech HTTPS certificate (docs/security.md)"
    return 0
  fi
  local name tmp
  name="$(hostname 2>/dev/null || echo "$APP_NAME")"
  tmp="$(mktemp -d "$CONF_DIR/.tech-tls.XXXXXX")"
  if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=$name" -addext "subjectAltName=DNS:$name,DNS:$name.local,IP:127.0.0.1" \
    -keyout "$tmp/key" -out "$tmp/crt" 2>/dev/null; then
    rm -rf "$tmp"
    die 'openssl could not make the /tech certificate'
  fi
  chmod 0600 "$tmp/key"
  chmod 0644 "$tmp/crt"
  # the service reads its key itself: it refuses one that is not its own or is open to others
  if ! in_prefix; then chown "$SERVICE_USER:$SERVICE_USER" "$tmp/key"; fi
  mv "$tmp/key" "$key"
  mv "$tmp/crt" "$cert"
  rmdir "$tmp"
  did "made the /tech HTTPS certificate $cert (its fingerprint: sudo $APP_NAME tech-cert)"
}

install_unit() {
  local tmp
  tmp="$(mktemp)"
  # The unit names /usr/bin/node (NodeSource and Debian both put it there); follow this Pi's node.
  sed -E "s#^(ExecStart|ExecStopPost)=/usr/bin/node #\\1=$NODE_BIN #" "$SOURCE/systemd/$APP_NAME.service" >"$tmp"
  local before="$CHANGES"
  put_file "$tmp" "$UNIT_FILE" 0644
  rm -f "$tmp"
  UNIT_CHANGED=0
  if [ "$CHANGES" != "$before" ]; then UNIT_CHANGED=1; fi
}

install_udev() {
  local before="$CHANGES"
  put_file "$SOURCE/deploy/udev/99-$APP_NAME.rules" "$UDEV_FILE" 0644
  if [ "$CHANGES" != "$before" ]; then
    # No udev daemon in a chroot (an image being built): the rules then apply from the first boot.
    { sys udevadm control --reload-rules && sys udevadm trigger --subsystem-match=tty --subsystem-match=gpio; } ||
      todo 'udev is not running here: the /dev/pima-* names appear after the next boot'
  fi
}

install_journald() {
  local before="$CHANGES"
  put_file "$SOURCE/deploy/journald/$APP_NAME.conf" "$JOURNALD_FILE" 0644
  if [ "$CHANGES" != "$before" ]; then
    if ! in_prefix; then mkdir -p /var/log/journal; fi
    live_systemctl restart systemd-journald
  fi
}

enable_1wire() {
  if [ ! -f "$BOOT_CONFIG" ]; then
    echo "warning: $BOOT_CONFIG not found (not a Raspberry Pi?): 1-Wire not enabled" >&2
    return 0
  fi
  if grep -Eq '^[[:space:]]*dtoverlay=w1-gpio' "$BOOT_CONFIG"; then
    if ! grep -Eq '^[[:space:]]*dtoverlay=w1-gpio(,gpiopin=4)?[[:space:]]*$' "$BOOT_CONFIG"; then
      echo "warning: $BOOT_CONFIG already has a w1-gpio overlay on another pin; the wiring uses BCM 4" >&2
    fi
    return 0
  fi
  local tmp
  tmp="$(mktemp "$BOOT_CONFIG.XXXXXX")"
  cat "$BOOT_CONFIG" >"$tmp"
  printf '\n%s\n[all]\n# 1-Wire bus for the DS18B20 thermometers on BCM 4, with a 4.7 kOhm pull-up to 3.3 V\ndtoverlay=w1-gpio,gpiopin=4\n%s\n' \
    "$BEGIN_MARK" "$END_MARK" >>"$tmp"
  chmod --reference="$BOOT_CONFIG" "$tmp"
  mv -f "$tmp" "$BOOT_CONFIG"
  did "enabled the 1-Wire overlay (dtoverlay=w1-gpio,gpiopin=4) in $BOOT_CONFIG"
  todo 'reboot to load the 1-Wire overlay: sudo reboot'
}

enable_watchdog() {
  local before="$CHANGES"
  put_text "$WATCHDOG_FILE" 0644 <<'EOF'
# pima-kiosk (scripts/install.sh --enable-watchdog): systemd feeds the Pi's hardware watchdog
# (bcm2835_wdt, at most ~15 s). If the kernel or PID 1 hangs, the board resets itself.
# The service's own WatchdogSec= restarts a hung pima-kiosk; this layer covers the whole Pi.
[Manager]
RuntimeWatchdogSec=10s
RebootWatchdogSec=2min
EOF
  if [ "$CHANGES" != "$before" ]; then
    todo 'reboot to arm the hardware watchdog (RuntimeWatchdogSec=10s): sudo reboot'
  fi
  if ! in_prefix && [ ! -e /dev/watchdog ]; then
    echo 'warning: /dev/watchdog does not exist on this machine: the watchdog setting has no effect' >&2
  fi
}

# The door screen: the status page full screen on the HDMI output from boot, in cage (a Wayland compositor
# that runs one app full screen and never blanks) with Chromium in kiosk mode, as its own unprivileged
# user on tty1 instead of a login. docs/web.md describes the page.
install_kiosk_screen() {
  local chromium=/usr/bin/chromium
  # Raspberry Pi OS Bookworm may name Chromium chromium-browser; Trixie and Debian name it chromium.
  if in_prefix || apt-cache show chromium >/dev/null 2>&1; then
    apt_install cage chromium fonts-dejavu-core curl
  else
    apt_install cage chromium-browser fonts-dejavu-core curl
    chromium=/usr/bin/chromium-browser
  fi
  if in_prefix; then
    echo "  would run: useradd --system --user-group --home-dir /var/lib/$SCREEN_USER --no-create-home --shell /usr/sbin/nologin $SCREEN_USER"
    echo "  would run: usermod --append --groups video,render,input $SCREEN_USER"
  else
    if ! id -u "$SCREEN_USER" >/dev/null 2>&1; then
      useradd --system --user-group --home-dir "/var/lib/$SCREEN_USER" --no-create-home \
        --shell /usr/sbin/nologin "$SCREEN_USER"
      did "created user $SCREEN_USER (the door screen)"
    fi
    local group
    for group in video render input; do
      if getent group "$group" >/dev/null && ! id -nG "$SCREEN_USER" | tr ' ' '\n' | grep -qx "$group"; then
        usermod --append --groups "$group" "$SCREEN_USER"
        did "added $SCREEN_USER to group $group"
      fi
    done
  fi
  local before="$CHANGES"
  put_text "$SCREEN_UNIT_FILE" 0644 <<EOF
# pima-kiosk's door screen (scripts/install.sh --kiosk-screen): the status page full screen on HDMI.
# cage runs one Wayland app full screen and has no screen blanking; Chromium runs in kiosk mode.
# The page is web.port in /etc/pima-kiosk/config.yaml ($SCREEN_PORT): change both together.
[Unit]
Description=pima-kiosk door screen (Chromium in cage on tty1)
Documentation=file:///opt/$APP_NAME/docs/web.md
After=systemd-user-sessions.service $APP_NAME.service getty@tty1.service
Wants=$APP_NAME.service
Conflicts=getty@tty1.service
StartLimitIntervalSec=0

[Service]
User=$SCREEN_USER
# A logind session on seat0 gives cage the screen, keyboard and touch without root.
PAMName=login
TTYPath=/dev/tty1
TTYReset=yes
TTYVHangup=yes
TTYVTDisallocate=yes
StandardInput=tty-fail
StandardOutput=journal
StandardError=journal
UtmpIdentifier=tty1
UtmpMode=user
StateDirectory=$SCREEN_USER
Environment=XDG_SESSION_TYPE=wayland
# Wait for the controller's page, then show it; restart if the browser ever exits.
ExecStartPre=/bin/sh -c 'until curl -fsS -o /dev/null http://127.0.0.1:$SCREEN_PORT/api/status; do sleep 2; done'
ExecStart=/usr/bin/cage -d -s -- $chromium --kiosk --ozone-platform=wayland --noerrdialogs \\
  --disable-infobars --no-first-run --disable-session-crashed-bubble --password-store=basic \\
  --disable-background-networking --disable-component-update --disable-sync \\
  --disable-features=Translate --check-for-update-interval=31536000 \\
  --user-data-dir=/var/lib/$SCREEN_USER/chromium http://127.0.0.1:$SCREEN_PORT/
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
EOF
  if [ "$CHANGES" != "$before" ]; then UNIT_CHANGED=1; fi
  no_console_blanking
  if in_prefix; then
    echo "  would run: systemctl enable $APP_NAME-screen"
  elif ! systemctl is-enabled --quiet "$APP_NAME-screen" 2>/dev/null; then
    live_systemctl daemon-reload
    systemctl enable "$APP_NAME-screen"
    did "enabled $APP_NAME-screen.service (the door screen, from the next boot)"
    todo 'reboot to start the door screen on HDMI: sudo reboot'
  fi
}

# The text console blanks after 10 minutes by default; the screen shows it until cage starts.
no_console_blanking() {
  [ -f "$BOOT_CMDLINE" ] || return 0
  grep -q 'consoleblank=0' "$BOOT_CMDLINE" && return 0
  local tmp
  tmp="$(mktemp "$BOOT_CMDLINE.XXXXXX")"
  # cmdline.txt is one line: append to it.
  printf '%s consoleblank=0\n' "$(tr -d '\n' <"$BOOT_CMDLINE")" >"$tmp"
  chmod --reference="$BOOT_CMDLINE" "$tmp"
  mv -f "$tmp" "$BOOT_CMDLINE"
  did "turned console blanking off (consoleblank=0) in $BOOT_CMDLINE"
}

start_service() {
  if [ "${UNIT_CHANGED:-0}" = 1 ]; then live_systemctl daemon-reload; fi
  if in_prefix; then
    echo "  would run: systemctl enable $APP_NAME"
    return 0
  fi
  if ! systemctl is-enabled --quiet "$APP_NAME" 2>/dev/null; then
    systemctl enable "$APP_NAME"
    did "enabled $APP_NAME.service (starts at boot)"
  fi
  if ! systemd_running; then
    todo "boot this system: $APP_NAME.service starts then (systemd is not running here)"
    return 0
  fi
  if systemctl is-active --quiet "$APP_NAME"; then
    if [ "$CHANGES" -gt 0 ]; then
      systemctl restart "$APP_NAME"
      did "restarted $APP_NAME.service"
    fi
  else
    todo "start the service: sudo systemctl start $APP_NAME; then watch it: journalctl -u $APP_NAME -f"
  fi
}

do_install() {
  need_root
  check_node
  check_source
  ensure_user
  ensure_dir "$CONF_DIR" 0755 root:root
  ensure_dir "$STATE_DIR" 0750 "$SERVICE_USER:$SERVICE_USER"
  install_app
  install_cli
  install_config
  install_tech_cert
  install_unit
  install_udev
  install_journald
  if [ "$ENABLE_1WIRE" = 1 ]; then enable_1wire; fi
  if [ "$ENABLE_WATCHDOG" = 1 ]; then enable_watchdog; fi
  if [ "$KIOSK_SCREEN" = 1 ]; then install_kiosk_screen; fi
  start_service
  todo 'wire the sensors and the sign as in /opt/pima-kiosk/hardware/wiring.md'
  todo "check each sensor: sudo $APP_NAME status (docs/operations.md, 'First start')"
}

remove_boot_block() {
  [ -f "$BOOT_CONFIG" ] || return 0
  grep -qxF "$BEGIN_MARK" "$BOOT_CONFIG" || return 0
  local tmp
  tmp="$(mktemp "$BOOT_CONFIG.XXXXXX")"
  # Drop the marked block and the blank line the installer put before it.
  awk -v b="$BEGIN_MARK" -v e="$END_MARK" '
    $0 == b { skip = 1; blank = 0; next }
    skip { if ($0 == e) skip = 0; next }
    blank { print ""; blank = 0 }
    $0 == "" { blank = 1; next }
    { print }
    END { if (blank) print "" }
  ' "$BOOT_CONFIG" >"$tmp"
  chmod --reference="$BOOT_CONFIG" "$tmp"
  mv -f "$tmp" "$BOOT_CONFIG"
  did "removed the 1-Wire overlay block from $BOOT_CONFIG"
}

# The config is the technician's: removed only when it is still the untouched example.
remove_config() {
  local conf="$CONF_DIR/config.yaml" example="$SOURCE/config/raspberry-pi.example.yaml"
  if [ -f "$conf" ]; then
    if [ -f "$example" ] && cmp -s "$conf" "$example"; then
      remove_path "$conf"
    else
      echo "kept $conf (it was edited; delete it yourself if it is not needed)"
    fi
  fi
  if [ -d "$CONF_DIR" ] && [ -z "$(ls -A "$CONF_DIR")" ]; then
    rmdir "$CONF_DIR"
    did "removed $CONF_DIR"
  fi
}

do_uninstall() {
  need_root
  if in_prefix; then
    echo "  would run: systemctl disable --now $APP_NAME"
  else
    systemctl disable --now "$APP_NAME" 2>/dev/null || true
    systemctl disable --now "$APP_NAME-screen" 2>/dev/null || true
  fi
  remove_path "$UNIT_FILE"
  remove_path "$SCREEN_UNIT_FILE"
  remove_path "$UDEV_FILE"
  remove_path "$JOURNALD_FILE"
  remove_path "$WATCHDOG_FILE"
  remove_path "$BIN_FILE"
  remove_boot_block
  remove_config
  remove_path "$NEW_DIR"
  remove_path "$PREV_DIR"
  remove_path "$APP_DIR"
  if [ "$CHANGES" -gt 0 ]; then
    live_systemctl daemon-reload
    sys udevadm control --reload-rules || true
  fi
  echo "kept $STATE_DIR: the point's log is the record and is never deleted by this script"
  echo "kept user $SERVICE_USER: it owns that log (remove it with userdel only after archiving the log)"
}

do_rollback() {
  need_root
  [ -d "$PREV_DIR" ] || die "no previous version in $PREV_DIR to roll back to"
  live_systemctl stop "$APP_NAME"
  rm -rf -- "$NEW_DIR"
  mv "$APP_DIR" "$NEW_DIR"
  mv "$PREV_DIR" "$APP_DIR"
  mv "$NEW_DIR" "$PREV_DIR"
  did "rolled back: $APP_DIR is the previous version, $PREV_DIR the one it replaced"
  live_systemctl start "$APP_NAME"
}

report() {
  echo
  if [ "$CHANGES" = 0 ]; then
    echo 'Nothing to change: everything was already in place.'
  else
    echo 'Done:'
    local line
    for line in "${DONE[@]}"; do echo "  - $line"; done
  fi
  if [ "${#TODO[@]}" -gt 0 ]; then
    echo
    echo 'Still to do:'
    local line
    for line in "${TODO[@]}"; do echo "  - $line"; done
  fi
}

main() {
  parse_args "$@"
  set_paths
  if in_prefix; then echo "Installing into the prefix $PREFIX (files only)"; fi
  case "$ACTION" in
    install) do_install ;;
    uninstall) do_uninstall ;;
    rollback) do_rollback ;;
  esac
  report
}

main "$@"
