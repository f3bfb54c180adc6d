#!/bin/sh
# Rebuilds ../plotly-pathlens.min.js from plotly.js's published source (the npm package of the
# release, integrity-checked against package-lock.json) with the traces in index.js.
# Needs node >= 18 and the npm registry. Run from anywhere: sh static/vendor/plotly/build/build.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# A fixed directory: esbuild-plugin-inline-css names its <style> element after a hash of the
# CSS file's absolute path, so building elsewhere gives different (equally working) bytes.
work=/tmp/pathlens-plotly-build
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/index.js" "$here/build.mjs" "$work/"
cd "$work"
npm ci --no-audit --no-fund --ignore-scripts
version=$(node -p "require('plotly.js/package.json').version")
node build.mjs bundle.js
# plotly's one default that names another site: the topojson folder of geo charts, which this
# bundle has none of. Pointed at our own static files (never fetched), so that no CDN address
# ships with the site; the build stops if plotly ever spells it differently.
topojson='"https://cdn\.plot\.ly/un/"'
[ "$(grep -o "$topojson" bundle.js | wc -l)" = 1 ] || { echo "build.sh: plotly's topojson default moved" >&2; exit 1; }
sed -i "s#$topojson#\"/static/vendor/plotly/topojson/\"#" bundle.js
if grep -Eo 'https?://(cdn|unpkg)[^"]*' bundle.js; then echo "build.sh: a CDN address is left" >&2; exit 1; fi
{
  printf '/**\n* plotly.js (strict, Pathlens partial: scatter, scattergl, bar) v%s\n' "$version"
  printf '* Copyright 2012-2026, Plotly, Inc.\n* All rights reserved.\n* Licensed under the MIT license\n*/\n'
  cat bundle.js
} > "$here/../plotly-pathlens.min.js"
cp node_modules/plotly.js/LICENSE "$here/../LICENSE"
ls -l "$here/../plotly-pathlens.min.js"
