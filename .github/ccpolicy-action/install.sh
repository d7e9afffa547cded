#!/usr/bin/env bash
# Install ccpolicy from the Action's own checkout into a virtual environment under RUNNER_TEMP
# and publish that environment's interpreter as the step output `python`. No licence key and no
# network beyond pip fetching ccpolicy's dependencies.
set -euo pipefail

source_dir="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
work="${RUNNER_TEMP:?RUNNER_TEMP is not set}/ccpolicy-action"
python="$(command -v python3 || command -v python || true)"
if [ -z "$python" ]; then
  echo "::error title=ccpolicy::no python3 on PATH; set the python-version input of the ccpolicy action"
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "::error title=ccpolicy::ccpolicy needs Python 3.10 or later ($python is $("$python" -V 2>&1)); set the python-version input"
  exit 1
fi

rm -rf "$work"
mkdir -p "$work"
# Build from a copy: pip builds in the source tree (build/, *.egg-info), and with `uses: ./` that
# tree is the repository being scanned.
mkdir -p "$work/src"
tar -C "$source_dir" -cf - \
  --exclude=./.git --exclude=./.venv --exclude=./.ci-venv --exclude=./.ci-out \
  --exclude=./build --exclude=./dist --exclude='*.egg-info' --exclude=__pycache__ . |
  tar -C "$work/src" -xf -
"$python" -m venv "$work/venv"
if [ -x "$work/venv/bin/python" ]; then
  venv_python="$work/venv/bin/python"
else
  venv_python="$work/venv/Scripts/python.exe"  # Windows runners
fi
"$venv_python" -m pip install --quiet --disable-pip-version-check "$work/src"
"$venv_python" -m scanner --version
echo "python=$venv_python" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
