"""Webhooks: a tenant's session changes pushed to the URLs it subscribed (docs/collector.md,
"Webhooks: session changes pushed to you").

Small modules, each one job: `models` (subscriptions, the outbox of changes, the delivery log),
`kinds` (what a subscription may ask for), `addresses` (which URLs may receive), `outbox` (changes
written in the same transaction as what they report, cheaply, only for tenants who listen),
`signing` (the signature a receiver checks), `delivery` (the beat tasks' work: at least once, in
order, with the backoff collector/sending.py shares with LRS forwarding; pruning what was
delivered), `admin` (the operators' page).
"""
