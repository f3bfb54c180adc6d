"""The plain words of the three widgets' events (widgets/words.py): every event type a widget may
send has a teacher-facing label, and a description built from the event's data."""

from __future__ import annotations

import pytest

from widgets.registry import all_widgets
from widgets.words import describer, event_labels, label_of


@pytest.mark.parametrize("widget", all_widgets(), ids=lambda widget: widget.id)
def test_it_has_a_label_for_every_event_type_of_every_widget(widget):
    labels = event_labels(widget.id)
    missing = [kind for kind in widget.all_event_schemas if not labels.get(kind, "").strip()]
    assert missing == [], f"{widget.id}: no plain-language label for {missing}"
    for kind, label in labels.items():
        assert "_" not in label, f"{widget.id}.{kind}: {label!r} reads like code"


def event(kind: str, **data) -> dict:
    return {"type": kind, "t": 0, "data": data}


CHERNOFF = "chernoff_tutorial"
EXAMPLES = [
    ("TEI001", event("card_placed", item=2, card="5/3", position=20),
     "Placed 5/3 at 1⅔ — right place"),
    ("TEI001", event("card_placed", item=1, card="1/2", position=9),
     "Placed 1/2 at ¾ — one tick off"),
    ("TEI001", event("card_placed", item=1, card="5/4", position=3),
     "Placed 5/4 at ¼ — wrong place"),
    ("TEI001", event("card_moved", item=1, card="1/2", position=6, **{"from": 9}),
     "Moved 1/2 from ¾ to ½ — right place"),
    ("TEI001", event("answer_checked", item=1, attempt=1, correct_cards=["1/4", "3/4", "5/4"]),
     "Checked item 1 (try 1): 3 of 4 cards right"),
    ("TEI001", event("item_started", item=3), "Started item 3"),
    ("TEI001", event("session_started"), "Opened the activity"),
    ("BLL002", event("hint_requested", challenge=2, hint=1),
     "Asked for a hint on challenge 2 (hint 1)"),
    ("BLL002", event("weight_placed", peg=-3, mass=2),
     "Put a 2-unit weight on peg 3 on the left"),
    ("BLL002", event("released", outcome="balance"), "Released the lever: it balances"),
    (CHERNOFF, event("slider_changed", step="match_1", feature="rainfall", value=300),
     "Set rainfall to 300 mm a year"),
    (CHERNOFF, event("question_answered", step="read_1", question="warmest", choice="coldmere"),
     "Which city is warmest? Chose Coldmere — wrong"),
]  # fmt: skip


@pytest.mark.parametrize(("widget_id", "recorded", "words"), EXAMPLES)
def test_it_describes_an_event_from_its_data(widget_id, recorded, words):
    assert describer(widget_id)(recorded) == words


@pytest.mark.parametrize("widget", all_widgets(), ids=lambda widget: widget.id)
def test_it_falls_back_to_the_label_when_the_data_is_not_what_the_type_says(widget):
    describe = describer(widget.id)
    for kind in widget.all_event_schemas:
        for data in (None, {}, {"item": 99, "challenge": "x", "step": 5}, []):
            assert describe({"type": kind, "data": data}) == label_of(widget.id, kind)


def test_it_shows_an_unknown_type_as_recorded():
    assert label_of("NOPE", "card_placed") == "card_placed"
    assert describer("NOPE")({"type": "card_placed", "data": {}}) == "card_placed"
