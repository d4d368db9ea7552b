"""The dashboard's pages, on the status pages' templates, style and headers (strict CSP with a
nonce, no-store, noindex, no referrer)."""

from __future__ import annotations

import secrets

from suivi_projections.web.dashboard.service import LinkState, SigninMail
from suivi_projections.web.dashboard.view import FILTERS, Card, Show
from suivi_projections.web.pages.i18n import Translator
from suivi_projections.web.pages.render import TEMPLATES, Html, security_headers
from suivi_projections.web.shops import Shops


def _render(template: str, t: Translator, **context: object) -> Html:
    nonce = secrets.token_urlsafe(16)
    body = TEMPLATES.get_template(template).render(t=t, lang=t.language, nonce=nonce, **context)
    return Html(body, security_headers(nonce))


def render_dashboard(
    t: Translator, *, cards: tuple[Card, ...], show: Show, counts: dict[Show, int],
    csrf: str, email: str, shop: str, every_shop: bool | None, fragment: bool = False,
) -> Html:  # fmt: skip
    """`every_shop`: None when this Suivi serves one shop only (no choice to offer)."""
    return _render(
        "_dashboard.html" if fragment else "dashboard.html", t, cards=cards, show=show,
        counts=counts, filters=FILTERS, csrf=csrf, email=email, shop=shop, every_shop=every_shop,
    )  # fmt: skip


def render_link(t: Translator, *, state: LinkState, link: str, csrf: str, shop: str) -> Html:
    """The page a mailed link opens: a button that signs in (a mail scanner fetching the link
    uses nothing), or why the link no longer works."""
    return _render("dashboard_link.html", t, state=state.value, link=link, csrf=csrf, shop=shop)


def render_note(t: Translator, *, title: str, text: str, merchant_id: str) -> Html:
    """A message with the way back to the shop's lookup page (sent, signed out, refused)."""
    return _render("dashboard_note.html", t, title=title, text=text, merchant_id=merchant_id)


def signin_mail(shops: Shops) -> SigninMail:
    """The sign-in mail's words, in the language of the page it was asked from."""

    def mail(*, merchant_id: str, language: str, link: str, minutes: int) -> tuple[str, str]:
        t = Translator(language)
        shop = shops.name(merchant_id) or merchant_id
        subject = t("dashboard.mail.subject", shop=shop)
        return subject, t("dashboard.mail.text", shop=shop, link=link, minutes=minutes)

    return mail
