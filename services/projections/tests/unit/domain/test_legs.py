"""Parcels carried by several carriers (issue 17): grouping and the story, whatever the order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from suivi_projections.domain.legs import LegState, Placed, leading, parcels
from suivi_projections.query.parcels import LegView, merge
from suivi_projections.query.views import ShipmentView, TimelineEntry
from suivi_schemas import ShipmentStatus

S = ShipmentStatus
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
CAINIAO, LAPOSTE, COLIS = (
    ("cainiao", "LP00598765432101"),
    ("laposte", "6A18987654321"),
    ("gls", "1"),
)


def test_the_first_leg_names_the_parcel_and_positions_follow_the_chain() -> None:
    placed = parcels([(CAINIAO, LAPOSTE), (LAPOSTE, COLIS)])
    assert placed == {
        CAINIAO: Placed(CAINIAO, 0), LAPOSTE: Placed(CAINIAO, 1), COLIS: Placed(CAINIAO, 2),
    }  # fmt: skip


def test_disagreeing_directions_still_end() -> None:
    placed = parcels([(CAINIAO, LAPOSTE), (LAPOSTE, CAINIAO)])
    assert {p.parcel for p in placed.values()} == {CAINIAO}
    assert all(p.position <= 1 for p in placed.values())


@given(st.permutations([(CAINIAO, LAPOSTE), (LAPOSTE, COLIS), (("x", "1"), ("y", "2"))]))
def test_grouping_is_a_function_of_the_set_of_links(
    links: list[tuple[tuple[str, str], ...]],
) -> None:
    assert parcels(links) == parcels(sorted(links)) == parcels(links + links[:1])  # type: ignore[arg-type]


def test_an_older_leg_reporting_late_never_takes_the_lead_back() -> None:
    origin = LegState(CAINIAO, 0, S.IN_TRANSIT, T0 + timedelta(days=9))  # late scan, newest
    destination = LegState(LAPOSTE, 1, S.OUT_FOR_DELIVERY, T0 + timedelta(days=8))
    assert leading([origin, destination]) == destination
    announced = LegState(LAPOSTE, 1, S.INFO_RECEIVED, T0 + timedelta(days=3))
    assert leading([origin, announced]) == origin  # announced only: the parcel is still moving
    assert leading([LegState(LAPOSTE, 1, None, None)]) is None


def _entry(day: float, status: ShipmentStatus, name: str) -> TimelineEntry:
    import uuid

    return TimelineEntry(str(uuid.uuid5(uuid.NAMESPACE_URL, name)), T0 + timedelta(days=day),
                         status, None, name, None, False)  # fmt: skip


def _view(leg: tuple[str, str], entries: list[TimelineEntry]) -> ShipmentView:
    last = max(entries, key=lambda e: e.occurred_at)
    return ShipmentView(
        leg[0], leg[1], "active", last.status, None, False, None, last.occurred_at,
        last.message, None, None, None, (), tuple(entries),
    )  # fmt: skip


CAINIAO_EVENTS = [_entry(0, S.INFO_RECEIVED, "c0"), _entry(1, S.IN_TRANSIT, "c1"),
                  _entry(6, S.IN_TRANSIT, "c6")]  # fmt: skip
LAPOSTE_EVENTS = [_entry(4, S.IN_TRANSIT, "l4"), _entry(7, S.OUT_FOR_DELIVERY, "l7")]


@given(
    cainiao=st.sets(st.sampled_from(range(3))),
    laposte=st.sets(st.sampled_from(range(2))),
    order=st.permutations([0, 1]),
)
def test_the_story_is_the_same_whichever_leg_is_read_first(
    cainiao: set[int], laposte: set[int], order: list[int]
) -> None:
    primary = _view(CAINIAO, CAINIAO_EVENTS)
    legs = [
        (
            LegView(*CAINIAO, 0, False),
            _view(CAINIAO, [CAINIAO_EVENTS[i] for i in sorted(cainiao)]) if cainiao else None,
        ),
        (
            LegView(*LAPOSTE, 1, False),
            _view(LAPOSTE, [LAPOSTE_EVENTS[i] for i in sorted(laposte)]) if laposte else None,
        ),
    ]
    merged = merge(primary, [legs[i] for i in order])
    assert merged == merge(primary, legs)
    assert [e.occurred_at for e in merged.timeline] == sorted(
        (e.occurred_at for e in merged.timeline), reverse=True
    )
    assert len(merged.timeline) == len(cainiao) + len(laposte)
    if laposte:  # La Poste has it: its status, whatever Cainiao says later
        assert merged.status == LAPOSTE_EVENTS[max(laposte)].status
    assert [leg.carrier for leg in merged.legs] == ["cainiao", "laposte"]
    assert {getattr(e, "carrier", None) for e in merged.timeline} <= {"cainiao", "laposte"}
