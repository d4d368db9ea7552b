"""Shopify webhooks: verified (`auth`), read leniently (`values`), mapped to order events
(`mapping`); pure, no I/O.

Shopify signs the raw body: `X-Shopify-Hmac-SHA256` is the base64 HMAC-SHA256 of it, keyed
with the app's client secret. The topic and the shop travel in headers (`X-Shopify-Topic`,
`X-Shopify-Shop-Domain`), the delivery id in `X-Shopify-Webhook-Id` (the same on retries).
"""
