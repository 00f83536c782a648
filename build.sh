#!/usr/bin/env bash
# Bootstrap for the Cake build: restores the local tools pinned in .config/dotnet-tools.json (Cake.Tool)
# and runs build.cake with every argument passed through, e.g.
#   ./build.sh --target=Train --pipeline=churn
# See docs/cake.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
dotnet tool restore
dotnet cake "$@"
