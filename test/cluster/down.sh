#!/usr/bin/env bash
# Tear down what up.sh started, whatever the combination: stop every daemon by its recorded PID
# (kubelet first), kill the pod containers and shims/conmons (found through the cgroups the cluster
# owns), unmount, remove the cgroups (depth-first), the CNI bridge, the containerd/CRI-O/kubelet/CNI
# state, the journal and the state dir, and restore the sysctls the kubelet and the bridge plugin
# changed. Idempotent.
#
# Env: POD_BIRTH_KEEP_LOGS=<dir> copies the daemon logs (and the journal of containerd and the
# kubelet) there before removing them, e.g. for CI artifacts. The runtime's log copy keeps its
# name (containerd.log or crio.log).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root"
T0=$(now)

# Every cgroup dir (all hierarchies) of a unit up.sh started, and the kubelet's pod cgroups.
unit_cgroups() { local h; for h in /sys/fs/cgroup/*; do [ -d "$h/system.slice/$1.service" ] && echo "$h/system.slice/$1.service"; done; return 0; }
pod_cgroups() { local h; for h in /sys/fs/cgroup/*; do [ -d "$h/kubepods" ] && echo "$h/kubepods"; done; return 0; }

# kill_cgroups SIGNAL DIR...: signal every process in those cgroup trees, wait until they are empty.
kill_cgroups() {
  local sig=$1 d i left
  shift
  [ $# -gt 0 ] || return 0
  for d in "$@"; do cg_kill_all "$d" "$sig"; done
  for ((i = 0; i < 50; i++)); do
    left=0
    for d in "$@"; do left=$((left + $(cg_count "$d"))); done
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

if [ -n "${POD_BIRTH_KEEP_LOGS:-}" ] && [ -d "$STATE" ]; then
  mkdir -p "$POD_BIRTH_KEEP_LOGS"
  cp -a "$LOGS"/. "$POD_BIRTH_KEEP_LOGS"/ 2>/dev/null || true
  [ "$RUNTIME_LOG" = "$LOGS/$RUNTIME_SERVICE.log" ] || cp -a "$RUNTIME_LOG" "$POD_BIRTH_KEEP_LOGS"/ 2>/dev/null || true
  say "logs copied to $POD_BIRTH_KEEP_LOGS"
fi

# 1. kubelet first, so it does not restart the containers killed next.
stop_daemon kubelet 15
stop_daemon kubelet-logcopy 2
# 2. pod containers (pause + workloads, CRI-O's conmons), then the runtime, then the shims it left.
mapfile -t pods < <(pod_cgroups)
kill_cgroups KILL "${pods[@]}" || say "WARNING: processes left in kubepods cgroups"
for rt in containerd crio; do
  stop_daemon "$rt" 10
  mapfile -t rt_cgs < <(unit_cgroups "$rt")
  kill_cgroups TERM "${rt_cgs[@]}" || kill_cgroups KILL "${rt_cgs[@]}" || say "WARNING: processes left in $rt.service"
  stop_daemon "$rt-logcopy" 2
done
# 3. control plane, etcd, registry, journald.
for d in kube-scheduler kube-controller-manager kube-apiserver etcd docker-registry systemd-journald; do
  stop_daemon "$d" 15
done
# Anything still inside our unit cgroups (e.g. a journalctl spawned by the kubelet) goes too.
for d in $ALL_DAEMONS; do
  mapfile -t cgs < <(unit_cgroups "$d")
  kill_cgroups KILL "${cgs[@]}" || say "WARNING: processes left in $d.service cgroups"
done

# 4. Unmount everything below the host dirs the cluster owns (deepest first): container rootfs
# overlays, sandbox /dev/shm, netns bind mounts, kubelet volume tmpfs, the rshared /var/lib/kubelet.
for pass in 1 2 3; do
  mapfile -t mnts < <(awk '{ print $5 }' /proc/self/mountinfo | sed 's/\\040/ /g' | while IFS= read -r m; do
    for d in $HOST_STATE_DIRS /run/netns; do
      case "$m" in "$d" | "$d"/*) echo "$m" ;; esac
    done
  done | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2- | uniq)
  [ ${#mnts[@]} -gt 0 ] || break
  for m in "${mnts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
done

# 5. cgroups: the kubelet's /kubepods trees and the /system.slice/<daemon>.service dirs, depth-first.
for d in $(pod_cgroups); do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
for n in $ALL_DAEMONS; do
  for d in $(unit_cgroups "$n"); do rmdir "$d" 2>/dev/null || say "WARNING: cannot remove $d"; done
done
if [ -f "$STATE/created-cgroups" ]; then
  while IFS= read -r d; do [ -d "$d" ] && rmdir "$d" 2>/dev/null || true; done < "$STATE/created-cgroups"
fi
# cgroup hierarchies up.sh mounted (hugetlb for CRI-O).
if [ -f "$STATE/mounted-cgroups" ]; then
  while IFS= read -r d; do
    umount "$d" 2>/dev/null && rmdir "$d" 2>/dev/null || say "WARNING: cannot unmount $d"
  done < "$STATE/mounted-cgroups"
fi

# 6. network: the bridge (veths died with their netns) and CNI state.
if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then ip link del "$CNI_BRIDGE" || say "WARNING: cannot delete $CNI_BRIDGE"; fi

# The node address on lo (up.sh adds it; remove it even when the state dir is already gone).
if ip -4 addr show dev lo | grep -qw "inet $NODE_IP/32"; then ip addr del "$NODE_IP/32" dev lo || say "WARNING: cannot remove $NODE_IP/32 from lo"; fi

# 7. sysctls back to their values before up.sh.
if [ -f "$STATE/sysctl.saved" ]; then
  while IFS='=' read -r k v; do
    [ "$(sysctl -n "$k" 2>/dev/null || true)" = "$v" ] || sysctl -qw "$k=$v" 2>/dev/null || say "WARNING: cannot restore $k=$v"
  done < "$STATE/sysctl.saved"
fi

# 8. files: runtime state, journal, logs, state dir.
for d in $HOST_STATE_DIRS; do rm -rf "$d" 2>/dev/null || say "WARNING: cannot remove $d"; done
rm -f /var/log/containerd.log /var/log/crio.log /run/systemd/journald.conf.d/pod-birth.conf
rmdir /run/systemd/journald.conf.d 2>/dev/null || true
if [ -d "$STATE" ] || [ -d /run/systemd/journal ]; then
  # journald's runtime files (volatile journal + sockets), only when no journald is left running.
  if ! [ -S /run/systemd/journal/socket ] || ! fuser -s /run/systemd/journal/socket 2>/dev/null; then
    rm -rf /run/log/journal /run/systemd/journal
    rmdir /run/log 2>/dev/null || true
    [ ! -f "$STATE/created-devlog" ] || { [ -L /dev/log ] && rm -f /dev/log; }
  fi
fi
rm -rf "$STATE"

# 9. verify: no process of ours left (not even as a zombie), no cgroup, no bridge
wait_reaped 10 || true
left=""
for d in $(pod_cgroups); do left="$left $d"; done
for n in $ALL_DAEMONS; do for d in $(unit_cgroups "$n"); do left="$left $d"; done; done
[ -z "$left" ] || say "WARNING: cgroups left behind:$left"
ip link show "$CNI_BRIDGE" >/dev/null 2>&1 && say "WARNING: bridge $CNI_BRIDGE still present"
say "down in $(elapsed "$T0")s"
