"""Google's OAuth2 backend pointed at a local OIDC server. Used by test settings only.

Everything but the three URLs is social-core's real Google backend, so the tests exercise the
same code path (state check, code exchange, userinfo, email_verified) as production.
"""

from django.conf import settings
from social_core.backends.google import GoogleOAuth2


class LocalGoogleOAuth2(GoogleOAuth2):
    def authorization_url(self) -> str:
        return f"{settings.TEST_OAUTH_SERVER_URL}/oauth2/authorize"

    def access_token_url(self) -> str:
        return f"{settings.TEST_OAUTH_SERVER_URL}/oauth2/token"

    def user_data(self, access_token: str, *args, **kwargs):
        response = self.get_json(
            f"{settings.TEST_OAUTH_SERVER_URL}/userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
        )
        self.validate_email_verified(response)
        return response
