# Installs Debian packages that are missing, with retries (apt once failed mid-unpack on this kind of machine).
# Usage: ensure_packages pkg1 pkg2 ...
ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "==> installing ${missing[*]}"
  $sudo apt-get update -qq
  local attempt
  for attempt in 1 2 3; do
    if DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
      return 0
    fi
    echo "apt-get install failed (attempt $attempt); retrying" >&2
    sleep 3
  done
  echo "could not install: ${missing[*]}" >&2
  return 1
}

# The packages lumina itself needs to build and run.
RUNTIME_PACKAGES=(libsqlite3-dev libpq-dev zlib1g-dev libcairo2-dev fonts-dejavu-core libjs-chart.js pkg-config)
# What the tests add: a PostgreSQL server, a browser and its driver, PDF tools.
TEST_PACKAGES=(postgresql chromium chromium-driver python3-selenium poppler-utils)

# A free TCP port on loopback, starting the search at $1.
free_port() {
  local port="${1:-55432}"
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}
