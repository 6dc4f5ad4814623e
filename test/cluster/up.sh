#!/usr/bin/env bash
# Bring up the single-node test cluster (docs/local-cluster.md explains each setting). Default:
# Debian containerd 1.6 + runc + bridge CNI + docker-registry on 127.0.0.1:5000, Kubernetes 1.34
# components from the cikube multi-call binary (test/cluster/kube), embedded etcd, a standalone
# systemd-journald holding the runtime and kubelet logs (so Node Log Query works as on a systemd
# node), and /var/log/containerd.log as a plain-file copy.
#
# The combination comes from the environment (lib.sh, requested_combination):
#   POD_BIRTH_RUNTIME=containerd|containerd2|crio  POD_BIRTH_KUBERNETES=1.34|1.37
#   POD_BIRTH_NODE_LOGS=open|stock
# containerd2 and crio are built by build-runtime.sh, 1.37 by build-kube.sh (cached, outside the repo).
#
# Idempotent: when the cluster is already up with the requested combination it only prints the
# status; up with another combination, it is taken down and brought up with the requested one. A
# half-up cluster is torn down (down.sh) and started again. The last line printed is
# KUBECONFIG=<admin kubeconfig>.
#
# Env: POD_BIRTH_CLUSTER_DIR (state, default /var/lib/pod-birth-cluster), POD_BIRTH_CACHE (binary
# cache, default ~/.cache/pod-birth), POD_BIRTH_CONTAINERD_LOG_LEVEL / POD_BIRTH_CRIO_LOG_LEVEL
# (default info), POD_BIRTH_KUBELET_V (default 2), POD_BIRTH_MAX_PODS (the kubelet's maxPods, default
# 110 as the kubelet's own default; the rollout bench asks 330 — a cluster up with another value is
# brought up again).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts a kubelet)"

T0=$(now)
PHASE=init
PHASE_T=$(now)
TIMINGS=()
phase() { # NAME: close the current phase and open a new one
  local e
  e=$(elapsed "$PHASE_T")
  [ "$PHASE" = init ] || { TIMINGS+=("$PHASE=${e}s"); say "$PHASE: done in ${e}s"; }
  PHASE=$1
  PHASE_T=$(now)
}
on_error() {
  local rc=$?
  say "FAILED in phase '$PHASE' (exit $rc) after $(elapsed "$T0")s."
  say "Logs are in $LOGS ($RUNTIME_SERVICE: $RUNTIME_LOG, journalctl -u $RUNTIME_SERVICE). Clean up with: npm run cluster:down"
  exit "$rc"
}
trap on_error ERR

# ---------------------------------------------------------------------------------------------
# What is running (recorded by the up.sh that started it), what is asked for (the environment).
load_combination
RUNNING=$COMBINATION
requested_combination
say "combination: $COMBINATION"

