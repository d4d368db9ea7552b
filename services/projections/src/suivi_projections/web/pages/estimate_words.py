"""The delivery estimate in words (issue 21): our current prediction said as sure as it is
("Very likely Tuesday 4 March", "Between Tuesday and Thursday"), and what changed about the
carrier's date (revised, or our prediction running later than it, or than the shop's promised
day when that is the earlier one)."""

from __future__ import annotations

from datetime import date

from suivi_projections.query.views import EstimateStory, ShipmentView
from suivi_projections.web.pages.i18n import Translator
from suivi_schemas import EstimateSource

VERY_LIKELY = 0.6  # confidence (domain/eta_model.py) from which one day is said as near sure
LIKELY = 0.35


def prediction(story: EstimateStory, t: Translator) -> str | None:
    """Our prediction in words, or None when there is none."""
    if story.likeliest is None or story.confidence is None:
        return None
    if story.confidence >= VERY_LIKELY:
        return t("eta.words.very_likely", day=t.day(story.likeliest))
    single = story.earliest is None or story.earliest == story.latest
    if story.confidence >= LIKELY or single or story.latest is None:
        return t("eta.words.likely", day=t.day(story.likeliest))
    assert story.earliest is not None
    return t("eta.words.between", start=t.day(story.earliest), end=t.day(story.latest))


def note(s: ShipmentView, t: Translator, promise: date | None = None) -> str | None:
    """Trending late first (it matters more), naming the day at risk: the shop's promised day
    (`promise`, the order's) when it is earlier than the carrier's date or there is none (the
    monitor judges the earlier of the two), else the carrier's; else a revised carrier date."""
    story = s.estimate_story
    if story is None:
        return None
    if story.trending_late:
        if promise is not None and shop_day_first(s, promise):
            return t("eta.words.trending_late_shop", day=t.day(promise))
        return t("eta.words.trending_late")
    current, original = s.estimated_delivery, story.original
    changed = (
        story.revisions > 0
        and current is not None
        and original is not None
        and (original.earliest, original.latest) != (current.earliest, current.latest)
    )
    if changed and original is not None:
        return t("eta.words.revised", day=t.day(original.latest))
    return None


def shop_day_first(s: ShipmentView, promise: date) -> bool:
    """The shop's promised day is earlier than the carrier's date (its latest day), or the
    carrier gave none (a predicted window is ours, not the carrier's)."""
    shown = s.estimated_delivery
    if shown is None or shown.source is EstimateSource.PREDICTED:
        return True
    return promise < shown.latest
