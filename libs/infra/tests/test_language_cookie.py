"""The remembered language choice every service's pages share: `?lang=` on a GET sets the
`suivi_lang` cookie; later requests without `?lang=` get it back in the query; a language not
offered, or a POST, sets nothing."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request

from suivi_infra.language_cookie import RememberLanguage, picker


def _client() -> httpx.AsyncClient:
    app = FastAPI()

    @app.api_route("/page", methods=["GET", "POST"])
    async def echo(request: Request) -> dict[str, str | None]:
        return {"lang": request.query_params.get("lang")}

    app.add_middleware(RememberLanguage, supported=("en", "de", "fr"))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pages")


async def test_a_chosen_language_is_remembered_for_a_year() -> None:
    async with _client() as http:
        chosen = await http.get("/page", params={"lang": "de"})
        cookie = chosen.headers["set-cookie"]
        assert cookie.startswith("suivi_lang=de;") and "Max-Age=31536000" in cookie
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert (await http.get("/page")).json() == {"lang": "de"}  # the cookie, put back
        assert (await http.get("/page", params={"lang": "fr"})).json() == {"lang": "fr"}
        assert (await http.get("/page")).json() == {"lang": "fr"}


async def test_no_choice_from_an_unknown_language_a_post_or_a_forged_cookie() -> None:
    async with _client() as http:
        assert "set-cookie" not in (await http.get("/page", params={"lang": "xx"})).headers
        assert "set-cookie" not in (await http.post("/page", params={"lang": "de"})).headers
        http.cookies.set("suivi_lang", "xx")
        assert (await http.get("/page")).json() == {"lang": None}


def test_the_picker_names_each_language_in_itself() -> None:
    assert picker(("en", "de", "nl")) == (("en", "English"), ("de", "Deutsch"),
                                          ("nl", "Nederlands"))  # fmt: skip