# Already up?
cluster_is_up() {
  local d
  for d in $DAEMONS; do pid_of "$d" >/dev/null || return 1; done
  load_kube_bin
  [ -n "$KUBE_BIN" ] && [ -x "$KUBE_BIN/cikube" ] || return 1
  kubectl_admin get node "$NODE_NAME" \
    -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True
}
# write_cluster_json: $STATE/cluster.json, what the test harness reads (test/cluster/harness.ts).
# runtime.version is what the node reports (containerRuntimeVersion without the "name://").
# containerdLog is the runtime's log copy whatever the runtime (the harness reads that key).
write_cluster_json() {
  local started rv kv
  started=$(sed -n 's/.*"startedAt": *"\([^"]*\)".*/\1/p' "$STATE/cluster.json" 2>/dev/null || true)
  rv=$(kubectl_admin get node "$NODE_NAME" -o 'jsonpath={.status.nodeInfo.containerRuntimeVersion}' 2>/dev/null || true)
  kv=$("$KUBE_BIN/cikube" kubectl version --client -o json 2>/dev/null | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | head -n 1)
  cat > "$STATE/cluster.json.tmp" <<EOF
{
  "stateDir": "$STATE",
  "kubeconfig": "$KUBECONFIG_ADMIN",
  "nodeName": "$NODE_NAME",
  "nodeIP": "$NODE_IP",
  "cikube": "$KUBE_BIN/cikube",
  "kubectl": "$STATE/bin/kubectl",
  "registry": "$REGISTRY",
  "combination": {"runtime": "$RUNTIME", "kubernetes": "$KUBERNETES", "nodeLogs": "$NODE_LOGS"},
  "runtime": {"name": "$RUNTIME", "service": "$RUNTIME_SERVICE", "version": "${rv#*://}", "endpoint": "unix://$RUNTIME_SOCK", "bin": "$(runtime_bin)"},
  "nodeLogs": "$NODE_LOGS",
  "runtimeLog": "$RUNTIME_LOG",
  "containerdLog": "$RUNTIME_LOG",
  "kubeletLog": "$LOGS/kubelet.log",
  "logsDir": "$LOGS",
  "scriptsDir": "$CLUSTER_DIR",
  "kubernetesVersion": "$kv",
  "startedAt": "${started:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
}
EOF
  mv "$STATE/cluster.json.tmp" "$STATE/cluster.json"
}
write_combination() {
  printf 'RUNTIME=%s\nKUBERNETES=%s\nNODE_LOGS=%s\n' "$RUNTIME" "$KUBERNETES" "$NODE_LOGS" > "$STATE/combination"
}

# The kubelet's maxPods (the rollout bench traces 300 pods on the one node). Pod IPs come from a /22
# (1,022 addresses), so any value up to 1000 has addresses.
MAX_PODS=${POD_BIRTH_MAX_PODS:-110}
case $MAX_PODS in
  ''|*[!0-9]*) die "POD_BIRTH_MAX_PODS=$MAX_PODS: give a whole number of pods (1..1000)" ;;
esac
[ "$MAX_PODS" -ge 1 ] && [ "$MAX_PODS" -le 1000 ] || die "POD_BIRTH_MAX_PODS=$MAX_PODS: give a whole number of pods (1..1000)"
max_pods_as_asked() {
  local running
  running=$(sed -n 's/^maxPods: *//p' "$ETC/kubelet.yaml" 2>/dev/null || true)
  # A kubelet.yaml without the line (written before the knob) runs the kubelet's default, 110.
  [ "${running:-110}" = "$MAX_PODS" ]
}

if [ "$RUNNING" = "$COMBINATION" ] && cluster_is_up && ! max_pods_as_asked; then
  say "the cluster is up with another kubelet maxPods than POD_BIRTH_MAX_PODS=$MAX_PODS: taking it down, then bringing it up again"
  bash "$CLUSTER_DIR/down.sh" >&2
fi
if [ "$RUNNING" = "$COMBINATION" ] && cluster_is_up; then
  say "cluster already up ($COMBINATION)"
  # A cluster started before combinations were recorded gets its record now. cluster.json is
  # rewritten, which also points the harness at this checkout's scripts (a CI clone may differ
  # from the one that started it).
  [ -f "$STATE/combination" ] || write_combination
  write_cluster_json
  bash "$CLUSTER_DIR/status.sh" >&2 || true
  echo "KUBECONFIG=$KUBECONFIG_ADMIN"
  exit 0
fi
if [ "$RUNNING" != "$COMBINATION" ] && [ -d "$STATE" ]; then
  say "the cluster is up (or partly up) with $RUNNING, but $COMBINATION was requested: taking it down, then bringing it up with $COMBINATION"
  bash "$CLUSTER_DIR/down.sh" >&2
elif [ -d "$STATE" ] || [ -S "$CONTAINERD_SOCK" ] || [ -S "$CRIO_SOCK" ] || ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then
  say "a previous cluster is partly up or was not torn down: running down.sh first"
  bash "$CLUSTER_DIR/down.sh" >&2
fi
# Ports must be free: something else on them would make the daemons fail in confusing ways.
for port in 2379 2380 2381 5000 6443 10250 10257 10259 10248; do
  if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
    die "TCP port $port is already in use (ss -ltnp 'sport = :$port'); is another cluster running?"
  fi
done

