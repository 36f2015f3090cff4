#!/usr/bin/env bash
# Download, on the host, the wheels the course image installs (container/requirements.txt) and the book's
# builder stage uses (container/book-requirements.txt), for the image's Python (CPython 3.13, x86_64 Linux),
# into container/wheels. The image build then installs from them with no index: no network inside the build.
# Without this step the build installs the same from PyPI. Run again after changing either list.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
PIP=${PIP:-$HERE/.venv/bin/pip}
cd "$HERE/container"
mkdir -p wheels
"$PIP" download --quiet --disable-pip-version-check --dest wheels --only-binary=:all: \
  --python-version 3.13 --implementation cp --abi cp313 \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  --platform linux_x86_64 \
  -r requirements.txt -r book-requirements.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
cat requirements.txt book-requirements.txt | sha256sum | cut -c1-16 > wheels/.requirements   # what they are for
echo "wheels: $(ls wheels/*.whl | wc -l) in container/wheels ($(du -sh wheels | cut -f1))"
