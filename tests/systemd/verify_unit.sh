#!/usr/bin/env bash
# Checks the systemd integration files in systemd/ without touching the running system:
#   1. systemd-analyze verify of packd.service, ExecStart pointed at the given binary;
#   2. systemd-analyze security --offline: overall exposure must be 3.0 or lower;
#   3. packd.sysusers applied to a scratch copy of /etc: user packd, and the device groups it joins
#      are exactly SupplementaryGroups= of the unit, all of which already exist on this system;
#   4. packd.tmpfiles applied to the same scratch root: directories, owners and modes;
#   5. 60-packd.rules with `udevadm verify`, where udevadm has it (systemd 253 and later);
#   6. systemd-analyze verify of the kiosk screen's unit packd-screen@.service, as an instance.
# Works with or without systemd as PID 1 (e.g. in a container). Steps 3 and 4 need root.
#
# Usage: verify_unit.sh PATH_TO_PACKD_BINARY
set -euo pipefail

prog=verify_unit
fail() {
  echo "$prog: FAIL: $*" >&2
  exit 1
}
ok() {
  echo "$prog: ok: $*"
}
note() {
  echo "$prog: note: $*"
}

(($# == 1)) || {
  echo "usage: $0 PATH_TO_PACKD_BINARY" >&2
  exit 2
}
[[ -f $1 && -x $1 ]] || fail "$1 is not an executable file"
binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

systemd_dir=$(cd "$(dirname "$0")/../../systemd" && pwd)
unit_src=$systemd_dir/packd.service
for f in packd.service packd.sysusers packd.tmpfiles 60-packd.rules packd-screen@.service; do
  [[ -f $systemd_dir/$f ]] || fail "$systemd_dir/$f is missing"
done
command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (Debian package systemd)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/verify_unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- 1. systemd-analyze verify ----------------------------------------------------------------------
# A directory of its own: verify prefers every unit file next to the one it checks.
mkdir "$tmp/unit"
unit=$tmp/unit/packd.service

# systemd-analyze verify fails when the ExecStart binary does not exist, so point it at the one
# under test, through a symlink with a plain name: then no character of the real path (a space,
# '%', '$', a quote) needs escaping in unit syntax. Only the command changes, not the arguments.
mkdir "$tmp/bin"
ln -s "$binary" "$tmp/bin/packd"
[[ $tmp =~ ^[A-Za-z0-9._/-]+$ ]] || fail "temporary directory $tmp has characters that would need escaping in ExecStart=; set TMPDIR"
replaced=0
while IFS= read -r line || [[ -n $line ]]; do
  if [[ $line == "ExecStart=/usr/sbin/packd "* ]]; then
    line="ExecStart=$tmp/bin/packd ${line#"ExecStart=/usr/sbin/packd "}"
    replaced=$((replaced + 1))
  fi
  printf '%s\n' "$line"
done <"$unit_src" >"$unit"
((replaced == 1)) || fail "expected exactly one 'ExecStart=/usr/sbin/packd ...' line in $unit_src, found $replaced"

# --recursive-errors=no: a non-zero exit for warnings about packd.service (and its drop-ins) only.
# Found by trying on Debian 12 (systemd 252), as root, without systemd as PID 1: a missing user or
# group (User=, Group=, SupplementaryGroups=) and a missing /etc/packd or /var/lib/packd print
# nothing, so there is nothing environmental to excuse about packd.service itself. What this
# machine adds is excused, each line by where it comes from:
#   - "/path/file:LINE: ..." for a file other than the copy under test: a drop-in an admin put in
#     /etc/systemd/system/packd.service.d/ on this machine, or another package's unit;
#   - "other.service: ..." about a unit packd.service only references (targets, modprobe@, broker).
# Any other line (about the unit under test, or not attributable) fails the check.
set +e
verify_out=$(cd "$tmp/unit" && systemd-analyze verify --recursive-errors=no "$unit" 2>&1)
verify_rc=$?
set -e
file_line_re='^/[^:]+:[0-9]+: '
unit_re='^[A-Za-z0-9@._-]+\.(service|socket|target|mount|automount|path|timer|slice|device|swap|scope): '
ours=()
theirs=()
while IFS= read -r line; do
  [[ -n $line ]] || continue
  if [[ $line == "$unit:"* || $line == "packd.service:"* ]]; then
    ours+=("${line//"$unit"/systemd/packd.service}")
  elif [[ $line =~ $file_line_re || $line =~ $unit_re ]]; then
    theirs+=("$line")
  else
    ours+=("${line//"$unit"/systemd/packd.service}")
  fi
done <<<"$verify_out"
for line in "${theirs[@]}"; do
  note "from this machine, not from systemd/packd.service: $line"
done
if ((${#ours[@]} > 0)); then
  printf '%s\n' "${ours[@]}" >&2
  fail "systemd-analyze verify reported the problems above in systemd/packd.service (exit $verify_rc)"
fi
if ((verify_rc != 0 && ${#theirs[@]} == 0)); then
  fail "systemd-analyze verify exited $verify_rc without saying why"
fi
ok "systemd-analyze verify: no errors or warnings in packd.service"

# --- 2. Exposure ------------------------------------------------------------------------------------
# --threshold counts in tenths: 30 means an overall exposure of 3.0.
set +e
security_out=$(systemd-analyze security --offline=true --threshold=30 --no-pager "$unit" 2>&1)
security_rc=$?
set -e
overall=$(grep -o 'Overall exposure level for packd.service: [0-9.]* [A-Z]*' <<<"$security_out" || true)
if ((security_rc != 0)) || [[ -z $overall ]]; then
  echo "$security_out" >&2
  fail "systemd-analyze security: exposure above 3.0 or no result (exit $security_rc)"
fi
ok "systemd-analyze security --offline=true --threshold=30: ${overall#Overall }"

# --- 3. sysusers ------------------------------------------------------------------------------------
if ((EUID != 0)); then
  note "sysusers and tmpfiles checks skipped: they need root (to copy /etc/shadow and to chown)"
  echo "$prog: unit checks passed"
  exit 0
fi
root=$tmp/root
mkdir -p "$root/etc"
# Start from this system's accounts, so the device groups must already exist (sysusers would
# silently create a group that a `m` line names but the system lacks). A packd user, group or
# group membership already on this machine (packd installed, or an admin's change) is left out,
# so that the result shows what packd.sysusers alone does.
for f in passwd group shadow gshadow; do
  if [[ -f /etc/$f ]]; then
    awk -F: -v OFS=: '$1 == "packd" { next }
      FILENAME ~ /(group|gshadow)$/ {
        n = split($NF, m, ","); list = ""
        for (i = 1; i <= n; i++) if (m[i] != "packd") list = list (list == "" ? "" : ",") m[i]
        $NF = list
      }
      { print }' "/etc/$f" >"$root/etc/$f"
  fi
done
cp "$systemd_dir/packd.sysusers" "$tmp/packd.sysusers"
set +e
sysusers_out=$(systemd-sysusers --root="$root" "$tmp/packd.sysusers" 2>&1)
sysusers_rc=$?
set -e
((sysusers_rc == 0)) || {
  echo "$sysusers_out" >&2
  fail "systemd-sysusers rejected systemd/packd.sysusers (exit $sysusers_rc)"
}
while IFS= read -r line; do
  [[ -n $line ]] || continue
  case $line in
    "Creating group 'packd' with GID "* | "Creating user 'packd' ("*) ;;
    "Creating group '"*)
      fail "systemd/packd.sysusers names a group this system does not have: $line"
      ;;
    *) fail "unexpected systemd-sysusers output: $line" ;;
  esac
done <<<"$sysusers_out"

IFS=: read -r _ _ packd_uid packd_gid _ packd_home packd_shell < <(grep '^packd:' "$root/etc/passwd") ||
  fail "systemd-sysusers did not create user packd"
[[ $packd_home == /var/lib/packd ]] || fail "user packd has home $packd_home, expected /var/lib/packd"
[[ $packd_shell == */nologin ]] || fail "user packd has shell $packd_shell, expected nologin"
group_gid=$(awk -F: '$1 == "packd" { print $3 }' "$root/etc/group")
[[ $group_gid == "$packd_gid" ]] || fail "group packd ($group_gid) is not the primary group of user packd ($packd_gid)"

# The groups packd joins must be exactly the ones the service asks for.
unit_groups=$(sed -n 's/^SupplementaryGroups=//p' "$unit_src" | tr ' ' '\n' | sed '/^$/d' | sort -u)
member_of=$(awk -F: '$1 != "packd" && ("," $4 ",") ~ /,packd,/ { print $1 }' "$root/etc/group" | sort -u)
if [[ $unit_groups != "$member_of" ]]; then
  fail "SupplementaryGroups= in packd.service ($(paste -sd' ' <<<"$unit_groups")) differs from the" \
    "groups packd.sysusers makes packd a member of ($(paste -sd' ' <<<"$member_of"))"
fi
ok "systemd-sysusers: user packd (uid $packd_uid, home $packd_home), member of $(paste -sd' ' <<<"$member_of")"

# --- 4. tmpfiles ------------------------------------------------------------------------------------
# The scratch root holds the packd user from step 3, which systemd-tmpfiles --root resolves.
cp "$systemd_dir/packd.tmpfiles" "$tmp/packd.tmpfiles"
run_tmpfiles() {
  local out
  if ! out=$(systemd-tmpfiles --root="$root" --create "$tmp/packd.tmpfiles" 2>&1) || [[ -n $out ]]; then
    echo "$out" >&2
    fail "systemd-tmpfiles --create rejected systemd/packd.tmpfiles or warned"
  fi
}
run_tmpfiles
# A config file left world-readable by hand must be tightened on the next run.
install -m 0644 /dev/null "$root/etc/packd/packd.toml"
run_tmpfiles
expect() { # PATH MODE UID GID
  local got
  got=$(stat -c '%a %u %g' "$root$1" 2>/dev/null) || fail "systemd-tmpfiles did not create $1"
  [[ $got == "$2 $3 $4" ]] || fail "$1 is 'mode uid gid' $got, expected $2 $3 $4"
}
expect /etc/packd 750 0 "$packd_gid"
expect /etc/packd/packd.toml 640 0 "$packd_gid"
expect /var/lib/packd 750 "$packd_uid" "$packd_gid"
expect /var/lib/packd/labels 750 "$packd_uid" "$packd_gid"
ok "systemd-tmpfiles: /etc/packd root:packd 0750, /var/lib/packd and labels/ packd:packd 0750, packd.toml 0640"

# --- 5. udev rules ----------------------------------------------------------------------------------
if udevadm verify --help >/dev/null 2>&1; then
  udevadm verify --resolve-names=never "$systemd_dir/60-packd.rules" >/dev/null ||
    fail "udevadm verify rejected systemd/60-packd.rules"
  ok "udevadm verify: 60-packd.rules"
else
  note "60-packd.rules not checked: this udevadm has no 'verify' command (added in systemd 253)"
fi

# --- 6. the kiosk screen's user unit ---------------------------------------------------------------
# Checked as an instance (packd-screen@pack1.service) in a folder of its own; ExecStart needs chromium,
# which scripts/deps installs for the browser tests.
mkdir "$tmp/screen"
cp "$systemd_dir/packd-screen@.service" "$tmp/screen/packd-screen@pack1.service"
if [[ -x /usr/bin/chromium ]]; then
  set +e
  screen_out=$(cd "$tmp/screen" && systemd-analyze verify --recursive-errors=no "$tmp/screen/packd-screen@pack1.service" 2>&1)
  screen_rc=$?
  set -e
  mine=$(grep -F "packd-screen@pack1.service" <<<"$screen_out" || true)
  [[ $screen_rc -eq 0 && -z $mine ]] || fail "systemd-analyze verify of packd-screen@.service: $screen_out"
  ok "systemd-analyze verify: packd-screen@.service (as packd-screen@pack1.service)"
else
  fail "packd-screen@.service not checked: /usr/bin/chromium is missing (scripts/deps installs it)"
fi

echo "$prog: all checks passed"
