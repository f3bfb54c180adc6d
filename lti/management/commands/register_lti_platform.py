"""Registers an LMS (or updates its registration) and prints what to paste into the LMS."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lti.keys import signing_key, tool_key_create
from lti.models import Platform
from lti.registration import tool_urls


class Command(BaseCommand):
    help = (
        "Registers an LTI 1.3 platform (an LMS) and prints the tool's URLs to paste into it. "
        "With only --name, prints the URLs for an existing registration. docs/lti.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True, help="A short name, e.g. Moodle.")
        parser.add_argument("--issuer", help="The platform's issuer (iss).")
        parser.add_argument("--client-id", help="The client id the LMS gave Pathlens.")
        parser.add_argument("--auth-login-url", help="The LMS's authentication request URL.")
        parser.add_argument("--auth-token-url", help="The LMS's access token URL.")
        parser.add_argument("--jwks-url", help="The LMS's public keyset URL.")
        parser.add_argument(
            "--deployment-id", action="append", default=[], help="Repeat for each deployment."
        )
        parser.add_argument("--site-url", help="Pathlens's public address (default SITE_URL).")
        parser.add_argument(
            "--new-key", action="store_true", help="Make a new tool key pair (it signs from now)."
        )

    def handle(self, *args, **options) -> None:
        fields = {
            "issuer": options["issuer"],
            "client_id": options["client_id"],
            "auth_login_url": options["auth_login_url"],
            "auth_token_url": options["auth_token_url"],
            "jwks_url": options["jwks_url"],
        }
        given = {name: value for name, value in fields.items() if value}
        if options["deployment_id"]:
            given["deployment_ids"] = "\n".join(options["deployment_id"])
        platform = Platform.objects.filter(name=options["name"]).first()
        if platform is None and not given:
            raise CommandError(f"No platform is named “{options['name']}”.")
        if given:
            platform = self._save(platform or Platform(name=options["name"]), given)
        if platform is None:  # given was empty, which the check above refused
            raise CommandError(f"No platform is named “{options['name']}”.")
        key = tool_key_create() if options["new_key"] else signing_key()
        self.stdout.write(f"Platform “{platform.name}” (issuer {platform.issuer}).")
        self.stdout.write(f"Tool key {key.kid}. Paste into the LMS's tool settings:")
        for label, url in tool_urls(options["site_url"]).items():
            self.stdout.write(f"  {label}: {url}")

    def _save(self, platform: Platform, given: dict[str, str]) -> Platform:
        for name, value in given.items():
            setattr(platform, name, value)
        try:
            platform.full_clean()
        except ValidationError as error:
            problems = "; ".join(
                f"--{field.replace('_', '-')}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            )
            raise CommandError(f"The platform was not saved: {problems}") from None
        platform.save()
        return platform
