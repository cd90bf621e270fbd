#!/usr/bin/env bash
# Install the Debian packages o2c-capture needs, only those that are missing.
# Idempotent. As root it runs apt-get directly, otherwise through sudo when available;
# without either it prints the command to run and exits non-zero.
set -euo pipefail

declare -A NEED=(
  [tesseract]=tesseract-ocr
  [pdftoppm]=poppler-utils
  [chromium]=chromium
  [dovecot]=dovecot-imapd
)
missing=()
for bin in "${!NEED[@]}"; do
  if ! command -v "$bin" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$bin" ]; then
    missing+=("${NEED[$bin]}")
  fi
done
if command -v tesseract >/dev/null 2>&1; then
  langs=$(tesseract --list-langs 2>/dev/null || true)
  for l in eng deu fra osd; do
    grep -qx "$l" <<<"$langs" || missing+=("tesseract-ocr-$l")
  done
else
  missing+=(tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-osd)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "error: need root to install: apt-get install ${missing[*]}" >&2
  echo "       install them once as root, then re-run (nothing else needs root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
