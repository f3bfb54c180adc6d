// Typed arrays as the server sends them: {dtype, bdata}, numpy's dtype name and the array's bytes
// in base64 (plotly's own encoding, written by projects/typedarrays.py). plotly.js decodes those
// in figures itself; these are for the numbers our scripts read (tests/js/typedarrays.test.mjs).

const DTYPES = {
  i1: Int8Array,
  u1: Uint8Array,
  i2: Int16Array,
  u2: Uint16Array,
  i4: Int32Array,
  u4: Uint32Array,
  f4: Float32Array,
  f8: Float64Array,
};

/** The typed array that `{dtype, bdata}` encodes. */
export function decode(spec) {
  const type = DTYPES[spec.dtype];
  if (!type) throw new Error(`unknown dtype ${JSON.stringify(spec.dtype)}`);
  const binary = atob(spec.bdata);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new type(bytes.buffer);
}
