"""A parcel that changes hands (issue 17), on PostgreSQL and the SMTP peer: the shopper hears
of the hand-off once (the next message names La Poste and links to its tracking page), and a
status two legs report, or a link delivered twice, sends nothing more."""

from __future__ import annotations

from datetime import datetime, timedelta

from suivi_notifier.testing.events import Record, order, status
from suivi_notifier.testing.harness import Harness
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_schemas.legs import LegLinkEvent, LinkSource

CAINIAO, LAPOSTE = ("cainiao", "LP00598765432101"), ("laposte", "6A18987654321")


def _link(h: Harness) -> Record:
    link = LegLinkEvent.of(CAINIAO, LAPOSTE, source=LinkSource.LAST_MILE, provider="aftership",
                           linked_at=h.clock.now)  # fmt: skip
    return Record(h.settings.legs_topic, link.model_dump_json().encode(), link.key.encode())


async def test_a_hand_off_is_told_once_and_no_status_twice(h: Harness, smtp_peer: SmtpPeer) -> None:
    cainiao = {"carrier": CAINIAO[0], "tracking_number": CAINIAO[1]}
    laposte = {"carrier": LAPOSTE[0], "tracking_number": LAPOSTE[1]}

    def ago(minutes: int) -> datetime:
        return h.clock.now - timedelta(minutes=minutes)

    await h.feed(order("1001", shipments=[CAINIAO]), status("in_transit", ago(50), **cainiao))
    await h.settle()
    await h.core.intake.process([_link(h), _link(h)])
    await h.feed(status("in_transit", ago(30), **laposte))
    await h.feed(status("out_for_delivery", ago(9), **laposte))
    # Cainiao echoes the same news late, and the link comes again: nothing more.
    await h.core.intake.process([_link(h)])
    await h.feed(status("out_for_delivery", ago(5), **cainiao))
    await h.feed(status("in_transit", ago(40), **cainiao))
    await h.settle()
    await h.settle(3600)
    mails = await smtp_peer.wait_for(2)
    assert len(smtp_peer.messages) == 2
    assert [r.trigger for r in h.kafka.results] == ["in_transit", "out_for_delivery"]
    handed = mails[1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "La Poste" in handed and "laposte.fr" in handed and LAPOSTE[1] in handed
