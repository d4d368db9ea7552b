"""POST /v1/orders and Shopify webhooks: merchant orders stored on commerce.orders.v1."""
