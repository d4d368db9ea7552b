#!/usr/bin/env bash
# axe-core (the accessibility rules engine) from the npm registry into .local/axe, for the
# browser tests' WCAG check (services/projections/tests: axe run in Chromium). Pinned; only
# reinstalled when the version changes.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
AXE_VERSION=4.14.1
AXE_DIR="$SUIVI_ROOT/.local/axe"
installed="$AXE_DIR/node_modules/axe-core/package.json"
if [ -f "$installed" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$installed"; then
  exit 0
fi
command -v npm >/dev/null || apt_install npm
log "installing axe-core $AXE_VERSION into .local/axe"
mkdir -p "$AXE_DIR"
npm install --prefix "$AXE_DIR" --no-audit --no-fund --no-save --silent "axe-core@$AXE_VERSION"
