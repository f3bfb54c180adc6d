"""The collector's Segment-style door (`/segment/v1/`): the HTTP tracking API that
`segment-analytics-python`, `@segment/analytics-node` and RudderStack's SDKs speak, as a thin
adapter onto the same core as `/api/v1/events` and `/xapi/` (docs/collector.md, "Segment-style
tracking").

Small modules, each one job: `models` and `keys` (write keys, issued per tenant in the admin),
`auth` (Basic `writeKey:`), `messages` (a message's fields, with JSON pointers, and the privacy
refusals), `mapping` (a message → an event of one of our widgets, or a statement of an other
activity), `store` (a batch, all or nothing), `views`, `urls` and `openapi`.
"""