# ---------------------------------------------------------------------------------------------
phase apt
PACKAGES="runc containernetworking-plugins docker-registry skopeo umoci busybox-static openssl iproute2 gcc libc6-dev systemd curl ca-certificates"
case $RUNTIME in
  containerd) PACKAGES="containerd $PACKAGES" ;;
  # CRI-O runs containers through conmon and runc; libseccomp-dev and pkg-config for its build.
  crio) PACKAGES="$PACKAGES conmon libseccomp-dev pkg-config" ;;
esac
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  say "installing Debian packages:$missing"
  # Debian's containerd and docker-registry packages start their services unless policy-rc.d
  # says no; this script starts every daemon itself.
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  apt_install() {
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing > "$STATE.apt.log" 2>&1
  }
  mkdir -p "$(dirname "$STATE")"
  if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || ! apt_install; then
    say "apt-get install failed or no package lists: running apt-get update"
    apt-get update -q > "$STATE.apt-update.log" 2>&1 || { tail -n 20 "$STATE.apt-update.log" >&2; die "apt-get update failed"; }
    apt_install || { tail -n 30 "$STATE.apt.log" >&2; die "apt-get install$missing failed"; }
  fi
  rm -f "$STATE.apt.log" "$STATE.apt-update.log"
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

# ---------------------------------------------------------------------------------------------
phase build
KUBE_BIN=$(bash "$CLUSTER_DIR/build-kube.sh" "$KUBERNETES" | tail -n 1)
[ -x "$KUBE_BIN/cikube" ] || die "build-kube.sh did not produce $KUBE_BIN/cikube"
RUNTIME_BIN=$(bash "$CLUSTER_DIR/build-runtime.sh" "$RUNTIME" | tail -n 1)
[ -d "$RUNTIME_BIN" ] || die "build-runtime.sh did not produce a binary directory for $RUNTIME"

mkdir -p "$PIDS" "$LOGS" "$PKI" "$ETC" "$STATE/bin" "$STATE/cni/networks" "$STATE/kubelet-plugins"
write_combination
echo "$KUBE_BIN" > "$STATE/kube-bin"
echo "$RUNTIME_BIN" > "$STATE/runtime-bin"
cat > "$STATE/bin/kubectl" <<EOF
#!/bin/sh
exec "$KUBE_BIN/cikube" kubectl --kubeconfig "$KUBECONFIG_ADMIN" "\$@"
EOF
chmod 755 "$STATE/bin/kubectl"

# Host settings the kubelet and the bridge plugin change; down.sh restores them.
for s in $SYSCTLS; do echo "$s=$(sysctl -n "$s")"; done > "$STATE/sysctl.saved"
if [ "$(sysctl -n fs.inotify.max_user_instances)" -lt 512 ]; then sysctl -qw fs.inotify.max_user_instances=512; fi
# Which /system.slice cgroup dirs existed before (down.sh removes only the ones we create).
: > "$STATE/created-cgroups"
for h in $UNIT_HIERARCHIES; do
  [ -d "/sys/fs/cgroup/$h" ] || continue
  [ -d "/sys/fs/cgroup/$h/system.slice" ] || echo "/sys/fs/cgroup/$h/system.slice" >> "$STATE/created-cgroups"
done
[ -e /dev/log ] || echo "/dev/log" > "$STATE/created-devlog"
# The node address: a /32 on lo (see lib.sh for why not 127.0.0.1).
ip -4 addr show dev lo | grep -qw "inet $NODE_IP/32" || ip addr add "$NODE_IP/32" dev lo

# ---------------------------------------------------------------------------------------------
phase journald
mkdir -p /run/systemd/journald.conf.d
cat > /run/systemd/journald.conf.d/pod-birth.conf <<'EOF'
# Written by pod-birth test/cluster/up.sh; removed by down.sh.
[Journal]
Storage=volatile
RuntimeMaxUse=1G
RateLimitIntervalSec=0
ForwardToSyslog=no
ForwardToWall=no
EOF
start_unit systemd-journald 0 /lib/systemd/systemd-journald
wait_for systemd-journald 10 "the journal socket" test -S /run/systemd/journal/stdout

