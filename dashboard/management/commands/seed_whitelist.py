from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dashboard.models import WhitelistEntry, normalize_whitelist_value


class Command(BaseCommand):
    help = "Adds the TEACHER_WHITELIST entries (emails and @domains) to the teacher whitelist."

    def handle(self, *args, **options) -> None:
        added = 0
        for raw in settings.TEACHER_WHITELIST:
            try:
                value = normalize_whitelist_value(raw)
            except ValidationError as error:
                raise CommandError(f"TEACHER_WHITELIST: {error.messages[0]}") from None
            if not WhitelistEntry.objects.filter(value__iexact=value).exists():
                WhitelistEntry.objects.create(value=value, note="seeded from TEACHER_WHITELIST")
                added += 1
        self.stdout.write(f"Teacher whitelist: {added} entries added.")
