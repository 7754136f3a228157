#!/usr/bin/env bash
# Regenerate constraints/py3.X.txt: for each Python given (default: python3 and pyenv's 3.12 and 3.13), a
# throwaway venv installs the project with its test extra from pyproject.toml's ranges alone (so it takes the
# newest releases they allow) and `pip freeze` writes every installed version. .ci/run installs with these
# files, so CI stays reproducible until they are refreshed on purpose. After a refresh: run .ci/run and commit
# the files with the change that needed them.
#   bash constraints/refresh.sh                                  # every default Python found
#   bash constraints/refresh.sh ~/.pyenv/versions/3.13.0/bin/python3
set -euo pipefail
cd "$(dirname "$0")/.."
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
if [ $# -eq 0 ]; then
    set -- python3 "$pyenv_root"/versions/3.12.*/bin/python3 "$pyenv_root"/versions/3.13.*/bin/python3
fi
for python in "$@"; do
    [ -x "$python" ] || command -v "$python" >/dev/null || { echo "skip $python: not found" >&2; continue; }
    tag=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    venv=$(mktemp -d)
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet -e ".[test,lint]"
    {
        echo "# Python $tag: the versions CI installs (pip install -c constraints/py$tag.txt -e \".[test]\")."
        echo "# Made by constraints/refresh.sh from pyproject.toml's ranges; do not edit by hand."
        "$venv/bin/python" -m pip freeze --exclude-editable | grep -v -i '^ree[ =@]'
    } > "constraints/py$tag.txt"
    rm -rf "$venv"
    echo "constraints/py$tag.txt: $(grep -vc '^#' "constraints/py$tag.txt") packages"
done
