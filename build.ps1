# Bootstrap for the Cake build: restores the local tools pinned in .config/dotnet-tools.json (Cake.Tool)
# and runs build.cake with every argument passed through, e.g.
#   ./build.ps1 --target=Train --pipeline=churn
# See docs/cake.md.
$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

dotnet tool restore
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

dotnet cake @args
exit $LASTEXITCODE