# ---------------------------------------------------------------------------------------------
phase images
cat > "$ETC/registry.yml" <<EOF
version: 0.1
log: {level: info, formatter: text}
storage:
  filesystem: {rootdirectory: $STATE/registry}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:5000
health:
  storagedriver: {enabled: false}
EOF
start_unit docker-registry 0 /usr/bin/docker-registry serve "$ETC/registry.yml"
wait_for docker-registry 15 "the registry on $REGISTRY" curl -fsS "http://$REGISTRY/v2/"

IMG=$STATE/images
rm -rf "$IMG"
mkdir -p "$IMG"
umoci init --layout "$IMG/oci"
# build_busybox TAG: busybox-static plus applet symlinks; a label and /etc/image-tag make each tag
# a distinct image (different image id), so "already present" and "fresh pull" differ for real.
build_busybox() {
  local tag=$1 b=$IMG/bundle-busybox-$1 r a
  umoci new --image "$IMG/oci:busybox-$tag"
  umoci unpack --rootless=false --image "$IMG/oci:busybox-$tag" "$b" > /dev/null
  r=$b/rootfs
  mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/root" "$r/var"
  cp /bin/busybox "$r/bin/busybox"
  for a in $("$r/bin/busybox" --list); do [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/bin/false' >> "$r/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' > "$r/etc/group"
  echo "$tag" > "$r/etc/image-tag"
  chmod 1777 "$r/tmp"
  umoci repack --image "$IMG/oci:busybox-$tag" "$b"
  umoci config --image "$IMG/oci:busybox-$tag" --architecture=amd64 --os=linux \
    --config.env PATH=/bin --config.workingdir=/ \
    --config.label "org.opencontainers.image.version=$tag" \
    --config.label "org.opencontainers.image.source=pod-birth test/cluster/up.sh" \
    --config.cmd=/bin/sh --config.cmd=-c --config.cmd='echo hello from busybox; sleep 3600'
}
build_busybox 1.36
build_busybox 1.37
# pause: a static C program (images/pause.c)
gcc -Os -static -s -o "$IMG/pause" "$CLUSTER_DIR/images/pause.c"
umoci new --image "$IMG/oci:pause"
umoci unpack --rootless=false --image "$IMG/oci:pause" "$IMG/bundle-pause" > /dev/null
cp "$IMG/pause" "$IMG/bundle-pause/rootfs/pause"
umoci repack --image "$IMG/oci:pause" "$IMG/bundle-pause"
umoci config --image "$IMG/oci:pause" --architecture=amd64 --os=linux \
  --config.entrypoint=/pause --config.user=65535:65535
umoci gc --layout "$IMG/oci"
push() { # OCI-TAG REPO:TAG
  skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$IMG/oci:$1" "docker://$REGISTRY/$2" > /dev/null
}
# Paths as upstream: docker.io/library/busybox:T -> /v2/library/busybox, registry.k8s.io/pause -> /v2/pause
push busybox-1.36 library/busybox:1.36
push busybox-1.36 library/busybox:latest
push busybox-1.37 library/busybox:1.37
push pause pause:3.10
rm -rf "$IMG"/bundle-*

# ---------------------------------------------------------------------------------------------
phase pki
(
  cd "$PKI"
  # ECDSA P-256 keys: the whole PKI takes well under a second (RSA 2048 took ~3.4 s).
  ec() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }
  ec ca.key
  openssl req -x509 -new -key ca.key -out ca.crt -days 3650 -subj "/CN=pod-birth-ci-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  ec sa.key
  openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null
  sign() { # NAME CN O EXT
    local subj="/CN=$2"
    [ -z "$3" ] || subj="/O=$3/CN=$2"
    ec "$1.key"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "$subj" 2>/dev/null
    printf '%b\n' "$4" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 3650 -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
  }
  CLIENT='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth'
  sign apiserver kube-apiserver "" "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.0.0.1"
  sign admin kubernetes-admin system:masters "$CLIENT"
  sign controller-manager system:kube-controller-manager "" "$CLIENT"
  sign scheduler system:kube-scheduler "" "$CLIENT"
  sign kubelet "system:node:$NODE_NAME" system:nodes "$CLIENT"
  # No system:masters here (as kubeadm since 1.29): the RBAC binding below authorises it.
  sign apiserver-kubelet-client kube-apiserver-kubelet-client "" "$CLIENT"
  kubeconfig() { # FILE CERTNAME USER
    cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: pod-birth-ci
  cluster:
    server: $APISERVER
    certificate-authority-data: $(base64 -w0 ca.crt)
users:
- name: $3
  user:
    client-certificate-data: $(base64 -w0 "$2.crt")
    client-key-data: $(base64 -w0 "$2.key")
contexts:
- name: $3@pod-birth-ci
  context: {cluster: pod-birth-ci, user: $3}
current-context: $3@pod-birth-ci
EOF
    chmod 600 "$1"
  }
  kubeconfig admin.kubeconfig admin kubernetes-admin
  kubeconfig controller-manager.kubeconfig controller-manager system:kube-controller-manager
  kubeconfig scheduler.kubeconfig scheduler system:kube-scheduler
  kubeconfig kubelet.kubeconfig kubelet "system:node:$NODE_NAME"
  openssl verify -CAfile ca.crt apiserver.crt admin.crt kubelet.crt apiserver-kubelet-client.crt > /dev/null
)

