"""Fixtures of the LTI tests: a running test LMS (tests/support/lms.py), registered in the tool."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.support.lms import running_lms


@pytest.fixture
def lms():
    cache.clear()  # keysets and tokens cached by an earlier test's LMS
    with running_lms() as lms:
        yield lms


@pytest.fixture
def platform(lms, db):
    return lms.register()
