"""POST /v1/webhooks/{provider}: provider webhooks verified and stored on tracking.raw.v1."""