# ---------------------------------------------------------------------------------------------
phase control-plane
C="$KUBE_BIN/cikube"
start_unit etcd 0 "$C" etcd "$STATE/etcd"
wait_for etcd 30 "etcd health on 127.0.0.1:2379" curl -fsS http://127.0.0.1:2379/health

apiserver_args=(
  --etcd-servers=http://127.0.0.1:2379
  --bind-address=127.0.0.1 --secure-port=6443
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key"
  --client-ca-file="$PKI/ca.crt"
  --service-account-issuer=https://kubernetes.default.svc.cluster.local
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key"
  --service-cluster-ip-range=10.0.0.0/24
  --authorization-mode=Node,RBAC
  --enable-admission-plugins=NodeRestriction
  --allow-privileged=true
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt"
  --kubelet-client-key="$PKI/apiserver-kubelet-client.key"
  --kubelet-preferred-address-types=InternalIP,Hostname
  --v=2
)
# The apiserver advertises the default-route address in the `kubernetes` Service endpoints (it binds
# only to 127.0.0.1). Without a default route it cannot pick one and would refuse to start.
if ! ip -4 route show default | grep -q .; then
  apiserver_args+=(--advertise-address=127.0.0.1 --endpoint-reconciler-type=none)
fi
start_unit kube-apiserver 0 "$C" kube-apiserver "${apiserver_args[@]}"
wait_for kube-apiserver 120 "kube-apiserver /readyz" kubectl_admin get --raw /readyz
# apiserver -> kubelet (nodes/proxy, node log query): the kubelet authorises the apiserver's
# client cert with a SubjectAccessReview (docs/local-cluster.md, "Control plane and PKI").
kubectl_admin apply -f - > /dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kube-apiserver-kubelet-admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: kube-apiserver-kubelet-client
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:kubelet-api-admin
EOF

start_unit kube-controller-manager 0 "$C" kube-controller-manager \
  --kubeconfig="$PKI/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$PKI/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$PKI/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" \
  --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --v=2
start_unit kube-scheduler 0 "$C" kube-scheduler \
  --kubeconfig="$PKI/scheduler.kubeconfig" \
  --authentication-kubeconfig="$PKI/scheduler.kubeconfig" \
  --authorization-kubeconfig="$PKI/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --v=2
wait_for kube-controller-manager 60 "kube-controller-manager /healthz" curl -fsSk https://127.0.0.1:10257/healthz
wait_for kube-scheduler 60 "kube-scheduler /healthz" curl -fsSk https://127.0.0.1:10259/healthz

