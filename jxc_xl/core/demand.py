"""Demand per SKU for the purchase plan: class, forecast method and daily demand, from the monthly history plus
this month to date, and the out-of-sample error of that forecast.

* The series: each month of tblHistory before the period as an average daily rate (demand ÷ the month's
  days), oldest first; months missing after an SKU's first month count as 0, months before it do not exist.
  This month to date is the rate net demand ÷ elapsed days (as_of − first day + 1), never ÷ the calendar
  length of the month.
* Class (Syntetos-Boylan): ADI = months ÷ months with demand, CV² = squared coefficient of variation of the
  non-zero months; smooth (ADI ≤ 1.32, CV² ≤ 0.49), erratic (ADI ≤ 1.32), intermittent (CV² ≤ 0.49), lumpy;
  ``none`` when there was never any demand. This month counts as a month of the series once half of it has
  elapsed.
* Method by class: SES (α fitted on the one-step errors) for smooth and erratic; Holt (α, β fitted) where
  12+ months show a trend (OLS slope with |t| ≥ 2.5); Croston-SBA (α = 0.1, forecast × (1 − α/2)) for
  intermittent and lumpy; ``month`` (this month's rate alone) for an SKU without history.
* Season: where 12+ months of a smooth or erratic SKU show a yearly cycle (``core.invmath.season``: a
  first-harmonic profile s kept by a 1 % F test), SES or Holt runs on the deseasonalised series y ÷ s and
  its forecast is multiplied back by s of the days ahead (method ``ses_season`` / ``holt_season``).
* This month to date updates the history forecast like one more observation weighted by the elapsed share
  of the month: f + α·(elapsed ÷ days)·(rate ÷ s₀ − f), with α the method's smoothing weight (at least 0.1)
  and s₀ this month's seasonal factor (1 without a season).
* The daily demand is for the days ahead, until one average month after the as-of date: with a season, the
  level times the higher of the seasonal factors at both ends (a rising or a falling season is covered until
  the next plan; simulated it holds the target with less stock than without the season model).
* Forecast error, out of sample by rolling origin: from the 4th month on, each month is forecast from the
  months before it alone (the method and its fitted parameters as for the plan, times the month's seasonal
  factor) and the error sd is the root mean square of those errors. Smooth and erratic SKUs selling a unit a
  month or more take at least their class's error model, weighted against their own errors as 4 errors'
  worth (``_shrunk``): a few calm months of a new SKU are not certainty (simulated with 3-8 months of history,
  steady items reach .96-.97 cycle service at 0.95; without it .93). Any other SKU with fewer than two errors
  uses this month's daily spread: sd_day · √(1/elapsed + 1/days per month); intermittent and lumpy SKUs take
  at least their class's mean dispersion (``_pooled_floor``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from jxc_xl.core.invmath.arguments import FloatArray
from jxc_xl.core.invmath.intermittent import syntetos_boylan
from jxc_xl.core.invmath.season import Season, fit_season, positions
from jxc_xl.core.invmath.smoothing import _croston_run, _fit_holt, _fit_ses_alpha, _holt_run, _ses_run
from jxc_xl.core.periods import period_last_day, periods_before

SBA_ALPHA = 0.1
TREND_MONTHS = 12  # months of history before a trend is looked for
TREND_T = 2.5  # |t| of the OLS slope that counts as a trend
FIRST_ORIGIN = 3  # months the rolling origin needs before its first forecast
MIN_ALPHA = 0.1  # least weight this month to date gets in a fitted SES/Holt
SHRUNK = ("smooth", "erratic")  # classes whose error sd is shrunk toward their class's error model
SHRINK_K0 = 4  # errors' worth of weight the class's error model has in each SKU's error sd
SHRINK_MIN_SKUS = 10  # SKUs with errors a class needs before its error model is fitted


@dataclass(frozen=True)
class DemandSeries:
    """What the forecast is made from, one row per SKU.

    rates: (n, T) average daily demand of each history month, oldest first, NaN before the SKU's first month.
    mtd_qty: (n,) net demand this month through the as-of date.
    mtd_sd: (n,) sample sd of this month's daily net demand over the elapsed days (0 when fewer than 2).
    elapsed: days of this month through the as-of date (≥ 1).
    days_in_month: calendar days of this month.
    days_per_month: days of an average month (days per year ÷ 12).
    """

    rates: FloatArray
    mtd_qty: FloatArray
    mtd_sd: FloatArray
    elapsed: int
    days_in_month: int
    days_per_month: float


@dataclass(frozen=True)
class DemandForecast:
    """The forecast per SKU: daily demand (units/day), the error sd of a month's rate (units/day), the
    Syntetos-Boylan ADI and CV², the class key and the method key (schema DEMAND_CLASSES, FORECAST_METHODS)."""

    daily: FloatArray
    error_sd: FloatArray
    mean_rate: FloatArray  # the series' long-run mean daily rate (the process, not its latest level)
    adi: FloatArray
    cv2: FloatArray
    demand_class: NDArray[np.object_]
    method: NDArray[np.object_]


def history_rates(hist: pd.DataFrame | None, period: str, skus: pd.Index, months: int = 24) -> FloatArray:
    """tblHistory (sku, period, demand_qty) → (n, T) daily rates of the ``months`` periods before ``period``.

    Negative or blank quantities and later periods are ignored; T is the span from the first month any SKU
    has to the month before ``period`` (0 when there is no usable history).
    """
    if hist is None or not len(hist):
        return np.zeros((len(skus), 0))
    h = hist.dropna(subset=["sku", "period", "demand_qty"])
    q = pd.to_numeric(h["demand_qty"], errors="coerce")
    h = h.assign(period=h["period"].astype(str), demand_qty=q)
    h = h[(h["period"] < period) & (h["demand_qty"] >= 0)]
    if not len(h):
        return np.zeros((len(skus), 0))
    first = h["period"].min()  # once: a reduction over every history line
    span = [p for p in periods_before(period, months) if p >= first]
    wide = h.pivot_table(index="sku", columns="period", values="demand_qty", aggfunc="sum")
    wide = wide.reindex(index=skus, columns=span)
    qty = wide.to_numpy(dtype=np.float64)
    started = np.cumsum(~np.isnan(qty), axis=1) > 0
    qty = np.where(started, np.nan_to_num(qty), np.nan)
    days = np.array([period_last_day(p).day for p in span], dtype=np.float64)
    return qty / days[None, :]


def _trending(y: FloatArray) -> NDArray[np.bool_]:
    """Rows of a dense block (≥ TREND_MONTHS columns) whose OLS slope has |t| ≥ TREND_T."""
    t_len = y.shape[1]
    x = np.arange(t_len, dtype=np.float64) - (t_len - 1) / 2
    sxx = float((x * x).sum())
    slope = (y * x[None, :]).sum(axis=1) / sxx
    resid = y - y.mean(axis=1, keepdims=True) - slope[:, None] * x[None, :]
    se = np.sqrt((resid * resid).sum(axis=1) / max(t_len - 2, 1) / sxx)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, np.abs(slope) / se, np.where(slope != 0, np.inf, 0.0))
    return np.asarray(t >= TREND_T)


class _Fit:
    """One method fitted to a dense block: forecasts of any prefix with the fitted parameters."""

    def __init__(self, method: str, y: FloatArray) -> None:
        self.method = method
        n = y.shape[0]
        self.l0 = y[:, 0].copy()
        if method == "holt":
            self.b0 = y[:, 1] - y[:, 0]
            self.l0 = y[:, 0] - self.b0
            nan = np.full(n, np.nan)
            self.alpha, self.beta = _fit_holt(y, nan, nan, self.l0, self.b0)
        elif method == "ses":
            self.alpha = _fit_ses_alpha(y, self.l0)
        else:
            self.alpha = np.full(n, SBA_ALPHA)

    def predict(self, y: FloatArray) -> FloatArray:
        """One-step forecast after the prefix ``y`` (its first columns)."""
        if self.method == "holt":
            level, trend, _ = _holt_run(y, self.alpha, self.beta, self.l0, self.b0)
            return np.asarray(level + trend)
        if self.method == "ses":
            return _ses_run(y, self.alpha, self.l0)[0]
        return _croston_run(y, self.alpha) * (1 - self.alpha / 2)

    def errors_rms(self, y: FloatArray, factor: FloatArray) -> tuple[FloatArray, int]:
        """Root mean square of the rolling-origin one-step errors of ``y`` (the block the fit was made on,
        deseasonalised by ``factor`` (n, T)), and how many errors there were."""
        origins = range(FIRST_ORIGIN, y.shape[1])
        sq = np.zeros(y.shape[0])
        for t in origins:
            sq += ((y[:, t] - self.predict(y[:, :t])) * factor[:, t]) ** 2
        count = len(origins)
        return np.sqrt(sq / max(count, 1)), count


class _Block(NamedTuple):
    """What one dense block's forecast gives per row (rate deseasonalised; season.factor puts it back)."""

    rate: FloatArray
    error_sd: FloatArray  # NaN without rolling-origin errors
    errors: int  # how many rolling-origin errors each row's error_sd is made of
    alpha: FloatArray
    method: NDArray[np.object_]
    season: Season


