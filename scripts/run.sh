#!/usr/bin/env bash
# Installs what is missing, builds lumina and serves it on SQLite at http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_packages "${RUNTIME_PACKAGES[@]}"
# A release build takes longer once but serves and analyses much faster; later runs reuse it.
swift build -c release --product lumina
echo
echo "LuminaBI is starting at http://127.0.0.1:${LUMINA_PORT:-8000}/ (data in ${LUMINA_DATA_DIR:-./data}); Ctrl-C stops it."
echo "The first account you register becomes the administrator."
echo
exec .build/release/lumina serve "$@"