# ---------------------------------------------------------------------------------------------
phase node
mkdir -p "$ETC/cni/net.d"
# No "loopback" entry: the runtimes (containerd's go-cni, CRI-O's ocicni) add the loopback network
# themselves.
cat > "$ETC/cni/net.d/10-bridge.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "ci-bridge",
  "plugins": [
    {
      "type": "bridge", "bridge": "$CNI_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$STATE/cni/networks",
        "ranges": [[{"subnet": "10.88.0.0/22", "gateway": "10.88.0.1"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    }
  ]
}
EOF

# containerd (1.6 and 2.x): registry hosts in certs.d, read by the CRI plugin and (2.x) the
# transfer service that pulls for it.
containerd_hosts() {
  mkdir -p "$ETC/containerd/certs.d/$REGISTRY" "$ETC/containerd/certs.d/docker.io" "$ETC/containerd/certs.d/registry.k8s.io"
  cat > "$ETC/containerd/certs.d/$REGISTRY/hosts.toml" <<EOF
server = "http://$REGISTRY"
[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve", "push"]
  skip_verify = true
EOF
  local h
  for h in docker.io registry.k8s.io; do
    # server also points at the local registry: a miss never falls back to the (unreachable) real host.
    cat > "$ETC/containerd/certs.d/$h/hosts.toml" <<EOF
server = "http://$REGISTRY"
[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
  skip_verify = true
EOF
  done
}

case $RUNTIME in
  containerd)
    containerd_hosts
    cat > "$ETC/containerd/config.toml" <<EOF
# Written by pod-birth test/cluster/up.sh
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  level = "${POD_BIRTH_CONTAINERD_LOG_LEVEL:-info}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  enable_selinux = false
  max_container_log_line_size = 16384
  netns_mounts_under_state_dir = true
  # REQUIRED on this VM: no CAP_SYS_RESOURCE, so negative oom_score_adj writes fail (EPERM) and
  # every sandbox dies with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "/usr/sbin/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$ETC/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$ETC/containerd/certs.d"
EOF
    runtime_cmd=(/usr/bin/containerd --config "$ETC/containerd/config.toml")
    ;;
  containerd2)
    containerd_hosts
    # The 1.6 settings above in containerd 2.x's config version 3: the CRI plugin is split into
    # io.containerd.cri.v1.images (snapshotter, sandbox image, registry) and
    # io.containerd.cri.v1.runtime (runtimes, CNI, oom, netns). imports = [] keeps
    # /etc/containerd/conf.d out; the opt, NRI and tracing plugins would create /opt/containerd,
    # /var/run/nri and exporters, which nothing here uses. (Not the image-verifier plugin: without
    # it the transfer service, and with it the CRI plugin, fail to load.)
    cat > "$ETC/containerd/config.toml" <<EOF
# Written by pod-birth test/cluster/up.sh (containerd 2.x)
version = 3
root = "/var/lib/containerd"
state = "/run/containerd"
imports = []
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.nri.v1.nri",
  "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  level = "${POD_BIRTH_CONTAINERD_LOG_LEVEL:-info}"

[plugins]
  [plugins.'io.containerd.cri.v1.images']
    snapshotter = "overlayfs"
    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = "registry.k8s.io/pause:3.10"
    [plugins.'io.containerd.cri.v1.images'.registry]
      config_path = "$ETC/containerd/certs.d"
  [plugins.'io.containerd.cri.v1.runtime']
    enable_selinux = false
    max_container_log_line_size = 16384
    netns_mounts_under_state_dir = true
    # REQUIRED on this VM (no CAP_SYS_RESOURCE), as for 1.6.
    restrict_oom_score_adj = true
    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = "runc"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
          SystemdCgroup = false
          BinaryName = "/usr/sbin/runc"
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = ["/usr/lib/cni"]
      conf_dir = "$ETC/cni/net.d"
      max_conf_num = 1
  [plugins.'io.containerd.transfer.v1.local']
    config_path = "$ETC/containerd/certs.d"
EOF
    # containerd finds its shim (containerd-shim-runc-v2) on PATH: the built 2.x one, not Debian's.
    runtime_cmd=(env "PATH=$RUNTIME_BIN:$PATH" "$RUNTIME_BIN/containerd" --config "$ETC/containerd/config.toml")
    ;;
  crio)
    mkdir -p "$ETC/crio/crio.conf.d" "$ETC/crio/registries.conf.d" "$ETC/crio/hooks.d" "$ETC/crio/cdi"
    # Registries as containers-registries.conf(5): short names from docker.io, docker.io and
    # registry.k8s.io served by the local registry (same paths as upstream), nothing else.
    cat > "$ETC/crio/registries.conf" <<EOF
unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"
[[registry]]
prefix = "docker.io"
location = "$REGISTRY"
insecure = true
[[registry]]
prefix = "registry.k8s.io"
location = "$REGISTRY"
insecure = true
[[registry]]
location = "$REGISTRY"
insecure = true
EOF
    echo '{"default": [{"type": "insecureAcceptAnything"}]}' > "$ETC/crio/policy.json"
    cat > "$ETC/crio/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "/var/lib/crio/storage"
runroot = "/run/crio/storage"
EOF
    # Every path CRI-O owns under /var/lib/crio and /run/crio (down.sh removes both), none in
    # /etc/containers or /var/lib/containers (the machine's). The runtime handler: Debian's runc
    # under Debian's conmon, conmon in the pod's cgroup (cgroupfs: no systemd). Not Debian's crun
    # 1.8.1 (CRI-O's default): it refuses CRI-O 1.34's specs (ociVersion 1.2+: "unknown version
    # specified"), so every CreateContainer failed.
    cat > "$ETC/crio/crio.conf" <<EOF
# Written by pod-birth test/cluster/up.sh (CRI-O)
[crio]
root = "/var/lib/crio/storage"
runroot = "/run/crio/storage"
storage_driver = "overlay"
log_dir = "/run/crio/pod-logs"
version_file = "/run/crio/version"
version_file_persist = "/var/lib/crio/version"

[crio.api]
listen = "$CRIO_SOCK"
stream_address = "127.0.0.1"
stream_port = "0"

[crio.runtime]
default_runtime = "runc"
cgroup_manager = "cgroupfs"
namespaces_dir = "/run/crio/ns"
pinns_path = "$RUNTIME_BIN/pinns"
hooks_dir = ["$ETC/crio/hooks.d"]
cdi_spec_dirs = ["$ETC/crio/cdi"]
container_exits_dir = "/run/crio/exits"
container_attach_socket_dir = "/run/crio"
log_level = "${POD_BIRTH_CRIO_LOG_LEVEL:-info}"

[crio.runtime.runtimes.runc]
runtime_path = "/usr/sbin/runc"
runtime_type = "oci"
runtime_root = "/run/crio/runc"
monitor_path = "/usr/bin/conmon"
monitor_cgroup = "pod"

[crio.image]
pause_image = "registry.k8s.io/pause:3.10"
signature_policy = "$ETC/crio/policy.json"

[crio.network]
network_dir = "$ETC/cni/net.d"
plugin_dirs = ["/usr/lib/cni"]

[crio.metrics]
enable_metrics = false

[crio.nri]
enable_nri = false
EOF
    # --registries-conf(-dir) (hidden flags): the CONTAINERS_REGISTRIES_CONF environment variable
    # is not what CRI-O's pulls read (its sandbox image pull still went to registry.k8s.io).
    # The hugetlb controller is enabled in /proc/cgroups but not mounted on this VM. CRI-O reads
    # /proc/cgroups, so it passes the kubelet's hugepage limits on and runc fails every container
    # with "cannot set hugetlb limit: container could not join or create cgroup" (containerd drops
    # them: tolerate_missing_hugetlb_controller). Mount it, as a systemd node has it; down.sh
    # unmounts it.
    if [ ! -d /sys/fs/cgroup/hugetlb ] && awk '$1 == "hugetlb" && $4 == 1 { f = 1 } END { exit !f }' /proc/cgroups; then
      mkdir /sys/fs/cgroup/hugetlb
      mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb
      echo /sys/fs/cgroup/hugetlb > "$STATE/mounted-cgroups"
    fi
    runtime_cmd=(env "CONTAINERS_STORAGE_CONF=$ETC/crio/storage.conf"
      "$RUNTIME_BIN/crio" --config "$ETC/crio/crio.conf" --config-dir "$ETC/crio/crio.conf.d"
      --registries-conf "$ETC/crio/registries.conf" --registries-conf-dir "$ETC/crio/registries.conf.d")
    ;;
esac

: > "$RUNTIME_LOG"
start_unit "$RUNTIME_SERVICE" 1 "${runtime_cmd[@]}"
# Plain-file copy of the runtime's journal: /var/log/<runtime>.log in open mode (the kubelet serves
# it as /logs/<runtime>.log), $LOGS/<runtime>.log in stock mode. The daemon itself writes to the
# journal so its lines carry its own PID and _SYSTEMD_UNIT.
start_unit "$RUNTIME_SERVICE-logcopy" 0 sh -c "exec journalctl --no-pager -o cat -n all -f -u $RUNTIME_SERVICE.service >> '$RUNTIME_LOG'"
wait_for "$RUNTIME_SERVICE" 30 "$RUNTIME_SERVICE on $RUNTIME_SOCK" daemon_ready "$RUNTIME_SERVICE"
if [ "$RUNTIME_SERVICE" = containerd ]; then
  # containerd serves its socket even when the CRI plugin failed to load; the kubelet would then
  # only say "unknown service runtime.v1.RuntimeService".
  cri=$("$RUNTIME_BIN/ctr" --address "$CONTAINERD_SOCK" plugins ls | awk '$1 == "io.containerd.grpc.v1" && $2 == "cri" { print $NF }')
  if [ "$cri" != ok ]; then
    grep -E 'level=(warning|error).*failed to load plugin' "$RUNTIME_LOG" | tail -n 10 >&2 || true
    die "containerd's CRI plugin did not load (status: ${cri:-missing}); see above and $RUNTIME_LOG"
  fi
fi

# Node Log Query: open mode turns it on (gate + enableSystemLogQuery); stock mode leaves the
# kubelet's log settings as each version ships them (gate default: off before 1.36, on from 1.36;
# enableSystemLogQuery: false).
case $NODE_LOGS in
  open) log_settings='enableSystemLogHandler: true
