"""The widgets' rules never break on a stream they did not expect.

The collector runs them at every summary (collector.summaries.session_values), so a rule that
raised on one odd session would stop every session after it from being summarised. Streams here
are any mix of the widget's own event types with any data (the ingestion API checks data against
the widget's schemas; these do not, so they are harsher than what can be stored), in any order.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from widgets import responses
from widgets.registry import get_widget

WIDGETS = ["TEI001", "BLL002", "chernoff_tutorial"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 30), st.floats(allow_nan=False), st.text(max_size=6)
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4), max_leaves=8)


def streams(widget_id: str):
    widget = get_widget(widget_id)
    types = sorted(widget.all_event_schemas)
    keys = sorted(
        {
            key
            for schema in widget.all_event_schemas.values()
            for key in schema.get("properties", {})
        }
    )
    data = st.dictionaries(st.sampled_from(keys or ["item"]), values, max_size=6)
    event = st.fixed_dictionaries(
        {"type": st.sampled_from(types), "t": st.integers(0, 10_000_000), "data": data}
    )
    return st.lists(event, max_size=40)


@pytest.mark.parametrize("widget_id", WIDGETS)
def test_a_widgets_rules_read_any_stream_of_its_event_types_without_raising(widget_id):
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(stream=streams(widget_id))
    def check(stream):
        reading = responses.read_session(widget_id, stream)
        # And what is kept with the summary can be built from it.
        responses.items_with_reading([], reading)

    check()
