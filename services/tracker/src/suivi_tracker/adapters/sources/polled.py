"""What the carrier APIs polled since issue 17 share: one call per poll, the answer published
as the carrier's raw event (XML answers in the `{"number", "xml"}` envelope the normalizer's
providers/xmldoc.py reads), 4xx refusals read by errors.refuse, 5xx/429 by SourceHttp."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from suivi_tracker.adapters.sources.base import BaseSource
from suivi_tracker.adapters.sources.errors import refuse
from suivi_tracker.adapters.sources.http import json_body
from suivi_tracker.domain.sources import Mode, Polled, TrackingRef, Unavailable


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str
    params: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes | None = None
    passthrough: frozenset[int] = frozenset()  # statuses the source reads itself (SOAP faults)


def read_answer(provider: str, label: str, answer: httpx.Response) -> Polled:
    """A JSON tracking answer: 200 the parcel's (its JSON checked), 404 not found, another 4xx
    refused (errors.refuse), anything else unavailable."""
    if answer.status_code == 200:
        json_body(answer)
        return Polled(provider=provider, body=answer.content)
    if answer.status_code == 404:
        return Polled(provider=provider, body=answer.content, found=False)
    if 400 <= answer.status_code < 500:
        raise refuse(label, answer.status_code, json_body(answer))
    raise Unavailable(f"{label} answered HTTP {answer.status_code}")


def xml_envelope(number: str, answer: httpx.Response) -> bytes:
    """The XML answer, verbatim, inside the JSON object tracking.raw.v1 carries."""
    return json.dumps({"number": number, "xml": answer.text}, ensure_ascii=False).encode()


class CarrierPoll(BaseSource):
    """A carrier's own tracking API, polled; a subclass builds the call and reads the answer."""

    mode = Mode.POLL
    label = ""  # the carrier's name in error messages
    xml = False

    def call(self, ref: TrackingRef) -> Call:
        raise NotImplementedError

    def found(self, answer: httpx.Response) -> bool:
        """Whether the answer knows the parcel (a documented 'not found' answers False)."""
        return answer.status_code != 404

    def error_body(self, answer: httpx.Response) -> object:
        return answer.text if self.xml else json_body(answer)

    async def poll(self, ref: TrackingRef) -> Polled:
        self.code_of(ref)
        call = await self.prepared(self.call(ref))
        answer = await self.http.request(
            call.method,
            call.path,
            params=call.params,
            headers=call.headers,
            content=call.content,
            passthrough=call.passthrough,
        )
        found = self.found(answer)
        if found and answer.status_code >= 400:
            raise refuse(self.label, answer.status_code, self.error_body(answer))
        if found and not 200 <= answer.status_code < 300:
            raise Unavailable(f"{self.label} answered HTTP {answer.status_code}")
        if self.xml:
            return Polled(self.name, xml_envelope(ref.tracking_number, answer), found=found)
        json_body(answer)
        return Polled(self.name, answer.content, found=found)

    async def prepared(self, call: Call) -> Call:
        """The call with what needs I/O first (a session token); as is by default."""
        return call
