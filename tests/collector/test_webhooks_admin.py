"""The operators' page for webhooks: subscriptions made and edited in the admin, their lag and last
error, the delivery log with "send again", and the signing secret shown once and never again."""

from __future__ import annotations

import re

import pytest

from collector.tenants import tenant_default
from collector.webhooks.delivery import deliveries_run
from collector.webhooks.models import WebhookDelivery, WebhookSubscription
from collector.webhooks.outbox import hooked_forget
from tests.collector.helpers import event, post_events
from tests.support.db import BOTH_DATABASES
from tests.support.webhooks import SECRET, receiving

pytestmark = pytest.mark.django_db(databases=BOTH_DATABASES)
ADD = "/admin/collector/webhooksubscription/add/"
LIST = "/admin/collector/webhooksubscription/"
LOG = "/admin/collector/webhookdelivery/"


@pytest.fixture(autouse=True)
def _fresh_subscriptions():
    hooked_forget()
    yield
    hooked_forget()


def form(url: str, **fields) -> dict:
    return {
        "tenant": tenant_default().pk,
        "url": url,
        "kinds": ["session.started", "session.completed"],
        "secret": "",
        "enabled": "on",
        **fields,
    }


def pages(admin_client, subscription: WebhookSubscription) -> str:
    """Every admin page about the subscription and its deliveries, as one text."""
    urls = [
        LIST,
        f"{LIST}{subscription.pk}/change/",
        f"{LOG}?subscription__id__exact={subscription.pk}",
        *(f"{LOG}{row.pk}/change/" for row in WebhookDelivery.objects.all()),
    ]
    return "".join(admin_client.get(url).content.decode() for url in urls)


def test_a_new_subscription_gets_a_secret_shown_once_and_never_again(admin_client, client):
    answer = admin_client.post(ADD, form("https://hooks.example.org/in"), follow=True)
    page = answer.content.decode()
    secret = re.search(r"whsec_[\w-]+", page).group(0)
    made = WebhookSubscription.objects.get()
    assert made.secret == secret and made.kinds == ["session.started", "session.completed"]
    post_events(client, [event(type="session_started")])
    assert secret not in pages(admin_client, made)
    # Edited without a secret: the stored one is kept, and still not shown.
    change = f"{LIST}{made.pk}/change/"
    edited = admin_client.post(change, form("https://hooks.example.org/v2"))
    assert edited.status_code == 302
    made.refresh_from_db()
    assert (made.url, made.secret) == ("https://hooks.example.org/v2", secret)
    assert secret not in pages(admin_client, made)


def test_a_secret_given_is_kept_and_not_shown_back(admin_client):
    given = "whsec_the-receivers-own-choice"
    answer = admin_client.post(ADD, form("https://hooks.example.org/", secret=given), follow=True)
    assert given not in answer.content.decode()
    made = WebhookSubscription.objects.get()
    assert made.secret == given and given not in pages(admin_client, made)


def test_the_form_refuses_plain_http_to_another_machine_and_a_short_secret(admin_client):
    page = admin_client.post(ADD, form("http://hooks.example.org/", secret="short")).content
    assert b"must start with https://" in page
    assert b"at least 16 characters" in page
    assert not WebhookSubscription.objects.exists()


def test_a_new_subscription_receives_what_happens_after_it_was_made(admin_client, client):
    with receiving() as receiver:
        admin_client.post(ADD, form(receiver.url, secret=SECRET))
        post_events(client, [event(session="before", type="session_started")])
        admin_client.post(ADD, form(receiver.url + "/second", secret=SECRET))
        post_events(client, [event(session="after", type="session_started")])
        assert deliveries_run() == {"sent": 3, "failed": 0}
    # One POST to each: the first made gets both changes, the second only the later one.
    got = sorted([change["session"] for change in body["changes"]] for _, body in receiver.requests)
    assert got == [["after"], ["before", "after"]]


def test_operators_see_lag_last_error_and_the_log_and_can_send_again(admin_client, client):
    with receiving() as receiver:
        admin_client.post(ADD, form(receiver.url, secret=SECRET))
        hook = WebhookSubscription.objects.get()
        receiver.unavailable = True
        post_events(client, [event(type="session_started")])
        deliveries_run()
        listing = admin_client.get(LIST).content.decode()
        assert "The receiver answered 503" in listing
        assert re.search(r'class="field-waiting">1<', listing)
        receiver.unavailable = False
        hook.refresh_from_db()
        deliveries_run(now=hook.next_attempt)
        log = admin_client.get(f"{LOG}?subscription__id__exact={hook.pk}").content.decode()
        assert "The receiver answered 503" in log and ">200<" in log
        delivered = WebhookDelivery.objects.get(status_code=200)
        action = {"action": "send_again", "_selected_action": [delivered.pk]}
        done = admin_client.post(LOG, action, follow=True).content.decode()
        assert "Sent again: the receiver answered 200." in done
        assert receiver.duplicates == 1
        action = {"action": "send_again_from_here", "_selected_action": [delivered.pk]}
        done = admin_client.post(LOG, action, follow=True).content.decode()
        assert "1 change(s) will be delivered again" in done
        hook.refresh_from_db()
        assert deliveries_run() == {"sent": 1, "failed": 0}
        assert receiver.duplicates == 2
    # Down again: send again says why it could not.
    action = {"action": "send_again", "_selected_action": [delivered.pk]}
    done = admin_client.post(LOG, action, follow=True).content.decode()
    assert "Not sent again: Could not reach the receiver" in done


def test_teachers_never_reach_the_webhook_pages(teacher_client):
    for url in (LIST, ADD, LOG):
        assert teacher_client.get(url).status_code == 302  # the admin's own sign-in
