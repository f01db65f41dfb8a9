#!/usr/bin/env bash
# A real SMTP server for the notification tests: aiosmtpd (PyPI, pinned), started by the tests
# on a loopback port with its Maildir handler. Safe to run again.
set -euo pipefail
AIOSMTPD_VERSION=1.4.6
PYTHON="${DUIJIE_TEST_PYTHON:-python3}"
if "$PYTHON" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
  exit 0
fi
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends python3 python3-pip
fi
"$PYTHON" -m pip install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION" \
  || "$PYTHON" -m pip install --quiet --disable-pip-version-check --break-system-packages "aiosmtpd==$AIOSMTPD_VERSION"
