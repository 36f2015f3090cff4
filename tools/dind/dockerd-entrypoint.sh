#!/bin/sh
# Entrypoint of the local docker:26-dind stand-in (Debian trixie's dockerd 26), following the official
# dind image's contract as the course uses it:
# - no arguments, or only dockerd flags: dockerd listens on the unix socket DOCKER_HOST names (else
#   /var/run/docker.sock) and on TCP, 2376 with TLS when DOCKER_TLS_CERTDIR is set, 2375 without when it is
#   empty. This stand-in has no openssl, so it refuses the TLS case rather than listen without TLS;
# - first argument `dockerd`: exactly the flags given, nothing added (the course's compose.yaml runs it so,
#   on a unix socket in a shared volume only);
# - any other command runs as given (`docker ...` talks to DOCKER_HOST);
# - dockerd runs under docker-init (tini) so that no shim is left a zombie, in a privileged container whose
#   /var/lib/docker is a volume; stale pid files from an unclean stop are removed first.
set -eu

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
    socket=unix:///var/run/docker.sock
    case "${DOCKER_HOST:-}" in unix://*) socket=$DOCKER_HOST ;; esac
    if [ -n "${DOCKER_TLS_CERTDIR:-}" ]; then
        echo >&2 "dockerd-entrypoint (stand-in): TLS certificates are not made by this stand-in;" \
                 "set DOCKER_TLS_CERTDIR='' or give dockerd's flags yourself"
        exit 1
    fi
    set -- dockerd --host="$socket" --host=tcp://0.0.0.0:2375 "$@"
fi

if [ "$1" != dockerd ]; then
    exec "$@"
fi

find /run /var/run -maxdepth 2 -iname 'docker*.pid' -delete 2>/dev/null || :

# What a nested engine needs from a privileged container (the job of moby's hack/dind):
# securityfs for AppArmor, and on cgroup v2 its own processes moved out of the root cgroup so that the
# controllers can be handed down to the containers it starts.
if [ -d /sys/kernel/security ] && ! mountpoint -q /sys/kernel/security; then
    mount -t securityfs none /sys/kernel/security 2>/dev/null || :
fi
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    mkdir -p /sys/fs/cgroup/init
    for pid in $(cat /sys/fs/cgroup/cgroup.procs); do
        echo "$pid" > /sys/fs/cgroup/init/cgroup.procs 2>/dev/null || :
    done
    sed -e 's/ / +/g' -e 's/^/+/' /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || :
fi
mountpoint -q /tmp || mount -t tmpfs none /tmp 2>/dev/null || :

# iptables: nftables where it answers, else the legacy backend (as the official image falls back).
if ! iptables -nL >/dev/null 2>&1 && iptables-legacy -nL >/dev/null 2>&1; then
    mkdir -p /usr/local/sbin/.iptables-legacy
    for tool in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
        ln -sf "/usr/sbin/$(echo "$tool" | sed 's/tables/tables-legacy/')" "/usr/local/sbin/.iptables-legacy/$tool"
    done
    PATH=/usr/local/sbin/.iptables-legacy:$PATH
    export PATH
fi
iptables --version || :

exec docker-init -- "$@"