def _forecast_block(y: FloatArray, cls: NDArray[np.object_]) -> _Block:
    """Forecast rate for the month after the block, error sd, smoothing weight, method and season per row."""
    n = y.shape[0]
    rate, err, alpha = np.zeros(n), np.full(n, np.nan), np.full(n, SBA_ALPHA)
    count = max(y.shape[1] - FIRST_ORIGIN, 0)
    method = np.full(n, "ses", dtype=object)
    sparse = (cls == "intermittent") | (cls == "lumpy")
    trending = _trending(y) if y.shape[1] >= TREND_MONTHS else np.zeros(n, dtype=bool)
    method[~sparse & trending] = "holt"
    method[sparse] = "sba"
    season = fit_season(y, trending & ~sparse)
    season = Season(season.found & ~sparse, np.where(sparse, 0.0, season.cos), np.where(sparse, 0.0, season.sin))
    factor = season.factor(positions(y.shape[1]))
    for m in ("ses", "holt", "sba"):
        rows = np.flatnonzero(method == m)
        if not len(rows) or (m == "holt" and y.shape[1] < 2):
            continue
        deseasoned = y[rows] / factor[rows]
        fit = _Fit(m, deseasoned)
        rate[rows] = fit.predict(deseasoned)
        rms, count = fit.errors_rms(deseasoned, factor[rows])
        if count >= 1:
            err[rows] = rms
        alpha[rows] = fit.alpha
    method[season.found] = method[season.found] + "_season"
    return _Block(np.clip(rate, 0.0, None), err, count, alpha, method, season)


def _ahead_factor(season: Season, s: DemandSeries) -> FloatArray:
    """The seasonal factor of the days ahead: the higher of the factors at the as-of date and one average month
    later (a month's factor s(p) is its mean, taken at its middle), so a rising or falling season is covered
    until the next plan."""
    start = min(s.elapsed / s.days_in_month, 1.0) - 0.5
    peak = np.maximum(season.factor(start), season.factor(start + s.days_per_month / s.days_in_month))
    return np.where(season.found, peak, 1.0)  # exactly 1 without a season: those forecasts stay bit for bit


def _shrunk(err: FloatArray, errors: FloatArray, rate: FloatArray, cls: NDArray[np.object_], m: float) -> FloatArray:
    """Smooth and erratic SKUs selling a unit a month or more: the error variance shrunk toward the class's error
    model by the errors it rests on, e² ← (c·e² + K0·D·rate^b) ÷ (c + K0), c the SKU's rolling-origin errors
    (0: the model alone).

    The class model: b from an error-weighted regression of log e² on log rate, clipped to [1, 2] (from
    Poisson-like to proportional noise); D the median over the SKUs of e² ÷ rate^b, each divided by the median
    of χ²_c ÷ c (Wilson-Hilferty) so that few errors do not bias it low. A few months of history no longer make
    a few lucky months the whole story, and a new SKU gets its class's uncertainty rather than its days' spread.
    """
    out = err.copy()
    for c in SHRUNK:
        rows = (cls == c) & (rate >= 1 / m)
        fit = rows & (errors >= 1) & (err > 0)
        if fit.sum() < SHRINK_MIN_SKUS:
            continue
        w, lr, le = errors[fit], np.log(rate[fit]), np.log(err[fit] ** 2)
        xm, ym = np.average(lr, weights=w), np.average(le, weights=w)
        sxx = float(np.sum(w * (lr - xm) ** 2))
        b = float(np.clip(np.sum(w * (lr - xm) * (le - ym)) / sxx, 1.0, 2.0)) if sxx > 0 else 1.0
        chi_median = (1 - 2 / (9 * w)) ** 3
        d = float(np.median(err[fit] ** 2 / rate[fit] ** b / chi_median))
        e2 = np.nan_to_num(err[rows]) ** 2
        shrunk = np.sqrt((errors[rows] * e2 + SHRINK_K0 * d * rate[rows] ** b) / (errors[rows] + SHRINK_K0))
        out[rows] = np.fmax(err[rows], shrunk)  # a floor: an SKU's own wider errors are never narrowed
    return out


def _pooled_floor(err: FloatArray, rate: FloatArray, cls: NDArray[np.object_], m: float) -> FloatArray:
    """Intermittent and lumpy SKUs: the error sd at least what the median dispersion of their class gives.

    With a few demands a year, one SKU's error sd is a small sample of a skewed quantity, low more often than
    high; the dispersion (m·sd² ÷ rate: the mean size of a demand, for sparse demand) is pooled over the class.
    """
    out = err.copy()
    for c in ("intermittent", "lumpy"):
        rows = (cls == c) & (rate > 0)
        if rows.sum() < 2:
            continue
        pooled = float(np.mean(m * err[rows] ** 2 / rate[rows]))
        out[rows] = np.maximum(err[rows], np.sqrt(pooled * rate[rows] / m))
    return out


def forecast_demand(s: DemandSeries) -> DemandForecast:
    """Class, method, daily demand and its error sd per SKU (see the module docstring)."""
    n, t_len = s.rates.shape
    w = min(s.elapsed / s.days_in_month, 1.0)
    mtd_rate = np.clip(s.mtd_qty, 0.0, None) / s.elapsed
    series = np.column_stack([s.rates, mtd_rate]) if w >= 0.5 else s.rates
    adi, cv2, cls = syntetos_boylan(series if series.shape[1] else mtd_rate[:, None])
    cls = np.where((cls == "none") & (mtd_rate > 0), "smooth", cls).astype(object)
    rate, err, errors = mtd_rate.copy(), np.full(n, np.nan), np.zeros(n)
    alpha, now, ahead = np.ones(n), np.ones(n), np.ones(n)
    method = np.full(n, "month", dtype=object)
    counts = (~np.isnan(s.rates)).sum(axis=1) if t_len else np.zeros(n, dtype=np.int64)
    for k in np.unique(counts[counts > 0]):
        rows = np.flatnonzero(counts == k)
        b = _forecast_block(s.rates[rows, t_len - k :], cls[rows])
        rate[rows], err[rows], alpha[rows], method[rows] = b.rate, b.error_sd, np.maximum(b.alpha, MIN_ALPHA), b.method
        errors[rows] = b.errors
        now[rows], ahead[rows] = b.season.factor(0.0), _ahead_factor(b.season, s)
    # the level is deseasonalised: this month's rate joins it divided by this month's factor (1 without a season)
    rate = np.clip(rate + alpha * w * (mtd_rate / now - rate), 0.0, None) * ahead
    shrunk_from = err
    err = _shrunk(err, errors, rate, cls, s.days_per_month)
    fallback = s.mtd_sd * np.sqrt(1 / s.elapsed + 1 / s.days_per_month)
    err = np.where(np.isnan(err) | (errors < 2) & (err == shrunk_from), fallback, err)
    err = _pooled_floor(err, rate, cls, s.days_per_month)
    method[cls == "none"] = None
    mean_rate = _mean_rate(series, rate)
    return DemandForecast(
        daily=rate, error_sd=err, mean_rate=mean_rate, adi=adi, cv2=cv2, demand_class=cls, method=method
    )


def _mean_rate(series: FloatArray, rate: FloatArray) -> FloatArray:
    """Each SKU's mean daily rate over its months (NaN months skipped); the forecast where it has none."""
    if not series.shape[1]:
        return rate.copy()
    with np.errstate(invalid="ignore"):
        known = (~np.isnan(series)).sum(axis=1)
        total = np.nansum(series, axis=1)
        return np.where(known > 0, total / np.maximum(known, 1), rate)
