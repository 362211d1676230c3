#!/usr/bin/env bash
# Records the traces in this folder again. Run as root from the repository, after npm run build.
set -euo pipefail
cd "$(dirname "$0")"
cttrace() { node ../bin/cttrace.js "$@"; }
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unshare_command=(unshare --fork --pid --mount --uts --ipc --net --mount-proc sh -c 'sh -c "echo \$\$"; hostname')

cttrace trace -q -o unshare-namespaces.cttrace -- "${unshare_command[@]}"
cttrace trace -q --all -o unshare-namespaces-all.cttrace -- "${unshare_command[@]}"
for runtime in ctrun runc crun; do
  cttrace run -q --runtime "$runtime" --hostname demo -o "busybox-$runtime.cttrace" -- busybox sh -c 'ps; hostname; id'
done
cttrace run -q --rootless --hostname demo -o busybox-ctrun-rootless.cttrace -- busybox sh -c 'id; cat /proc/self/uid_map'

# docker run through containerd: a private dockerd, a busybox rootfs imported as an image, and
# cttrace attached to containerd while docker run makes the container.
work=$(mktemp -d)
dockerd --iptables=false --bridge=none --data-root="$work/data" --exec-root="$work/exec" -H "unix://$work/docker.sock" --pidfile="$work/dockerd.pid" >/dev/null 2>&1 &
dockerd_pid=$!
stop_dockerd() { kill "$dockerd_pid" 2>/dev/null || true; wait "$dockerd_pid" 2>/dev/null || true; umount -R -l "$work" 2>/dev/null || true; rm -rf "$work"; }
trap stop_dockerd EXIT
dk() { docker -H "unix://$work/docker.sock" "$@"; }
until dk info >/dev/null 2>&1; do sleep 0.2; done
mkdir -p "$work/rootfs/bin" "$work/rootfs/proc" "$work/rootfs/sys" "$work/rootfs/dev" "$work/rootfs/etc"
cp /bin/busybox "$work/rootfs/bin/" && for applet in sh echo true; do ln -s busybox "$work/rootfs/bin/$applet"; done
tar -C "$work/rootfs" -c . | dk import - cttrace-busybox:demo >/dev/null
node ../bin/cttrace.js attach -q --name containerd -o docker-containerd.cttrace &  # not the function: $! must be node
attach_pid=$!
sleep 1
dk run --rm --network none cttrace-busybox:demo sh -c 'echo hi' >/dev/null
sleep 0.3
kill -TERM "$attach_pid" && wait "$attach_pid"  # a background job of a script ignores SIGINT

{
  echo "# Recorded traces"
  echo
  echo "Made by \`traces/make-traces.sh\` on $(date -u +%Y-%m-%d) with cttrace $(node -p 'require("../package.json").version'),"
  echo "kernel $(uname -r) ($(uname -m)), $(runc --version | head -1), $(crun --version | head -1), $(strace -V | head -1)."
  echo
  echo "| file | what it shows | command |"
  echo "|---|---|---|"
  echo "| unshare-namespaces.cttrace | unshare(2) of five namespaces, the child that is PID 1, a shell that is PID 2 inside | \`cttrace trace -- ${unshare_command[*]}\` |"
  echo "| unshare-namespaces-all.cttrace | the same, every syscall (\`--all\`) | \`cttrace trace --all -- ...\` |"
  for runtime in ctrun runc crun; do
    echo "| busybox-$runtime.cttrace | a busybox container started by $runtime: cgroup, clone/unshare, mounts, pivot_root, hostname, exec | \`cttrace run --runtime $runtime --hostname demo -- busybox sh -c 'ps; hostname; id'\` |"
  done
  echo "| busybox-ctrun-rootless.cttrace | rootless: a user namespace maps root inside to uid 100000 outside | \`cttrace run --rootless --hostname demo -- busybox sh -c 'id; cat /proc/self/uid_map'\` |"
  echo "| docker-containerd.cttrace | docker run through containerd ($(dockerd --version)): containerd → containerd-shim-runc-v2 → runc → runc:[0:PARENT] / [1:CHILD] / [2:INIT] → sh | \`cttrace attach --name containerd\` during \`docker run --rm --network none IMAGE sh -c 'echo hi'\` |"
} > README.md
