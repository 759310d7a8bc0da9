"""Anomaly flags that need only daily data: a lost set-back, a constant winter load on electric heating.

Both are pure functions of a daily (or finer, summed to days) usage series and an outdoor
temperature series, returning :class:`~ecocity.buildings.anomalies.Flag` lists like the detectors
of :mod:`ecocity.buildings.anomalies`, whose :func:`~ecocity.buildings.anomalies.all_flags` runs
them. Thresholds and their rationale: ``[setback]`` and ``[constant_cooling_heated]`` of
``data/anomaly_thresholds.toml``.

* :func:`lost_setback` (kind ``night_weekend``): a daily heat or gas meter has no hours, so the
  night/weekend share cannot be computed; but a building that sets its heating back when it is
  closed uses less on a closed day than on a working day at the same outdoor temperature. A
  set-back that is lost shows as that difference shrinking from some date on (a structural change
  of the closed-day effect, found by a sup-F scan over the break date), or as no difference at all
  over the whole record.
* :func:`constant_cooling_heated` (kind ``wrong_season``): in an electrically heated building a
  chiller left on in winter is hidden in the heating response; it shows as a step, a constant
  extra use on cold days that the heating line (use rising linearly below a balance point) does not
  explain. Its size is then fitted on the days (working or closed) and between the dates it ran.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ecocity.buildings.anomalies import Flag, _daily_mean, _series, _th, cold_seasons, parse_occupancy, to_daily
from ecocity.buildings.calendars import Calendar

_HEATING_BALANCE_C = np.arange(10.0, 18.5, 1.0)      # as changepoints.weather_residuals
_COOLING_BALANCE_C = np.arange(16.0, 26.5, 2.0)


def _daily_frame(usage: pd.Series, temperature_c: pd.Series) -> pd.DataFrame:
    u = to_daily(usage)
    t = _daily_mean(_series(temperature_c, "temperature_c"))
    return pd.DataFrame({"u": u, "t": t}).dropna()


def _open_day_model(u: np.ndarray, t: np.ndarray) -> tuple[float, float, float, float, float]:
    """Least-squares ``U = a + b·HDD(τ_h) [+ c·CDD(τ_c)]`` over open days, b ≥ 0 and c > 0.

    Returns ``(a, b, τ_h, c, τ_c)`` (c = 0 without a cooling term); balance points by grid search,
    the least squared error among the candidates with positive slopes (CalTRACK 2.0 3.4.3.2).
    """
    best = (math.inf, float(np.mean(u)), 0.0, 15.0, 0.0, 30.0)
    n = len(u)
    cdd = np.maximum(t[:, None] - _COOLING_BALANCE_C[None, :], 0.0)          # n × C
    uu, su, scc, suc, sc = float(u @ u), float(u.sum()), np.einsum("ic,ic->c", cdd, cdd), u @ cdd, cdd.sum(axis=0)
    for th_c in _HEATING_BALANCE_C:
        h = np.maximum(th_c - t, 0.0)
        x = np.column_stack([np.ones_like(t), h])
        coef, *_ = np.linalg.lstsq(x, u, rcond=None)
        if coef[1] >= 0:
            sse = float(np.sum((u - x @ coef) ** 2))
            if sse < best[0]:
                best = (sse, float(coef[0]), float(coef[1]), float(th_c), 0.0, 30.0)
        # the cooling candidates of this τ_h at once, from their 3 × 3 normal equations
        sh = float(h.sum())
        xtx = np.empty((len(_COOLING_BALANCE_C), 3, 3))
        xtx[:, 0, 0], xtx[:, 0, 1], xtx[:, 1, 1], xtx[:, 1, 0] = n, sh, float(h @ h), sh
        xtx[:, 0, 2] = xtx[:, 2, 0] = sc
        xtx[:, 1, 2] = xtx[:, 2, 1] = h @ cdd
        xtx[:, 2, 2] = scc
        xty = np.column_stack([np.full(len(sc), su), np.full(len(sc), float(h @ u)), suc])
        coefs = np.einsum("sij,sj->si", np.linalg.pinv(xtx), xty)
        sses = uu - 2.0 * np.einsum("si,si->s", coefs, xty) + np.einsum("si,sij,sj->s", coefs, xtx, coefs)
        sses = np.where((coefs[:, 1] >= 0) & (coefs[:, 2] > 0), np.maximum(sses, 0.0), np.inf)
        k = int(np.argmin(sses))
        if sses[k] < best[0]:
            best = (float(sses[k]), float(coefs[k, 0]), float(coefs[k, 1]), float(th_c), float(coefs[k, 2]),
                    float(_COOLING_BALANCE_C[k]))
    return best[1], best[2], best[3], best[4], best[5]


def _weekly_contrasts(df: pd.DataFrame, open_day: np.ndarray) -> pd.DataFrame:
    """Per week: closed-day minus open-day mean residual of the open-day model, and its weight.

    Columns ``contrast`` [kWh/d], ``hdd`` (mean HDD of the closed days) [K·d/d], ``level`` (mean
    predicted open-day use) [kWh/d], ``weight`` = 1/(level²·(1/n_closed + 1/n_open)): the daily
    noise of a meter grows with its use, and a week's contrast averages n days on each side.
    """
    a, b, th_c, c, tc_c = _open_day_model(df["u"].to_numpy()[open_day], df["t"].to_numpy()[open_day])
    t = df["t"].to_numpy()
    hdd = np.maximum(th_c - t, 0.0)
    predicted = a + b * hdd + c * np.maximum(t - tc_c, 0.0)
    floor = 0.01 * max(float(np.mean(df["u"])), 1e-9)
    r, p = df["u"].to_numpy() - predicted, np.maximum(predicted, floor)
    naive = df.index.tz_localize(None) if df.index.tz is not None else df.index
    # ISO weeks, Monday to Sunday (pandas' period "W"): one bin per (week, open/closed day)
    day = naive.normalize().to_numpy().astype("datetime64[D]").astype(np.int64)
    week = (day + 3) // 7                               # 1970-01-01 was a Thursday: Monday-based weeks
    weeks, at = np.unique(week, return_inverse=True)
    slot = 2 * at + open_day.astype(np.int64)
    size = 2 * len(weeks)
    n = np.bincount(slot, minlength=size).reshape(-1, 2).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = {name: np.bincount(slot, weights=v, minlength=size).reshape(-1, 2) / n
                for name, v in (("r", r), ("hdd", hdd), ("p", p))}
    keep = (n[:, 0] > 0) & (n[:, 1] > 0)
    if not keep.any():
        return pd.DataFrame(columns=["contrast", "hdd", "level", "weight", "start"])
    n_closed, n_open = n[keep, 0], n[keep, 1]
    level = mean["p"][keep, 1]
    start = pd.DatetimeIndex((weeks[keep] * 7 - 3).astype("datetime64[D]")).as_unit("ns")
    return pd.DataFrame({"contrast": mean["r"][keep, 0] - mean["r"][keep, 1], "hdd": mean["hdd"][keep, 0],
                         "level": level, "weight": 1.0 / (level**2 * (1.0 / n_closed + 1.0 / n_open)),
                         "start": start})


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    sw = np.sqrt(w)
    xw = x * sw[:, None]
    coef, *_ = np.linalg.lstsq(xw, y * sw, rcond=None)
    r = (y - x @ coef) * sw
    return coef, float(r @ r), xw


def setback_break(weeks: pd.DataFrame, min_segment_weeks: int) -> dict[str, float] | None:
    """The most likely date of a change of the closed-day effect, by a sup-F scan.

    Model of the weekly contrast d (closed minus open day, kWh/d) on the closed days' mean HDD x:
    d = α + β·x before week k and d = (α + α') + (β + β')·x from week k on, weighted least
    squares (weights of :func:`_weekly_contrasts`). For every k leaving ``min_segment_weeks`` on
    either side, F_k = [(SSE_0 − SSE_k)/2] / [SSE_k/(n − 4)] tests α' = β' = 0; the largest F_k
    (Andrews 1993's sup-F for a break at an unknown date) and its k are returned with the
    effects before and after at the mean closed-day HDD x̄ [kWh/d] and the mean open-day use
    [kWh/d]; None when there are fewer than 2·``min_segment_weeks`` weeks.

    References
    ----------
    Andrews, D. W. K. (1993). Tests for parameter instability and structural change with unknown
    change point. Econometrica 61(4), 821–856.
    """
    n = len(weeks)
    if n < 2 * min_segment_weeks or n < 8:
        return None
    d, x, w = (weeks[c].to_numpy(float) for c in ("contrast", "hdd", "weight"))
    x0 = np.column_stack([np.ones(n), x])
    _, sse0, _ = _wls(x0, d, w)
    # every break week k at once: the 4 × 4 weighted normal equations from suffix sums
    ks = np.arange(min_segment_weeks, n - min_segment_weeks + 1)
    tails = {name: np.cumsum(v[::-1])[::-1][ks] for name, v in
             (("w", w), ("wx", w * x), ("wxx", w * x * x), ("wd", w * d), ("wxd", w * x * d))}
    tw, twx, twxx = float(w.sum()), float((w * x).sum()), float((w * x * x).sum())
    sw, swx, swxx = tails["w"], tails["wx"], tails["wxx"]
    a = np.empty((len(ks), 4, 4))                      # columns 1, x, s, s·x (s = 1 from week k; s² = s)
    for (i, j), v in {(0, 0): tw, (0, 1): twx, (0, 2): sw, (0, 3): swx, (1, 1): twxx, (1, 2): swx,
                      (1, 3): swxx, (2, 2): sw, (2, 3): swx, (3, 3): swxx}.items():
        a[:, i, j] = a[:, j, i] = v
    b = np.column_stack([np.full(len(ks), float((w * d).sum())), np.full(len(ks), float((w * x * d).sum())),
                         tails["wd"], tails["wxd"]])
    coefs = np.einsum("kij,kj->ki", np.linalg.pinv(a), b)
    sse1 = float((w * d * d).sum()) - 2.0 * np.einsum("ki,ki->k", coefs, b) + np.einsum("ki,kij,kj->k", coefs, a, coefs)
    sse1 = np.maximum(sse1, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(sse1 > 0, ((sse0 - sse1) / 2.0) / (sse1 / (n - 4)), np.inf)
    j = int(np.argmax(f))                                 # the first of equal maxima, as a loop over k
    best_f, best_k, best_coef = float(f[j]), int(ks[j]), coefs[j]
    x_mean = float(np.mean(x))
    before = float(best_coef[0] + best_coef[1] * x_mean)
    after = before + float(best_coef[2] + best_coef[3] * x_mean)
    return {"f_statistic": float(best_f), "k": float(best_k), "effect_before_kwh_per_d": before,
            "effect_after_kwh_per_d": after, "open_level_kwh_per_d": float(np.mean(weeks["level"])),
            "closed_hdd": x_mean}


def _closed_days(df: pd.DataFrame, weekdays: list[int], calendar: Calendar | None) -> np.ndarray:
    if calendar is not None:
        return ~calendar.occupied(df.index, weekdays)
    return ~np.isin(df.index.day_of_week, weekdays)


def lost_setback(usage_daily: pd.Series, temperature_c: pd.Series, *, occupancy: str | None = None,
                 calendar: Calendar | None = None, overrides: Mapping[str, Any] | None = None) -> list[Flag]:
    """A night/weekend set-back lost, from daily heat (or gas) use and outdoor temperature.

    Parameters
    ----------
    usage_daily
        Daily use (finer data is summed to days). [kWh/d]
    temperature_c
        Outdoor temperature, hourly or daily mean. [°C]
    occupancy
        Schedule text of :func:`~ecocity.buildings.anomalies.parse_occupancy` (``"Mon-Fri 08-18"``);
        its weekdays are the working days (default ``[setback] occupied_weekdays``). A schedule
        open every day (hospital, mall) has no closed days: no check.
    calendar
        Public holidays (closed), make-up working days (open) and breaks (closed).
    overrides
        Thresholds replacing those of ``[setback]``.

    Returns
    -------
    list of Flag
        Kind ``night_weekend``: at most one, either the change (from the week the closed-day
        saving shrank) or, without a change, a closed-day saving near zero over the whole record.

    Notes
    -----
    Open days fit U = a + b·HDD(τ_h) [+ c·CDD(τ_c)] (grid search, positive slopes). Each week
    gives the contrast d = mean residual of its closed days − that of its open days [kWh/d]
    (pairing within the week removes level shifts and slow drifts) with the closed days' mean
    HDD x. :func:`setback_break` finds the best break. The closed-day saving is S = −d(x̄)/Ū, the
    share of an open day's use Ū saved on a closed day at the same temperature. Flagged when
    sup-F ≥ ``f_statistic``, the saving fell (S_before > 0, S_before − S_after ≥
    ``min_change_percent`` and at least ``min_lost_fraction`` of S_before lost). Without a break,
    flagged (``info``) when the 90 % upper bound of S over the whole record is below
    ``no_setback_percent``. A set-back of ΔT kelvin over a day saves about 2–4 %/K of that day's
    heating (U.S. DOE rule of thumb, as quoted by energyexperts.org; the intermittent-heating
    method of ISO 13790 / EN ISO 52016 was not read): 2 % is the loss of about 1 K on a closed day.
    """
    th = _th("setback", overrides)
    weekdays = parse_occupancy(occupancy)["occupied_weekdays"] if occupancy else list(th["occupied_weekdays"])
    if len(set(weekdays)) >= 7:
        return []
    df = _daily_frame(usage_daily, temperature_c)
    if len(df) < 14 * int(th["min_segment_weeks"]):
        return []
    closed = _closed_days(df, weekdays, calendar)
    if closed.sum() < th["min_segment_weeks"] or (~closed).sum() < th["min_segment_weeks"]:
        return []
    weeks = _weekly_contrasts(df, ~closed)
    found = setback_break(weeks, int(th["min_segment_weeks"]))
    if found is None:
        return []
    level = found["open_level_kwh_per_d"]
    if level <= 0:
        return []
    saving_before = -100.0 * found["effect_before_kwh_per_d"] / level
    saving_after = -100.0 * found["effect_after_kwh_per_d"] / level
    change = saving_before - saving_after
    if (found["f_statistic"] >= th["f_statistic"] and saving_before > 0 and change >= th["min_change_percent"]
            and change >= th["min_lost_fraction"] * saving_before):
        k = int(found["k"])
        start = pd.Timestamp(weeks["start"].iloc[k])
        extra = found["effect_after_kwh_per_d"] - found["effect_before_kwh_per_d"]
        sev = "alert" if change >= 2 * th["min_change_percent"] else "warning"
        return [Flag("night_weekend", sev, start, df.index[-1],
                     {"saving_before_percent": saving_before, "saving_after_percent": saving_after,
                      "change_percent": change, "extra_per_closed_day_kwh": extra,
                      "open_day_use_kwh_per_d": level, "f_statistic": found["f_statistic"],
                      "weeks_before": float(k), "weeks_after": float(len(weeks) - k),
                      "threshold_f": float(th["f_statistic"]), "threshold_percent": float(th["min_change_percent"])},
                     f"From the week of {start:%Y-%m-%d} the building's closed days (weekends and holidays) use "
                     f"almost as much as its working days at the same outdoor temperature: a closed day saved "
                     f"{saving_before:.1f} % of a working day's use before and {saving_after:.1f} % after, "
                     f"{extra:.0f} kWh more per closed day. The night and weekend set-back appears to be lost; "
                     "check the heating controller's time programme and set-back temperature.",
                     f"自 {start:%Y-%m-%d} 所在周起，在相同室外温度下，建筑非使用日（周末和节假日）的用能几乎与工作日相同："
                     f"此前非使用日比工作日节省 {saving_before:.1f} %，此后仅节省 {saving_after:.1f} %，"
                     f"每个非使用日多用约 {extra:.0f} kWh。夜间及周末降温运行可能已失效，请检查供热控制器的时间程序和降温设定。")]
    return _no_setback(weeks, level, th)


def _no_setback(weeks: pd.DataFrame, level: float, th: Mapping[str, Any]) -> list[Flag]:
    """The whole record's closed-day saving, flagged (info) when its 90 % upper bound is near zero."""
    d, x, w = (weeks[c].to_numpy(float) for c in ("contrast", "hdd", "weight"))
    n = len(d)
    x_mean = float(np.mean(x))
    design = np.column_stack([np.ones(n), x - x_mean])          # intercept = effect at x̄
    coef, sse, xw = _wls(design, d, w)
    cov = np.linalg.pinv(xw.T @ xw) * sse / max(n - 2, 1)
    saving = -100.0 * float(coef[0]) / level
    upper = saving + 1.645 * 100.0 * math.sqrt(max(float(cov[0, 0]), 0.0)) / level
    if upper >= th["no_setback_percent"]:
        return []
    start, end = pd.Timestamp(weeks["start"].iloc[0]), pd.Timestamp(weeks["start"].iloc[-1]) + pd.Timedelta(days=6)
    return [Flag("night_weekend", "info", start, end,
                 {"saving_percent": saving, "saving_upper_90_percent": upper, "open_day_use_kwh_per_d": level,
                  "weeks": float(n), "threshold_percent": float(th["no_setback_percent"])},
                 f"Over the whole record the building's closed days (weekends and holidays) use as much as its "
                 f"working days at the same outdoor temperature (saving {saving:.1f} %, at most {upper:.1f} % at "
                 "90 % confidence). A building closed at weekends should set its heating back then (a 3–5 K "
                 "set-back saves several per cent of a closed day's heat): check that the controller has a set-back "
                 "programme.",
                 f"在整个记录期内，相同室外温度下建筑非使用日（周末和节假日）的用能与工作日相当（节省 {saving:.1f} %，"
                 f"90 % 置信上限 {upper:.1f} %）。周末关闭的建筑应在非使用时段降温运行（降温 3–5 K 可节省非使用日相当比例的供热），"
                 "请检查控制器是否设置了降温程序。")]


# --- a constant winter load on top of electric heating -------------------------------------------

def _hinge_fit(r: np.ndarray, t: np.ndarray, steps_c: tuple[float, ...] | None, min_days: int):
    """Best ``r = a + b·max(τ_h − T, 0) [+ C·1(T < τ_s)]``, b ≥ 0, by grid search over τ_h (and τ_s).

    Returns ``(sse, coef, τ_h, τ_s, covariance)``; τ_s needs ``min_days`` days on either side.
    Every (τ_h, τ_s) is solved at once from its 2 × 2 (3 × 3) normal equations (pseudo-inverse:
    the least-squares solution also where a column is all zero); the first of equal minima wins,
    as in a loop over τ_h, then τ_s.
    """
    balance = _HEATING_BALANCE_C - 2.0                        # 8…16 °C
    n = len(r)
    h = np.maximum(balance[None, :] - t[:, None], 0.0)       # n × B
    sh, shh, shr = h.sum(axis=0), np.einsum("ib,ib->b", h, h), r @ h
    rr, sr = float(r @ r), float(r.sum())
    if steps_c is None:
        a = np.empty((len(balance), 2, 2))
        a[:, 0, 0], a[:, 0, 1], a[:, 1, 0], a[:, 1, 1] = n, sh, sh, shh
        b = np.column_stack([np.full(len(balance), sr), shr])
        valid = np.ones(len(balance), dtype=bool)
        levels = np.full(1, math.nan)
    else:
        levels = np.asarray(steps_c, dtype=float)
        below = (t[:, None] < levels[None, :]).astype(float)  # n × S
        nb = below.sum(axis=0)
        shb = h.T @ below                                     # B × S
        shape = (len(balance), len(levels))
        a = np.empty((*shape, 3, 3))
        a[..., 0, 0], a[..., 1, 1] = n, shh[:, None]
        a[..., 0, 1] = a[..., 1, 0] = sh[:, None]
        a[..., 0, 2] = a[..., 2, 0] = a[..., 2, 2] = nb[None, :]
        a[..., 1, 2] = a[..., 2, 1] = shb
        b = np.stack([np.full(shape, sr), np.broadcast_to(shr[:, None], shape), np.broadcast_to(r @ below, shape)],
                     axis=-1)
        a, b = a.reshape(-1, 3, 3), b.reshape(-1, 3)
        valid = np.broadcast_to((nb >= min_days) & (n - nb >= min_days), shape).reshape(-1)
    inverse = np.linalg.pinv(a)
    coef = np.einsum("kij,kj->ki", inverse, b)
    sse = rr - 2.0 * np.einsum("ki,ki->k", coef, b) + np.einsum("ki,kij,kj->k", coef, a, coef)
    sse = np.where(valid & (coef[:, 1] >= 0), np.maximum(sse, 0.0), np.inf)
    k = int(np.argmin(sse))
    if not math.isfinite(sse[k]):
        return (math.inf, None, math.nan, math.nan, None)
    i, j = divmod(k, len(levels))
    return (float(sse[k]), coef[k], float(balance[i]), float(levels[j]),
            inverse[k] * float(sse[k]) / max(n - a.shape[-1], 1))


def _window_sums(prefix: np.ndarray, i1: np.ndarray, i2: np.ndarray) -> np.ndarray:
    """Sums of a matrix over the square blocks ``[i1..i2] × [i1..i2]`` from its padded 2-D prefix sums."""
    return prefix[i2 + 1, i2 + 1] - prefix[i1, i2 + 1] - prefix[i2 + 1, i1] + prefix[i1, i1]


def _class_lines_sse(r: np.ndarray, t: np.ndarray, open_day: np.ndarray, min_days: int) -> np.ndarray:
    """SSE of ``r = a_k + b_k·max(τ_h − T, 0)`` per day class (open, closed), for each τ_h of 8…16 °C."""
    out = np.zeros(len(_HEATING_BALANCE_C))
    for mask in (open_day, ~open_day):
        if mask.sum() < min_days:
            continue
        for i, th_c in enumerate(_HEATING_BALANCE_C - 2.0):
            x = np.column_stack([np.ones(int(mask.sum())), np.maximum(th_c - t[mask], 0.0)])
            coef, *_ = np.linalg.lstsq(x, r[mask], rcond=None)
            res = r[mask] - x @ coef
            out[i] += float(res @ res)
    return out


def _step_estimate(r: np.ndarray, t: np.ndarray, open_day: np.ndarray, steps_c: tuple[float, ...],
                   min_days: int, other_sse: np.ndarray | None = None) -> dict[str, Any] | None:
    """The step's size where the load runs: per day class, over a window of dates, by profile least squares.

    Model, per day class k (open, closed; a class with fewer than ``min_days`` days is left out):
    ``r = a_k + b_k·max(τ_h − T, 0) + C_k·1(T < τ_s)·1(i₁ ≤ i ≤ i₂)`` with τ_h, τ_s and the window
    of days i₁…i₂ (in date order) shared. The SSE is profiled over τ_h (8…16 °C), τ_s
    (``steps_c``) and every window holding at least ``min_days`` days below τ_s; for each
    (τ_h, τ_s) the step columns are projected off the class lines once (Frisch–Waugh–Lovell) and
    all windows follow from 2-D prefix sums of their Gram matrix. Only windows with a positive
    step of the first class (a load added) count; candidates with a negative heating slope at their
    best window are skipped. ``other_sse`` (per τ_h of the grid, from :func:`_class_lines_sse` on
    the building's other cold seasons) is added to the SSE: the balance point is then shared with
    seasons the step does not touch.

    Returns
    -------
    dict or None
        ``tau_h``, ``tau_s`` [°C]; ``first``, ``last`` (positions in ``r`` of the window's first
        and last day below τ_s); per class present, ``"open"``/``"closed"`` → ``(a, b, C)`` in
        the units of ``r``. None when no candidate fits.
    """
    classes = [(name, mask) for name, mask in (("open", open_day), ("closed", ~open_day)) if mask.sum() >= min_days]
    if not classes:
        return None
    n = len(r)
    best: tuple[float, dict[str, Any]] = (math.inf, {})
    for i_th, th_c in enumerate(_HEATING_BALANCE_C - 2.0):   # 8…16 °C
        h = np.maximum(th_c - t, 0.0)
        shared = 0.0 if other_sse is None else float(other_sse[i_th])
        x0 = np.column_stack([c for _, m in classes for c in (m.astype(float), m * h)])
        q, _ = np.linalg.qr(x0)
        ry = r - q @ (q.T @ r)
        for ts_c in steps_c:
            below = np.flatnonzero(t < ts_c)
            m = len(below)
            if m < min_days or n - m < min_days:
                continue
            z = -(q @ q[below].T)                               # (I − QQ')·e_j for the days below τ_s
            z[below, np.arange(m)] += 1.0
            zy, gram = z.T @ ry, z.T @ z
            i1, i2 = np.triu_indices(m)
            long_enough = i2 - i1 + 1 >= min_days
            i1, i2 = i1[long_enough], i2[long_enough]
            sums, grams = [], {}
            for k, (_, mask) in enumerate(classes):
                ck = mask[below].astype(float)
                cum = np.concatenate([[0.0], np.cumsum(ck * zy)])
                sums.append(cum[i2 + 1] - cum[i1])
                for j in range(k + 1):
                    prefix = np.zeros((m + 1, m + 1))
                    prefix[1:, 1:] = (gram * np.outer(classes[j][1][below], ck)).cumsum(0).cumsum(1)
                    grams[j, k] = _window_sums(prefix, i1, i2)
            if len(classes) == 1:
                det = grams[0, 0]
                ok = (det > 1e-12) & (sums[0] > 0)             # a load added: the step is positive
                gain = np.where(ok, sums[0] ** 2 / np.where(ok, det, 1.0), -np.inf)
            else:
                g00, g01, g11 = grams[0, 0], grams[0, 1], grams[1, 1]
                det = g00 * g11 - g01**2
                ok = (det > 1e-12 * np.maximum(g00 * g11, 1e-300)) & (g11 * sums[0] - g01 * sums[1] > 0)
                gain = np.where(ok, (g11 * sums[0] ** 2 - 2 * g01 * sums[0] * sums[1] + g00 * sums[1] ** 2)
                                / np.where(ok, det, 1.0), -np.inf)
            j = int(np.argmax(gain))
            sse = float(ry @ ry) - float(gain[j]) + shared
            if not math.isfinite(sse) or sse >= best[0]:
                continue
            first, last = int(below[i1[j]]), int(below[i2[j]])
            step = ((t < ts_c) & (np.arange(n) >= first) & (np.arange(n) <= last)).astype(float)
            x = np.column_stack([c for _, mk in classes for c in (mk.astype(float), mk * h, mk * step)])
            coef, *_ = np.linalg.lstsq(x, r, rcond=None)
            if (coef[1::3] < 0).any():
                continue
            fit = {"tau_h": float(th_c), "tau_s": float(ts_c), "first": first, "last": last}
            fit.update({name: tuple(float(v) for v in coef[3 * k:3 * k + 3]) for k, (name, _) in enumerate(classes)})
            best = (sse, fit)
    return best[1] or None


def constant_cooling_heated(usage_daily: pd.Series, temperature_c: pd.Series, *, calendar: Calendar | None = None,
                            overrides: Mapping[str, Any] | None = None) -> list[Flag]:
    """A constant cold-weather load (a chiller left on) on top of electric heating.

    :func:`~ecocity.buildings.anomalies.constant_cooling` leaves electrically heated buildings
    out (their cold-day excess is heating); this check takes exactly those seasons.

    Parameters
    ----------
    usage_daily
        Daily use (hourly input is summed). [kWh/d]
    temperature_c
        Outdoor temperature, hourly or daily mean. [°C]
    calendar
        Optional: holidays, make-up working days and breaks are left out.
    overrides
        Thresholds replacing ``[constant_cooling_heated]`` (season and heating-test keys as
        ``[constant_cooling]``).

    Notes
    -----
    Per cold season (July–June) with a heating dependence by the test of ``constant_cooling``:
    r = use / the season's shoulder level of the weekday (median of the days at 10–16 °C), over
    the days with T ≤ ``shoulder_high_c`` (no cooling expected).

    *Detection*: two change-point models, both with a heating line below a balance point τ_h
    (8…16 °C, slope b ≥ 0): the heating-only r = a + b·max(τ_h − T, 0), and the same with a step
    C·1(T < τ_s) (τ_s on a grid ``step_low_c``…``step_high_c``). Electric heating (a heat pump's
    falling COP included) makes use grow smoothly as it gets colder; a plant switched on in cold
    weather and run at a constant load adds a step the heating line cannot give. Flagged when
    C ≥ ``min_excess_percent`` % of the shoulder level, its t ≥ ``t_statistic`` and the step
    model lowers the squared error by ≥ ``min_sse_reduction_percent`` %.

    *Size*: the detection step is diluted by the days it pools: closed days when the load runs on
    working days only, and cold days of the season before the load came on or after it went off;
    a step at the balance point itself is then partly taken for a higher balance point. The
    reported size comes from :func:`_step_estimate`: the open days (weekdays whose shoulder level
    is at least ``closed_day_ratio`` of the highest) and the closed days each get their own line
    and step, the step confined to a window of dates, all profiled by least squares (a
    change-point regression with a jump, Muggeo 2003, here on a grid as in Kissock, Haberl &
    Claridge 2003's inverse models, with an epidemic, i.e. start-and-end, change in time,
    Yao 1993). The closed days and the cold days outside the window identify the heating line
    the step cannot touch. ``excess_percent`` = C_open / a_open: the extra use of an open day as
    a share of its level without the load at the balance point.

    References
    ----------
    Kissock, J. K., Haberl, J. S., Claridge, D. E. (2003). Inverse modeling toolkit: numerical
    algorithms (ASHRAE RP-1050). ASHRAE Transactions 109(2), paper KC-03-02-1.
    Muggeo, V. M. R. (2003). Estimating regression models with unknown break-points. Statistics
    in Medicine 22(19), 3055–3071. doi:10.1002/sim.1545
    Yao, Q. (1993). Tests for change-points with epidemic alternatives. Biometrika 80(1), 179–191
    (the epidemic, changed-segment, alternative after Levin & Kline 1985).
    """
    th = _th("constant_cooling_heated", overrides)
    steps = tuple(float(s) for s in np.arange(th["step_low_c"], th["step_high_c"] + 0.5, 1.0))
    min_days = int(th["min_days"])
    seasons, found = [], []
    for season, sub, ref, _cold, _relative, (slope, tstat) in cold_seasons(usage_daily, temperature_c, th, calendar):
        by_weekday = np.full(7, np.nan)
        by_weekday[ref.index.to_numpy(int)] = ref.to_numpy(float)
        level = by_weekday[sub["weekday"].to_numpy(int)]
        keep = (sub["t"].to_numpy() <= th["shoulder_high_c"]) & (level > 0)     # NaN > 0 is False
        days = sub[keep]
        refs = pd.Series(level[keep], index=days.index)
        r, t = days["u"].to_numpy() / level[keep], days["t"].to_numpy()
        open_day = level[keep] >= th["closed_day_ratio"] * float(ref.max())
        seasons.append((season, days, refs, r, t, open_day))
        if not (tstat <= -th["t_statistic_heating"] and -100.0 * slope >= th["min_response_percent_per_c"]):
            continue                                   # not heated electrically: constant_cooling's case
        sse0, coef0, *_ = _hinge_fit(r, t, None, min_days)
        sse1, coef1, _th_c, _ts_c, cov = _hinge_fit(r, t, steps, min_days)
        if coef1 is None or coef0 is None or not math.isfinite(sse1):
            continue
        t_step = float(coef1[2]) / math.sqrt(cov[2, 2]) if cov[2, 2] > 0 else math.inf
        reduction = 100.0 * (sse0 - sse1) / sse0 if sse0 > 0 else 0.0
        detected = 100.0 * float(coef1[2])
        if (detected >= th["min_excess_percent"] and t_step >= th["t_statistic"]
                and reduction >= th["min_sse_reduction_percent"]):
            found.append((len(seasons) - 1, {"detection_step_percent": detected, "t_statistic": t_step,
                                             "sse_reduction_percent": reduction}))
    flags = []
    flagged = {i for i, _ in found}
    others = [_class_lines_sse(r, t, open_day, min_days) for j, (_, _, _, r, t, open_day) in enumerate(seasons)
              if j not in flagged] if found else []
    shared = np.sum(others, axis=0) if others else None     # the balance point of the seasons without a step
    for i, detection in found:
        season, days, refs, r, t, open_day = seasons[i]
        fit = _step_estimate(r, t, open_day, steps, min_days, shared)
        if fit is not None:
            flags.append(_heated_flag(season, days, refs, open_day, fit, th, detection))
    return flags


def _heated_flag(season: int, days: pd.DataFrame, refs: pd.Series, open_day: np.ndarray, fit: Mapping[str, Any],
                 th: Mapping[str, Any], detection: dict[str, float]) -> Flag:
    """The ``wrong_season`` flag of :func:`constant_cooling_heated` from its step estimate."""
    size = {}
    for name, mask in (("open", open_day), ("closed", ~open_day)):
        if name in fit:
            a, b, c = fit[name]
            level = float(refs[mask].mean())
            size[name] = (100.0 * c / a if a > 0 else math.nan, c * level, 100.0 * b / a if a > 0 else math.nan, level)
    main = "open" if "open" in size else "closed"
    excess, extra, heating, level = size[main]
    th_c, ts_c = fit["tau_h"], fit["tau_s"]
    first, last = days.index[fit["first"]], days.index[fit["last"]]
    window = days.iloc[fit["first"]:fit["last"] + 1]
    n_step = int((window["t"] < ts_c).sum())
    evidence = {"excess_percent": excess, "excess_kwh_per_d": extra,
                "shoulder_level_kwh_per_d": level,
                "step_below_c": ts_c, "heating_balance_c": th_c, "heating_slope_percent_per_c": heating,
                **detection, "days": float(len(days)), "step_days": float(n_step),
                "threshold_percent": float(th["min_excess_percent"])}
    closed_en = closed_zh = ""
    if main == "open" and "closed" in size:
        closed_percent, closed_kwh = size["closed"][:2]
        evidence["closed_day_excess_percent"], evidence["closed_day_excess_kwh_per_d"] = closed_percent, closed_kwh
        if closed_percent >= 0.5 * th["min_excess_percent"]:
            closed_en = f"; on closed days such as weekends {closed_percent:.0f} %, about {closed_kwh:.0f} kWh/d"
            closed_zh = f"；周末等非使用日多用 {closed_percent:.0f} %，约 {closed_kwh:.0f} kWh/d"
        else:
            closed_en, closed_zh = "; none on closed days such as weekends", "；周末等非使用日没有"
    days_en, days_zh = ("working days", "工作日") if main == "open" and "closed" in size else ("days", "日子")
    sev = "alert" if excess >= 2 * th["min_excess_percent"] else "warning"
    return Flag(
        "wrong_season", sev, first, last, evidence,
        f"In the cold season {season}/{season + 1} the building is heated electrically (use rises by about "
        f"{heating:.1f} % of its mild-day level for each degree below {th_c:g} °C), and on {days_en} below "
        f"{ts_c:g} °C from {first:%Y-%m-%d} to {last:%Y-%m-%d} it uses a further {excess:.0f} % (about "
        f"{extra:.0f} kWh/d{closed_en}) that does not grow as it gets colder, so it is not heating. A constant "
        "load switched on in cold weather points at cooling left on (chillers, cooling towers, fan-coils) or "
        "plant run all winter (pumps, trace heating): check the chiller plant's schedule and free cooling.",
        f"{season}/{season + 1} 年寒冷季节建筑采用电供暖（气温低于 {th_c:g} °C 后每降低 1 °C 用能约增加温和日水平的 "
        f"{heating:.1f} %）；此外 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 期间日均气温低于 {ts_c:g} °C 的{days_zh}"
        f"还多用 {excess:.0f} %（约 {extra:.0f} kWh/d{closed_zh}），且不随气温降低而增加，并非供暖。"
        "寒冷时开启并恒定运行的负荷，说明制冷设备可能未关闭（冷机、冷却塔、风机盘管）或有设备整个冬季持续运行"
        "（水泵、伴热），请检查冷站运行时间表和自然冷却。")