enableSystemLogQuery: true
featureGates:
  NodeLogQuery: true' ;;
  stock) log_settings='# Node Log Query settings as shipped (POD_BIRTH_NODE_LOGS=stock)' ;;
esac
cat > "$ETC/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
containerRuntimeEndpoint: unix://$RUNTIME_SOCK
cgroupDriver: cgroupfs
cgroupsPerQOS: true
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
maxOpenFiles: $(ulimit -Hn)
maxPods: $MAX_PODS
protectKernelDefaults: false
makeIPTablesUtilChains: false
clusterDNS: ["10.0.0.10"]
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
imageGCHighThresholdPercent: 100
evictionHard:
  nodefs.available: "0%"
  nodefs.inodesFree: "0%"
  imagefs.available: "0%"
serializeImagePulls: true
rotateCertificates: false
volumePluginDir: $STATE/kubelet-plugins
$log_settings
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: Webhook
EOF
mkdir -p /var/lib/kubelet /var/log/pods
start_unit kubelet 1 "$C" kubelet --config="$ETC/kubelet.yaml" \
  --kubeconfig="$PKI/kubelet.kubeconfig" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --v="${POD_BIRTH_KUBELET_V:-2}"
start_unit kubelet-logcopy 0 sh -c "exec journalctl --no-pager -o cat -n all -f -u kubelet.service >> '$LOGS/kubelet.log'"
wait_for kubelet 60 "the kubelet /healthz" curl -fsS http://127.0.0.1:10248/healthz
node_ready() {
  kubectl_admin get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' | grep -qx True
}
wait_for kubelet 120 "node $NODE_NAME Ready" node_ready
wait_for kube-controller-manager 60 "the default ServiceAccount" kubectl_admin -n default get serviceaccount default

write_cluster_json
phase done
say "up in $(elapsed "$T0")s (${TIMINGS[*]})"
echo "${TIMINGS[*]} total=$(elapsed "$T0")s" > "$STATE/up-timings"
bash "$CLUSTER_DIR/status.sh" >&2 || true
echo "KUBECONFIG=$KUBECONFIG_ADMIN"
