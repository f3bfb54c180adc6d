from django.core.management.base import BaseCommand, CommandError

from collector.apikeys import api_key_create


class Command(BaseCommand):
    help = (
        "Creates an API key for the collector's read side (a school dashboard that talks to this "
        "collector over HTTP). The key is printed once; only its hash is stored."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="Who the key is for, e.g. 'Riverside school dashboard'.")

    def handle(self, *args, name: str, **options) -> None:
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("Give the key a name of 1 to 100 characters.")
        key, text = api_key_create(name=name)
        self.stdout.write(f"API key for {key.name} (prefix {key.prefix}):")
        self.stdout.write(text)
        self.stdout.write("Store it now: it cannot be shown again. Revoke it in the admin.")
