#!/usr/bin/env bash
# Make sure Debian's chromium and chromedriver are installed for the headless-browser test
# (tests/test_browser_oauth.py, which drives them with Selenium). Quiet when they are there.
# Never downloads a browser build of its own: only the distribution's packages.
set -u
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: install the packages chromium and chromium-driver (needs root and apt-get)" >&2
  exit 0  # the test skips locally; under CI=true it fails and says why
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
  || echo "ensure-chromium: apt-get install chromium chromium-driver failed" >&2
exit 0
