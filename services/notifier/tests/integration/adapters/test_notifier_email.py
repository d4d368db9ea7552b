"""Email over SMTP against a real SMTP server (aiosmtpd) that parses what it receives."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from suivi_notifier.adapters.render import MessageContext, Renderer
from suivi_notifier.adapters.smtp import SmtpSender
from suivi_notifier.domain.outcomes import Permanent, Sent, Transient
from suivi_notifier.settings import SmtpSettings
from suivi_notifier.testing.smtp_peer import SmtpPeer

STATUS_URL = "https://track.suivi.test/orders/AbCdEfGhIjKlMnOpQrStUvWxYz012345"
UNSUBSCRIBE_URL = "https://notify.suivi.test/v1/unsubscribe/tok123tok123tok123?channel=email"


def context(locale: str, trigger: str = "out_for_delivery") -> MessageContext:
    return MessageContext(
        trigger=trigger, locale=locale, merchant_id="shop", merchant_name="Boutique <Lumière>",
        order_number="1001", carrier="laposte", tracking_number="6A12345678901",
        status_url=STATUS_URL, unsubscribe_url=UNSUBSCRIBE_URL, name="Jeanne",
    )  # fmt: skip


def sender(peer: SmtpPeer) -> SmtpSender:
    return SmtpSender(
        SmtpSettings(
            host="127.0.0.1", port=peer.port, from_address="shop@suivi.test",
            from_name="Suivi", timeout_seconds=5,
        )
    )  # fmt: skip


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


@pytest.mark.parametrize(
    ("locale", "subject", "words"),
    [
        ("en", "Your order 1001 is out for delivery", ("Hello Jeanne,", "Track your parcel")),
        (
            "fr-FR",
            "Votre commande 1001 est en cours de livraison",
            ("Bonjour Jeanne,", "Suivre mon colis"),
        ),
    ],
)
async def test_notifier_email_multipart_in_the_order_language_with_link_and_unsubscribe(
    smtp_peer: SmtpPeer, locale: str, subject: str, words: tuple[str, str]
) -> None:
    smtp = sender(smtp_peer)
    rendered = Renderer().email(context(locale))
    message = smtp.build(
        "jeanne@example.test", rendered, unsubscribe_url=UNSUBSCRIBE_URL,
        message_id="suivi.abc", now=datetime.now(UTC),
    )  # fmt: skip
    assert await smtp.send(message) == Sent()

    [got] = await smtp_peer.wait_for(1)
    assert smtp_peer.envelopes == [("shop@suivi.test", ["jeanne@example.test"])]
    assert got.get_content_type() == "multipart/alternative"
    assert got["Subject"] == subject
    assert got["To"] == "jeanne@example.test"
    assert got["Message-ID"] == "<suivi.abc@suivi.local>"
    assert got["List-Unsubscribe"] == f"<{UNSUBSCRIBE_URL}>"
    # On the wire as a plain URI (not RFC 2047-encoded, which clients would not decode).
    assert f"List-Unsubscribe: <{UNSUBSCRIBE_URL}>\r\n".encode() in smtp_peer.raw[0]
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got["Content-Language"] == locale[:2]
    text, html = parts(got)
    for body in (text, html):
        assert words[0] in body and words[1] in body
        assert "6A12345678901" in body and "La Poste" in body
    assert STATUS_URL in text and UNSUBSCRIBE_URL in text
    assert f'href="{STATUS_URL}"' in html
    assert f'href="{UNSUBSCRIBE_URL.replace("&", "&amp;")}"' in html
    # The merchant's name is escaped in HTML, kept as is in text.
    assert "Boutique &lt;Lumière&gt;" in html and "<Lumière>" not in html
    assert f'<html lang="{locale[:2]}">' in html


async def test_notifier_smtp_4xx_is_transient_5xx_permanent_down_transient(
    smtp_peer: SmtpPeer,
) -> None:
    smtp = sender(smtp_peer)
    rendered = Renderer().email(context("en", "delivered"))

    def build() -> EmailMessage:
        return smtp.build(
            "x@example.test", rendered, unsubscribe_url=UNSUBSCRIBE_URL, message_id="m",
            now=datetime.now(UTC),
        )  # fmt: skip

    smtp_peer.replies = ["451 4.3.0 try later", "550 5.1.1 no such user"]
    assert await smtp.send(build()) == Transient("smtp_451")
    assert await smtp.send(build()) == Permanent("smtp_550")
    await smtp_peer.stop()
    outcome = await smtp.send(build())
    assert isinstance(outcome, Transient) and outcome.error == "smtp_unavailable"
    assert smtp_peer.messages == []
