"""dashboard/attention.py on hand-made sessions: each rule, its threshold, and near misses."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dashboard.attention import flags_for

DAY = 86_400_000
NOW = 1_760_000_000_000  # epoch ms
ADA, GRACE, ALAN, EVE, BOB = 1, 2, 3, 4, 5


def row(learner: int, **overrides) -> dict:
    base = {
        "id": learner * 100,
        "learner": learner,
        "widget": "TEI001",
        "start": NOW - DAY,
        "duration": 600_000,
        "active": 300_000,
        "work_events": 20,
        "outcome": "completed",
        "score": 6.0,
        "maximum": 9.0,
        "items": [],
    }
    return {**base, **overrides}


def item(name: str = "1", **overrides) -> dict:
    base = {"item": name, "tries": 1, "hints": 0, "solved_on": 1, "gave_up": False,
            "tries_at": [], "hints_at": []}  # fmt: skip
    return {**base, **overrides}


def flags(rows, roster=None, now=NOW, **kwargs):
    return flags_for(
        rows,
        roster=roster if roster is not None else {r["learner"] for r in rows},
        now_ms=now,
        widget_title=lambda widget: {"TEI001": "Fractions", "BLL002": "Lever lab"}[widget],
        item_label=lambda widget, name: f"item {name}",
        **kwargs,
    )


def test_three_wrong_tries_on_one_item_flag_the_moment_of_the_third():
    tries_at = [NOW - 50_000, NOW - 40_000, NOW - 30_000]
    found = flags(
        [row(ADA, items=[item(tries=3, solved_on=None, gave_up=True, tries_at=tries_at)])]
    )
    assert [(f.rule, f.words, f.session, f.at_ms) for f in found] == [
        ("wrong_tries", "3 wrong tries on item 1 of Fractions.", 100, NOW - 30_000)
    ]


def test_two_wrong_tries_then_right_is_no_flag_but_three_then_right_is():
    assert flags([row(ADA, items=[item(tries=3, solved_on=3)])]) == []
    found = flags([row(ADA, items=[item(tries=4, solved_on=4)])])
    assert found[0].words == "3 wrong tries on item 1 of Fractions, solved on try 4."


def test_many_hints_flag_the_second_hint():
    found = flags([row(ADA, widget="BLL002", items=[item("3", hints=2, hints_at=[5, 9])])])
    assert [(f.rule, f.words, f.at_ms) for f in found] == [
        ("many_hints", "Asked for 2 hints on item 3 of Lever lab.", 9)
    ]
    assert flags([row(ADA, items=[item(hints=1)])]) == []


def test_an_abandoned_attempt_links_to_where_the_learner_stopped():
    found = flags([row(ADA, outcome="abandoned", start=NOW - 2 * DAY)], tz=ZoneInfo("UTC"))
    assert found[0].rule == "abandoned"
    assert found[0].at_ms == NOW - 2 * DAY + 600_000
    assert "Left Fractions unfinished on" in found[0].words


def test_a_mean_score_well_below_the_class_median_is_flagged_with_its_lowest_session():
    rows = [row(learner, score=7.0) for learner in (GRACE, ALAN, EVE)]
    rows += [row(ADA, id=1, score=1.0, start=NOW - 3 * DAY), row(ADA, id=2, score=3.0)]
    found = flags(rows)
    assert [(f.learner, f.rule, f.session) for f in found] == [(ADA, "low_score", 1)]
    assert found[0].words == "Mean score 22\u00a0%, well below the class's 78\u00a0%."
    # Twenty points below is within the class's spread: no flag.
    assert flags([*rows[:3], row(ADA, score=5.5)]) == []


def test_no_score_median_with_too_few_learners():
    assert flags([row(GRACE, score=9.0), row(ADA, score=0.0)]) == []


def test_a_quiet_learner_is_flagged_only_while_the_class_works():
    rows = [row(GRACE), row(ADA, start=NOW - 20 * DAY, outcome="in_progress")]
    found = flags(rows, roster={ADA, GRACE, BOB})
    assert [(f.learner, f.rule) for f in found] == [(ADA, "quiet"), (BOB, "quiet")]
    assert found[1].words.startswith("Has not worked in any activity yet")
    # The whole class away (a holiday): nobody stands out.
    assert flags(rows, roster={ADA, GRACE}, now=NOW + 30 * DAY) == []


def test_opens_without_work_and_learners_outside_the_roster_raise_nothing():
    tries_at = [1, 2, 3]
    empty = row(ADA, work_events=0, outcome="abandoned", score=0.0, maximum=9.0)
    other = row(EVE, items=[item(tries=3, solved_on=None, tries_at=tries_at)])
    found = flags([empty, row(GRACE), other], roster={ADA, GRACE})
    # Ada's open is not an abandoned attempt: she simply has not worked yet.
    assert [(f.learner, f.rule) for f in found] == [(ADA, "quiet")]


def test_flags_come_most_serious_first():
    rows = [
        row(ADA, outcome="abandoned", items=[item(hints=2)]),
        row(GRACE, items=[item(tries=3, solved_on=None)]),
    ]
    assert [f.rule for f in flags(rows)] == ["wrong_tries", "abandoned", "many_hints"]


def test_only_this_weeks_sessions_count_and_each_rule_flags_a_learner_once():
    failed = [item(tries=3, solved_on=None, tries_at=[1, 2, 3])]
    old = row(ADA, id=1, start=NOW - 9 * DAY, items=failed)
    assert [f.rule for f in flags([old, row(ADA, id=4)])] == []  # last week's is history
    recent = [row(ADA, id=n, start=NOW - n * 3_600_000, items=failed) for n in (2, 3)]
    found = flags(recent)
    assert len(found) == 1
    assert found[0].session in (2, 3)
    assert found[0].others == 1
    assert found[0].words == "3 wrong tries on item 1 of Fractions (and 1 more time this week)."


def test_a_learner_who_finished_every_activity_is_not_quiet():
    rows = [row(GRACE, widget="BLL002"), row(GRACE), row(ADA, start=NOW - 20 * DAY)]
    assert [f.learner for f in flags(rows)] == [ADA]  # Ada finished TEI001 but not BLL002
    rows.append(row(ADA, widget="BLL002", start=NOW - 21 * DAY))
    assert flags(rows) == []
