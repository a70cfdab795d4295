#!/usr/bin/env bash
# Installs the Debian packages the tests and the call simulator need (espeak-ng speech, sox, and
# chromium for the dashboard's browser tests), only when they are missing. Without root or apt-get
# it says what is missing and carries on: the tests that need them then report themselves as
# skipped with the reason (`make test` turns a skipped browser test into a failure).
set -euo pipefail
missing=()
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox libsox-fmt-all)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "warning: missing system packages (install them for speech tests): ${missing[*]}" >&2
fi
