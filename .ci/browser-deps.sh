#!/usr/bin/env bash
# Headless Chromium and its WebDriver for the browser tests (tests/pages/), plus a CJK font
# so screenshots show Chinese. Debian/Ubuntu; needs root. Safe to run again.
set -euo pipefail
if command -v chromedriver >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk
