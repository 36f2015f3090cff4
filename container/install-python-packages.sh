#!/bin/sh
# install-python-packages.sh WHEELS PIP-INSTALL-ARGS...: pip install from the wheels in WHEELS and no index
# when there are any (tools/course_wheels.sh downloads them on the host), else from PyPI. A base image
# without pip (Debian's python3) gets it from the pip wheel first.
set -eu
wheels=$1; shift
if ls "$wheels"/*.whl >/dev/null 2>&1; then
    set -- --no-index --find-links "$wheels" "$@"
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
    pip_wheel=$(ls "$wheels"/pip-*.whl 2>/dev/null | head -1)
    [ -n "$pip_wheel" ] || { echo "no pip in this image and no pip wheel in $wheels" >&2; exit 1; }
    python3 "$pip_wheel/pip" install --quiet --no-index "$pip_wheel"
fi
exec python3 -m pip install --quiet "$@"
