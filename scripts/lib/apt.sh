# Sourced by the setup scripts: apt-get that waits for another apt or dpkg to finish instead of
# failing at once (unattended-upgrades on first boot, another setup running beside this one).
#
# DPkg::Lock::Timeout makes apt-get wait for the dpkg lock, but apt 2.6 (Debian 12) does not apply
# it to the package lists lock that `apt-get update` takes (`E: Could not get lock
# /var/lib/apt/lists/lock`), so a run that fails on a lock is retried until the same deadline.

APT_LOCK_TIMEOUT=${APT_LOCK_TIMEOUT:-600}

# apt_get ARGS...: `apt-get -o DPkg::Lock::Timeout=... ARGS`, retried while another process holds
# an apt lock, for at most APT_LOCK_TIMEOUT seconds. Its output is shown when it fails.
apt_get() {
  local deadline=$((SECONDS + APT_LOCK_TIMEOUT)) log status waited=
  log=$(mktemp "${TMPDIR:-/tmp}/apt-get.XXXXXX")
  while :; do
    status=0
    DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT" "$@" \
      >"$log" 2>&1 || status=$?
    if [ "$status" -eq 0 ] || ! grep -q 'Could not get lock' "$log" || [ "$SECONDS" -ge "$deadline" ]; then
      break
    fi
    if [ -z "$waited" ]; then
      echo "apt: waiting for another apt-get to release its lock ($(grep -m1 -o 'held by process.*' "$log" || echo busy))" >&2
      waited=1
    fi
    sleep 2
  done
  if [ "$status" -ne 0 ]; then cat "$log" >&2; fi
  rm -f "$log"
  return "$status"
}
