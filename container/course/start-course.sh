#!/bin/bash
# The course container's entrypoint: JupyterLab on port 8888 with the labs, the book at /book/ on the same
# server, labcheck's doctor once the engine answers, and then the one address to open.
set -euo pipefail

# In a class hub (classroom/), DockerSpawner starts this image with the command jupyterhub-singleuser: the hub
# logs learners in and proxies their server, and the name a learner logged in with becomes their labcheck name.
if [ "${1:-}" = jupyterhub-singleuser ]; then
    shift
    mkdir -p "$LABCHECK_HOME" "$LABCHECK_WORKSPACE"
    labcheck whoami --name "$JUPYTERHUB_USER" >/dev/null || true
    exec jupyterhub-singleuser --allow-root --ServerApp.root_dir=/course \
        --ServerApp.jpserver_extensions="{'course_book': True}" \
        --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate "$@"
fi

port=${COURSE_PORT:-8888}          # the port on the learner's machine: compose publishes 127.0.0.1:$COURSE_PORT
token=${COURSE_TOKEN:-$(python3 -c 'import secrets; print(secrets.token_hex(16))')}

# With the learner's own engine (compose.host-engine.yaml) the engine reads bind-mount sources on the
# learner's machine, so $WORKSPACE must be the workspace's path there: find it from this container's own
# mounts, and make the same path lead to /workspace here.
if [ "${COURSE_ENGINE:-private}" = host ]; then
    source=$(docker inspect --format '{{range .Mounts}}{{if eq .Destination "/workspace"}}{{.Source}}{{end}}{{end}}' \
             "$HOSTNAME" 2>/dev/null || true)
    if [ -n "$source" ] && [ "$source" != /workspace ]; then
        mkdir -p "$(dirname "$source")"
        ln -sfn /workspace "$source"
        export LABCHECK_WORKSPACE=$source
        echo "export LABCHECK_WORKSPACE='$source'" > /etc/profile.d/course-workspace.sh
    fi
fi

mkdir -p "$LABCHECK_HOME" "$LABCHECK_WORKSPACE"
jupyter lab --no-browser --ip=0.0.0.0 --port=8888 --allow-root \
    --ServerApp.root_dir=/course --IdentityProvider.token="$token" \
    --ServerApp.jpserver_extensions="{'course_book': True}" \
    --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
    >/tmp/jupyterlab.log 2>&1 &
lab=$!
trap 'kill -TERM $lab 2>/dev/null; wait $lab; exit 0' TERM INT

for _ in $(seq 1 120); do docker version >/dev/null 2>&1 && break; sleep 0.25; done
labcheck doctor || true
until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8888/api/status?token=$token', timeout=1)" 2>/dev/null; do
    kill -0 $lab 2>/dev/null || { echo "JupyterLab stopped; its log:"; cat /tmp/jupyterlab.log; exit 1; }
    sleep 0.2
done
cat <<TEXT

The course is running. Open:  http://127.0.0.1:$port/lab/tree/labs?token=$token
  (the book is at http://127.0.0.1:$port/book/ ; JupyterLab's log is /tmp/jupyterlab.log in the container)
Stop with Ctrl-C or \`docker compose down\`; your progress, workspace and the engine's volumes stay until
\`docker compose down -v\`.
TEXT
wait $lab
