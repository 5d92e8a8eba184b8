#!/usr/bin/env bash
# Installs what Tessera needs on a fresh machine that has only Node (>= 20.19) and npm:
# pnpm at the pinned version and the workspace's packages. With --test-peers it also installs the
# Debian packages the test suites run against (Prometheus + promtool, Pushgateway, node_exporter;
# python3 and unshare for the tests of `tessera-push exec`; htpasswd for the bcrypt hashes of the
# exporter's basic-auth tests; chromium for the status page's browser test), and gcc with the C
# library headers, which build the simulated NVIDIA driver library and nvidia-smi.
set -euo pipefail
cd "$(dirname "$0")/../.."

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  echo "setup: installing pnpm $pnpm_version"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

if [ "${1:-}" = "--test-peers" ]; then
  missing=()
  for entry in prometheus:prometheus promtool:prometheus prometheus-pushgateway:prometheus-pushgateway \
               prometheus-node-exporter:prometheus-node-exporter openssl:openssl \
               python3:python3 unshare:util-linux chromium:chromium gcc:gcc htpasswd:apache2-utils \
               systemd-analyze:systemd; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
  done
  [ -f /usr/include/stdio.h ] || missing+=(libc6-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
    echo "setup: installing Debian packages: $packages"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    # The services must not start: tests run their own instances on loopback.
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null
    for service in prometheus prometheus-pushgateway prometheus-node-exporter; do
      "${sudo_cmd[@]}" systemctl stop "$service" >/dev/null 2>&1 || true
    done
  fi
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile
