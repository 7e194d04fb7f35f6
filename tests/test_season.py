"""The plan's forecast beyond one SKU's level: the yearly season (core.invmath.season, core.demand) found where
monthly history shows one, not where it does not, and carried into the daily demand ahead; and the error sd of
a short history shrunk toward its class's error model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from jxc_xl.core.demand import DemandSeries, forecast_demand
from jxc_xl.core.invmath.season import SEASON_ALPHA, f_critical, fit_season, positions

MONTH = 30


@pytest.mark.parametrize("d", [2, 5, 9, 21, 60])
def test_f_critical_is_scipys_upper_point(d: int) -> None:
    assert f_critical(d) == pytest.approx(stats.f.ppf(1 - SEASON_ALPHA, 2, d), rel=1e-9)


def _sine(n: int, months: int, amplitude: float, rng: np.random.Generator, level: float = 10.0) -> np.ndarray:
    """Monthly mean daily rates of Poisson days around level·(1 + amplitude·sin), peak 3 months after the block."""
    p = positions(months)
    lam = level * (1 + amplitude * np.cos(2 * np.pi * (p - 3) / 12))
    return rng.poisson(np.repeat(lam[None, :], n, axis=0) * MONTH) / MONTH


def test_a_clear_season_is_found_and_its_shape_recovered() -> None:
    y = _sine(200, 24, 0.4, np.random.default_rng(1))
    s = fit_season(y, np.zeros(200, dtype=bool))
    assert s.found.all()
    # factor 3 months ahead is the peak (1.4), 9 months ahead the trough (0.6)
    assert np.median(s.factor(3.0)) == pytest.approx(1.4, abs=0.03)
    assert np.median(s.factor(9.0)) == pytest.approx(0.6, abs=0.03)


def test_no_season_in_steady_demand_beyond_the_test_level() -> None:
    y = _sine(2000, 12, 0.0, np.random.default_rng(2))
    s = fit_season(y, np.zeros(2000, dtype=bool))
    assert s.found.mean() < 3 * SEASON_ALPHA  # 1 % expected
    assert (s.factor(positions(12))[~s.found] == 1.0).all()


def test_a_trend_is_not_taken_for_a_season() -> None:
    rng = np.random.default_rng(3)
    lam = np.linspace(5, 15, 18)
    y = rng.poisson(np.repeat(lam[None, :], 500, axis=0) * MONTH) / MONTH
    assert fit_season(y, np.ones(500, dtype=bool)).found.mean() < 3 * SEASON_ALPHA


def _series(rates: np.ndarray, elapsed: int) -> DemandSeries:
    n = rates.shape[0]
    return DemandSeries(
        rates=rates,
        mtd_qty=np.full(n, 0.0),
        mtd_sd=np.zeros(n),
        elapsed=elapsed,
        days_in_month=MONTH,
        days_per_month=MONTH,
    )


def test_the_forecast_follows_the_season_ahead() -> None:
    # noiseless: 10·(1 + 0.4·cos(2π(p − 1)/12)), so next month (p = 1) is the peak 14/day
    p = positions(24)
    rates = 10 * (1 + 0.4 * np.cos(2 * np.pi * (p - 1) / 12)) + np.tile([0.05, -0.05], 12)
    s = _series(np.vstack([rates, np.full(24, 10.0) + np.tile([0.3, -0.3], 12)]), MONTH)
    s = DemandSeries(s.rates, s.rates[:, -1] * 0 + np.array([14.0, 10.0]) * MONTH, s.mtd_sd, MONTH, MONTH, MONTH)
    fc = forecast_demand(s)
    assert list(fc.method) == ["ses_season", "ses"]
    assert fc.daily[0] == pytest.approx(14.0, rel=0.03)  # the peak, where SES alone would say ~10
    assert fc.daily[1] == pytest.approx(10.0, rel=0.03)


def test_without_a_season_the_forecast_is_bit_for_bit_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    s = _series(_sine(300, 15, 0.0, rng), 12)
    s = DemandSeries(s.rates, rng.poisson(10 * 12, 300).astype(float), np.full(300, 3.0), 12, MONTH, MONTH)
    with_season = forecast_demand(s)
    found = with_season.method == "ses_season"

    import jxc_xl.core.demand as demand

    def never(y: np.ndarray, trending: np.ndarray) -> object:
        got = fit_season(y, trending)
        return type(got)(np.zeros_like(got.found), np.zeros_like(got.cos), np.zeros_like(got.sin))

    monkeypatch.setattr(demand, "fit_season", never)
    without = forecast_demand(s)
    assert (~found).sum() >= 290
    np.testing.assert_array_equal(with_season.daily[~found], without.daily[~found])
    # (error sds are not compared: the class's pooled error model (core.demand._shrunk) rests on every SKU)


def test_a_few_lucky_months_get_their_class_uncertainty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Smooth SKUs: an SKU with four flat months does not plan as if demand could not vary (core.demand._shrunk)."""
    rng = np.random.default_rng(5)
    rates = rng.poisson(10 * MONTH, (100, 12)) / MONTH
    flat = np.full((1, 12), np.nan)
    flat[0, -5:] = 10.0  # five months of exactly 10/day: its own rolling errors are 0
    s = _series(np.vstack([rates, flat]), MONTH)
    s = DemandSeries(s.rates, np.full(101, 10.0 * MONTH), np.full(101, 3.0), MONTH, MONTH, MONTH)
    fc = forecast_demand(s)
    typical = float(np.median(fc.error_sd[:100]))
    assert fc.demand_class[100] == "smooth"
    assert fc.error_sd[100] >= 0.6 * typical > 0
    import jxc_xl.core.demand as demand

    monkeypatch.setattr(demand, "_shrunk", lambda err, *args: err)
    own = forecast_demand(s)
    assert own.error_sd[100] < 0.3 * typical  # what the SKU's own flat months alone would say
    assert (fc.error_sd >= own.error_sd).all()  # a floor: no SKU's own wider errors are narrowed
