"""Operators issue and revoke a tenant's Segment write keys in the admin."""

from __future__ import annotations

import pytest

from collector.segment.models import SegmentWriteKey
from collector.tenants import tenant_default
from tests.segment.helpers import post, widget_track

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])


def test_it_issues_a_write_key_that_sends_and_shows_it(admin_client, client):
    form = {"tenant": tenant_default().pk, "name": "maths app"}
    assert admin_client.post("/admin/collector/segmentwritekey/add/", form).status_code == 302
    issued = SegmentWriteKey.objects.get()
    assert issued.key.startswith("sgk_") and len(issued.key) > 30
    assert issued.key in admin_client.get("/admin/collector/segmentwritekey/").content.decode()
    assert post(client, issued.key, {"batch": [widget_track()]}).status_code == 200


def test_it_revokes_write_keys_and_keeps_their_tenant(admin_client, client):
    other = SegmentWriteKey.objects.create(tenant=tenant_default(), name="app", key="sgk_1" * 8)
    change = admin_client.get(f"/admin/collector/segmentwritekey/{other.pk}/change/")
    assert 'name="tenant"' not in change.content.decode()  # fixed once issued
    action = {"action": "revoke", "_selected_action": [other.pk]}
    admin_client.post("/admin/collector/segmentwritekey/", action)
    other.refresh_from_db()
    assert other.revoked is not None
    assert post(client, other.key, {"batch": [widget_track()]}).status_code == 401
    delete = f"/admin/collector/segmentwritekey/{other.pk}/delete/"
    assert admin_client.get(delete).status_code == 403
