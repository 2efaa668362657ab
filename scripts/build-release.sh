#!/usr/bin/env bash
# Builds the release berth binary and prints its path. Swift's runtime and Foundation are linked
# statically (--static-swift-stdlib): one file to copy to another machine, and a smaller resident
# set (the daemon's idle RSS with 50 projects: 47.5 MB static, 51 MB with the shared libraries).
# The scratch path is its own (.build-static), so that it never rebuilds the debug build in .build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -q -c release --product berth --static-swift-stdlib --scratch-path .build-static >&2
echo "$(swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/berth"
