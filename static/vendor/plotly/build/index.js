// The traces Pathlens draws, registered on plotly.js's core, as plotly.js's own lib/index-strict.js
// does for all of them: scatter (SVG: the explorer at class size, the replay timeline) and the
// strict scattergl (WebGL with precompiled shaders, so no eval: large runs).
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([require('plotly.js/lib/scatter'), require('plotly.js/src/traces/scattergl/strict')]);

module.exports = Plotly;
