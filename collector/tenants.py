"""Tenants: whose data it is. Every API key, learner, event and data request belongs to one."""

from __future__ import annotations

from collector.models import DEFAULT_TENANT, Tenant

TENANT_NAME_MAX = 100


def tenant_get_or_create(*, name: str) -> Tenant:
    name = name.strip()
    if not name or len(name) > TENANT_NAME_MAX:
        raise ValueError(f"A tenant needs a name of 1 to {TENANT_NAME_MAX} characters.")
    tenant, _ = Tenant.objects.get_or_create(name=name)
    return tenant


def tenant_default() -> Tenant:
    """The embedded set-up's tenant: the school side's in-process client, and all earlier data."""
    return tenant_get_or_create(name=DEFAULT_TENANT)
