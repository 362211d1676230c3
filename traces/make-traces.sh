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
} > README.md
