"""The LTI 1.3 claims Pathlens reads, by their full names (LTI Core 1.3, Deep Linking 2.0,
Assignment and Grade Services 2.0), and the launch they describe once checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
CONTEXT = LTI + "context"
ROLES = LTI + "roles"
CUSTOM = LTI + "custom"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DEEP_LINKING_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DEEP_LINKING_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"

AGS_SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
AGS_LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"

# Context roles that make a launch an instructor's (LIS vocabulary, full and short forms).
INSTRUCTOR_ROLES = {
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "Instructor",
    "ContentDeveloper",
}


@dataclass(frozen=True)
class Launch:
    """A launch whose id_token passed every check: the claims, and the platform they came from."""

    platform_id: int
    claims: dict[str, Any]

    @property
    def message_type(self) -> str:
        return self.claims.get(MESSAGE_TYPE, "")

    @property
    def deployment_id(self) -> str:
        return self.claims.get(DEPLOYMENT_ID, "")

    @property
    def sub(self) -> str:
        return str(self.claims.get("sub") or "")

    @property
    def is_instructor(self) -> bool:
        return any(role in INSTRUCTOR_ROLES for role in self.claims.get(ROLES) or [])

    @property
    def email(self) -> str:
        return str(self.claims.get("email") or "").strip()

    @property
    def display_name(self) -> str:
        """The `name` claim, else given + family name; empty when the LMS sends none."""
        name = str(self.claims.get("name") or "")
        if not name.strip():
            name = f"{self.claims.get('given_name') or ''} {self.claims.get('family_name') or ''}"
        return " ".join(name.split())

    @property
    def context(self) -> dict[str, Any]:
        return self.claims.get(CONTEXT) or {}

    @property
    def resource_link(self) -> dict[str, Any]:
        return self.claims.get(RESOURCE_LINK) or {}

    @property
    def custom(self) -> dict[str, Any]:
        return self.claims.get(CUSTOM) or {}

    @property
    def ags(self) -> dict[str, Any]:
        return self.claims.get(AGS_ENDPOINT) or {}

    @property
    def deep_linking(self) -> dict[str, Any]:
        return self.claims.get(DEEP_LINKING_SETTINGS) or {}
