"""The collector's MetaCX-style door (`/metacx/`): instrumentation written for a MetaCX-style
events API sends to Pathlens by changing only its base URL and credentials (docs/collector.md,
"MetaCX-style events").

A thin adapter onto the xAPI core: each object of a request becomes a statement, stored by
`collector.xapi.statements.statements_store` (atomic, tenant-scoped; statements about our widgets
become events through the ingestion API's write path). Small modules, each one job: `access` (the
access token traded for an API key), `mapping` (a request's objects, checked, as statements),
`store` (idempotency keys), `views`, `urls` and `openapi`.
"""
