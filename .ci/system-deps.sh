#!/usr/bin/env bash
# Debian packages some tests use: Orthanc + its DICOMweb plugin (DICOMweb tests), Chromium (report render
# test), and OpenBLAS + pkg-config (+ oneDNN for its convolutions), which `npm ci` needs to build
# medtl's native kernels (native/).
# Tests that need one of them skip with a message naming the missing package when it cannot be installed.
set -uo pipefail
pkgs=(orthanc orthanc-dicomweb chromium libopenblas-dev pkg-config libdnnl-dev)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ci: cannot install ${missing[*]} (not root or no apt-get); the tests that need them will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/medtl-ci-apt.log 2>&1 \
  || { apt-get update >>/tmp/medtl-ci-apt.log 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/medtl-ci-apt.log 2>&1; } \
  || echo "ci: apt-get could not install ${missing[*]} (see /tmp/medtl-ci-apt.log); the tests that need them will skip" >&2
exit 0
