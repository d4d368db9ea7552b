"""Shopify's authenticity and configuration: the HMAC of the raw body, and shop → merchant."""

from __future__ import annotations

import binascii
import hashlib
import hmac
from collections.abc import Iterable, Sequence

from suivi_infra.signing import SignatureError
from suivi_ingest.orders.fields import slug

HMAC_HEADER = "X-Shopify-Hmac-SHA256"
_MAX_HEADER_LEN = 4096


def shopify_keys(secrets: Iterable[str]) -> tuple[bytes, ...]:
    return tuple(s.encode("utf-8") for s in secrets)


def verify_shopify(body: bytes, header: str | None, keys: Sequence[bytes]) -> None:
    """`X-Shopify-Hmac-SHA256: <base64 HMAC-SHA256(raw body, client secret)>`, constant time."""
    if header is None or not header.strip():
        raise SignatureError(f"missing {HMAC_HEADER} header")
    if len(header) > _MAX_HEADER_LEN:
        raise SignatureError(f"{HMAC_HEADER} header is too long")
    try:
        provided = binascii.a2b_base64(header.strip().encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        raise SignatureError(f"{HMAC_HEADER}: not base64") from None
    expected = [hmac.digest(k, body, hashlib.sha256) for k in keys]
    if not any(hmac.compare_digest(provided, e) for e in expected):
        raise SignatureError(f"{HMAC_HEADER} does not match the body")


def parse_shops(value: str) -> dict[str, str]:
    """`a.myshopify.com:shop-a,b.myshopify.com:shop-b` → {shop domain: merchant id}."""
    shops: dict[str, str] = {}
    for n, entry in enumerate((e.strip() for e in value.split(",")), start=1):
        if not entry:
            continue
        domain, sep, merchant = entry.rpartition(":")
        domain = domain.strip().lower()
        where = f"SUIVI_INGEST_SHOPIFY_SHOPS entry {n}"
        if not sep or not domain or " " in domain:
            raise ValueError(f"{where} is not 'shop.myshopify.com:merchant'")
        try:
            merchant_id = slug(merchant)
        except ValueError as exc:
            raise ValueError(f"{where}: merchant id {exc}") from None
        if shops.get(domain, merchant_id) != merchant_id:
            raise ValueError(f"{where}: {domain} is already mapped to {shops[domain]!r}")
        shops[domain] = merchant_id
    return shops
