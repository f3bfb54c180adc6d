"""core/typedarrays.py: the one encoding of numbers for the browser, and its JS twin."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np

from core.typedarrays import decode, typed

ROOT = Path(__file__).resolve().parents[2]


def test_it_round_trips_an_array_with_its_shape():
    values = np.array([[1.5, 2.0], [3.0, 4.25]], dtype="float32")
    spec = typed(values)
    assert (spec["dtype"], spec["shape"]) == ("f4", "2,2")
    assert np.array_equal(decode(spec), values)


def test_it_keeps_the_arrays_own_type_or_the_one_asked_for():
    assert typed(np.array([1, 2], dtype="uint16"))["dtype"] == "u2"
    spec = typed([1, 2, 3], "i4")
    assert spec["dtype"] == "i4"
    assert list(decode(spec)) == [1, 2, 3]


def test_the_browser_decodes_what_python_encodes():
    specs = [
        typed(np.array([0.5, -2.25], dtype="float64")),
        typed([7, 65535], "u2"),
        typed([-1], "i1"),
    ]
    script = (
        'import { decode } from "./static/js/typedarrays.js";\n'
        f"const specs = {json.dumps(specs)};\n"
        "console.log(JSON.stringify(specs.map((spec) => Array.from(decode(spec)))));\n"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert json.loads(result.stdout) == [[0.5, -2.25], [7, 65535], [-1]]
