"""What the ADL LRS conformance suite found (docs/collector.md, "Conformance") and the store's
fast path: each fix has its case here, so that a later change cannot bring the failure back."""

from __future__ import annotations

import json
import uuid

import pytest

from collector.validation import CANONICAL_JSON, canonical_json
from collector.xapi.models import Statement
from tests.xapi.helpers import account, basic, get, post, statement, widget_statement

pytestmark = pytest.mark.django_db(databases=["default", "analytics"])

MBOX_AGENT = {"objectType": "Agent", "mbox": "mailto:lrs@district.example"}
ACCOUNT_AGENT = {"account": {"homePage": "https://lrs.example", "name": "key-1"}}


@pytest.mark.parametrize(
    ("authority", "field"),
    [
        ({"objectType": "Activity", "mbox": "mailto:a@x.example"}, "/authority/objectType"),
        ({**MBOX_AGENT, "name": 3}, "/authority/name"),
        ({"objectType": "Agent", "name": "no identifier"}, "/authority"),
        ({**MBOX_AGENT, **ACCOUNT_AGENT}, "/authority"),
        ({"objectType": "Group", "member": [MBOX_AGENT]}, "/authority/member"),
        ({"objectType": "Group", "member": MBOX_AGENT}, "/authority/member"),
        ({"objectType": "Group", **ACCOUNT_AGENT, "member": [MBOX_AGENT, MBOX_AGENT]},
         "/authority/account"),
        ({"objectType": "Group", "member": [MBOX_AGENT, MBOX_AGENT, MBOX_AGENT]},
         "/authority/member"),
        ({"objectType": "Group", "member": [MBOX_AGENT, {"mbox": 7}]}, "/authority/member/1/mbox"),
        ({"account": {"homePage": "not an iri", "name": "x"}}, "/authority/account/homePage"),
    ],
)  # fmt: skip
def test_a_malformed_authority_is_refused(client, authority, field):
    """The spec's rules for an authority (an Agent, or an anonymous Group of two) are checked
    before it is replaced: ADL's suite, "Authority Property Requirements (Data 2.4.9)"."""
    response = post(client, statement(authority=authority), basic())
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field
    assert Statement.objects.count() == 0


@pytest.mark.parametrize(
    "authority",
    [MBOX_AGENT, ACCOUNT_AGENT, {"objectType": "Group", "member": [MBOX_AGENT, ACCOUNT_AGENT]}],
)
def test_a_well_formed_authority_is_replaced_never_stored(client, authority):
    """Another LRS's authority (an mbox included) is taken and replaced: it is not kept, so no
    real identity is stored through it."""
    sent = statement(authority=authority)
    assert post(client, [sent], basic()).status_code == 200
    fetched = get(client, basic(), statementId=sent["id"]).json()
    assert "mbox" not in str(fetched["authority"]) and "key-1" not in str(fetched["authority"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timestamp": "2013-05-18T05:32:34.804-00"}, "/timestamp"),
        ({"timestamp": "2013-05-18T05:32:34.804-0000"}, "/timestamp"),
        ({"timestamp": "2013-05-18T05:32:34.804-00:00"}, "/timestamp"),
        ({"result": {"duration": "P4W1D"}}, "/result/duration"),
        ({"result": {"duration": "P1Y4W"}}, "/result/duration"),
    ],
)
def test_offsets_of_minus_zero_and_weeks_with_other_units_are_refused(client, change, field):
    """RFC 3339 forbids -00:00 (ISO 8601 also writes it -00 and -0000), and ISO 8601 durations
    give weeks alone: ADL's suite, "Special Data Types and Rules (Data 4.0)"."""
    response = post(client, statement(**change), basic())
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    "change",
    [
        {"timestamp": "2013-05-18T05:32:34.804+00:00"},
        {"timestamp": "2013-05-18T05:32:34-05:00"},
        {"result": {"duration": "P4W"}},
        {"result": {"duration": "P1Y2M3DT4H5M6.5S"}},
    ],
)
def test_valid_offsets_and_durations_are_still_taken(client, change):
    assert post(client, statement(**change), basic()).status_code == 200


def test_the_events_of_a_list_are_checked_together_and_the_first_refusal_named(client):
    """The events statements map onto are checked in one call; the refusal still names the
    first statement at fault, whichever check finds it."""
    good = widget_statement()
    bad_event = widget_statement(data={"no": "such field"})
    unmappable = widget_statement(verb={"id": "https://verbs.example/jumped"})
    response = post(client, [good, bad_event, unmappable], basic())
    assert response.status_code == 400
    assert response.json()["field"].startswith("/1/")
    response = post(client, [good, unmappable, bad_event], basic())
    assert response.json()["field"] == "/1/verb/id"
    assert Statement.objects.count() == 0


