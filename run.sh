#!/usr/bin/env bash
# The two commands of the README:
#   ./run.sh demo    installs what is needed, then starts the kiosk demo in a window
#   ./run.sh test    installs what is needed, then runs the linter and the whole test suite
# System packages are installed with apt when run as root; otherwise the exact apt command is printed.
set -euo pipefail
cd "$(dirname "$0")"

# libzbar0: QR decoding (pyzbar); fonts-noto-cjk: Simplified Chinese glyphs; libgl1 + Mesa: Kivy's OpenGL;
# libmtdev1: Kivy touch input; xvfb + xauth: the virtual screen for tests and screenshots;
# systemd: systemd-analyze verifies our unit files in the tests.
# chromium + chromium-driver: the fleet console browser test (tests/test_console_browser.py).
# gcc + linux-libc-dev + python3-dev: python-evdev (evdev:// scanners) ships as source and is built at install.
# libzinnia0 + tegaki-zinnia-simplified-chinese: the on-screen keyboard's handwriting pad (Zinnia + its model).
# espeak-ng + alsa-utils: the Mandarin voice (offline synthesis) and aplay to play it (issue #13, kiosk/voice).
APT_PACKAGES=(libzbar0 fonts-noto-cjk libgl1 libgl1-mesa-dri libegl1 libmtdev1 xvfb xauth systemd chromium chromium-driver
              gcc linux-libc-dev python3-dev libzinnia0 tegaki-zinnia-simplified-chinese
              espeak-ng alsa-utils)

missing_apt_packages() {
    local missing=()
    for package in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "run.sh: Python 3.11 or newer is needed (python3 is $(python3 --version 2>&1))." >&2
        exit 1
    fi
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        missing+=("python3-venv")
    fi
    echo "${missing[@]:-}"
}

install_system_packages() {
    local missing
    missing="$(missing_apt_packages)"
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "run.sh: installing system packages: $missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        echo "run.sh: these system packages are missing: $missing" >&2
        echo "run.sh: install them with:  sudo apt-get install -y $missing" >&2
        exit 1
    fi
}

install_python_packages() {
    local stamp=.venv/.install-stamp
    local wanted
    wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        echo "run.sh: installing Python packages into .venv (from pyproject.toml)"
        .venv/bin/python -m pip install -q --upgrade pip
        .venv/bin/python -m pip install -q -e '.[dev]'
        echo "$wanted" > "$stamp"
    fi
    # The Simplified Chinese face is extracted from the Noto CJK collection once, here, not at every start.
    .venv/bin/python -m devices.fonts >/dev/null
}

command="${1:-}"
case "$command" in
    demo)
        shift
        install_system_packages
        install_python_packages
        if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
            echo "run.sh: no display found; starting the demo on a virtual screen (xvfb-run)."
            echo "run.sh: to look at every screen without a display use: .venv/bin/kiosk screenshots out/"
            exec xvfb-run -a -s "-screen 0 1280x1024x24" .venv/bin/kiosk demo "$@"
        fi
        exec .venv/bin/kiosk demo "$@"
        ;;
    test)
        shift
        install_system_packages
        install_python_packages
        echo "run.sh: ruff"
        .venv/bin/ruff check .
        echo "run.sh: pytest"
        exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
        ;;
    *)
        echo "usage: ./run.sh demo | ./run.sh test [pytest arguments]" >&2
        exit 2
        ;;
esac
