"""The collector's xAPI 1.0.3 endpoint (`/xapi/`): a Learning Record Store for the content a school
already has (docs/collector.md, "xAPI").

Small modules, each one job: `iris` (our IRIs and the verb ↔ event type table), `agents` (who a
statement may name: opaque ids only), `validation` (a statement's shape, with JSON pointers),
`mapping` (statements about our widgets ↔ events), `statements` (store, fetch, query, void),
`state` (the State resource), `auth` and `http` (credentials, headers, CORS), `views` and `urls`.
"""
