// The traces Pathlens draws, registered on plotly.js's core, as plotly.js's own lib/index-strict.js
// does for all of them: scatter (SVG: the explorer at class size, the replay timeline), the
// strict scattergl (WebGL with precompiled shaders, so no eval: large runs) and bar (item
// analysis: first try / later / gave up per item).
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
  require('plotly.js/lib/scatter'),
  require('plotly.js/src/traces/scattergl/strict'),
  require('plotly.js/lib/bar'),
]);

module.exports = Plotly;
