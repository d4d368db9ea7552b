"""WCAG contrast as the spec computes it, and brand colours made readable."""

import pytest

from suivi_schemas.contrast import contrast_ratio, readable


def test_known_ratios() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA grey


@pytest.mark.parametrize("brand", ["#ffd400", "#9ca3af", "#1f6feb", "#00ff00", "#ffffff"])
def test_a_brand_colour_is_kept_or_adjusted_to_4_5_to_1(brand: str) -> None:
    shown = readable(brand)
    assert contrast_ratio(shown, "#ffffff") >= 4.5
    if contrast_ratio(brand, "#ffffff") >= 4.5:
        assert shown == brand  # a readable colour is left alone


def test_on_a_dark_background_the_colour_is_lightened() -> None:
    assert contrast_ratio(readable("#202020", "#111111"), "#111111") >= 4.5