def test_an_id_of_null_is_refused_not_taken_as_absent(client):
    response = post(client, [statement(id=None)], basic())
    assert response.status_code == 400
    assert response.json()["field"] == "/0/id"


def test_a_statement_voided_before_it_arrives_is_stored_voided(client):
    """One look-up answers both which ids are stored and which are voided already."""
    target = statement()
    voiding = statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": target["id"]},
    )
    assert post(client, [voiding], basic()).status_code == 200
    assert post(client, [target, statement()], basic()).status_code == 200
    assert Statement.objects.get(statement_id=target["id"]).voided
    assert Statement.objects.filter(voided=True).count() == 1


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1.5, "a": [1, 2, {"z": None, "y": True}], "é": '\u2028 "quoted" \\ \x01'},
        [1e300, -0.0, 3, 10**30, "", {}],
        "text",
        {"nested": {"deeper": [{"k": "v"}] * 3}},
    ],
)
def test_the_canonical_encoder_writes_what_the_json_encoder_writes(value):
    assert canonical_json(value) == CANONICAL_JSON.encode(value)


def test_statements_sent_without_ids_get_distinct_ones(client):
    sent = [statement(actor=account()) for _ in range(3)]
    for item in sent:
        del item["id"]
    ids = post(client, sent, basic()).json()
    assert len(set(ids)) == 3 and all(uuid.UUID(found) for found in ids)


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ({"interactionType": {"not": "a string"}}, "/object/definition/interactionType"),
        ({"interactionType": ["choice"]}, "/object/definition/interactionType"),
        ({"correctResponsesPattern": ["a"]}, "/object/definition/correctResponsesPattern"),
        ({"choices": [{"id": "a"}]}, "/object/definition/choices"),
        ({"scale": [{"id": "1"}]}, "/object/definition/scale"),
    ],
)
def test_an_interaction_needs_a_valid_type(client, definition, field):
    """An interactionType that is not a string was a 500 (an unhashable look-up); components
    without a type were taken: ADL's suite, "Object Property Requirements (Data 2.4.4)"."""
    sent = statement(object={"id": "https://quiz.example/q1", "definition": definition})
    response = post(client, sent, basic())
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field


def test_an_interaction_with_its_type_is_taken(client):
    definition = {"interactionType": "choice", "correctResponsesPattern": ["a"],
                  "choices": [{"id": "a", "description": {"en": "A"}}]}  # fmt: skip
    sent = statement(object={"id": "https://quiz.example/q1", "definition": definition})
    assert post(client, sent, basic()).status_code == 200


def test_the_fast_path_remembers_short_iris_only():
    """A body of long unique IRIs must not fill the fast path's memory."""
    from collector.xapi import validation

    validation._remembered_iri.cache_clear()
    assert validation._plain_iri("https://verbs.example/" + "a" * 2000)
    assert validation._plain_iri("https://verbs.example/short")
    assert not validation._plain_iri("not an iri")
    assert validation._remembered_iri.cache_info().currsize == 2


@pytest.mark.parametrize("careful", [False, True])
def test_a_registration_of_null_is_refused_by_both_paths(careful):
    """The fast path read a null registration as none (found by the fuzz test): both refuse."""
    from collector.xapi.problems import Invalid
    from collector.xapi.validation import statement_check

    with pytest.raises(Invalid) as refused:
        statement_check(statement(context={"registration": None}), careful=careful)
    assert refused.value.pointer == "/context/registration"


@pytest.mark.parametrize("method", ["post", "put"])
def test_statements_in_another_multipart_type_are_a_400(client, method):
    """multipart/form-data is not how statements come with attachments: the spec's 400
    (Communication 1.5, XAPI-00127), not the 415 other non-JSON types get. ADL's suite, "Content
    Type Requirements (Communication 1.5)"."""
    sent = statement()
    body = f"--b\r\nContent-Type: application/json\r\n\r\n{json.dumps(sent)}\r\n--b--\r\n"
    path = "/xapi/statements" + (f"?statementId={sent['id']}" if method == "put" else "")
    response = getattr(client, method)(
        path, body, content_type="multipart/form-data; boundary=b",
        headers={"Authorization": basic(), "X-Experience-API-Version": "1.0.3"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "multipart/mixed" in response.json()["error"]
    assert Statement.objects.count() == 0
