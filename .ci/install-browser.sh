#!/usr/bin/env bash
# The browser the HTML report tests drive: Debian's Chromium (Playwright's own browser
# downloads do not work here), plus CJK fonts so the screenshot shows the Chinese text.
# Idempotent: does nothing when both are installed. Needs root (or sudo) for apt-get.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
if [ ${#need[@]} -eq 0 ]; then
  echo "install-browser: chromium and fonts-noto-cjk already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install-browser: need root to apt-get install ${need[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q "${need[@]}"
/usr/bin/chromium --version || true
