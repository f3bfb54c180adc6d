"""The RAGE analytics collector door: what serious games instrumented for RAGE (e-UCM's
rage-analytics-backend and its trackers) send, taken by changing only the endpoint.

A game starts a tracking session with its tracking code (`POST /api/collector/start/<code>`) and
sends xAPI statements with the authToken it got (`POST /api/collector/track`). It is a thin
adapter onto the xAPI endpoint's core (collector/xapi/): statements are checked, stored and
mapped onto events there, in the tracking code's tenant. docs/collector.md, "RAGE analytics
collector", has the mapping table.

- models.py: tracking codes (per tenant and activity), players, sessions (the authTokens).
- sessions.py: starting a session (which player, the count), and an authToken's session.
- track.py: a track request's statements, completed and bound to the session, then stored.
- views.py, urls.py: the two endpoints; openapi.py: their part of the OpenAPI document.
"""
