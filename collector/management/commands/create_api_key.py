from django.core.management.base import BaseCommand, CommandError

from collector.apikeys import api_key_create
from collector.models import DEFAULT_TENANT
from collector.tenants import TENANT_NAME_MAX, tenant_get_or_create


class Command(BaseCommand):
    help = (
        "Creates an API key for the collector's read side (a school dashboard that talks to this "
        "collector over HTTP), in a tenant: the key sees only that tenant's learners, sessions, "
        "events and data requests. The key is printed once; only its hash is stored."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="Who the key is for, e.g. 'Riverside school dashboard'.")
        # Required, so that a new school is never put into another one's tenant by omission.
        parser.add_argument(
            "--tenant",
            required=True,
            help="Whose data the key reaches, e.g. 'riverside' (created if it does not exist). "
            f"The embedded set-up's own data is in '{DEFAULT_TENANT}'.",
        )

    def handle(self, *args, name: str, tenant: str, **options) -> None:
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("Give the key a name of 1 to 100 characters.")
        if not tenant.strip() or len(tenant.strip()) > TENANT_NAME_MAX:
            raise CommandError(f"Give the tenant a name of 1 to {TENANT_NAME_MAX} characters.")
        owner = tenant_get_or_create(name=tenant)
        key, text = api_key_create(name=name, tenant=owner)
        self.stdout.write(f"API key for {key.name} in tenant {owner.name} (prefix {key.prefix}):")
        self.stdout.write(text)
        self.stdout.write("Store it now: it cannot be shown again. Revoke it in the admin.")
