"""Demo data: simulated learners who play the real widgets, for a class to explore.

Pure modules, no ORM and no request: `strategies` (how a simulated learner thinks and how fast),
`simulate` (one simulator per widget: a learner's events, the same types and semantics the
widget's view sends, checked against its reducer by tests/js/demo_sessions.test.mjs) and
`classroom` (several weeks of lessons for a class: who opens what, when). The management commands
`seed_demo` and `generate_events` store what they produce through the collector's client.
"""
