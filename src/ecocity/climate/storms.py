"""Design storms: the Chicago hyetograph (Keifer & Chu 1957) on a storm-intensity formula.

References
----------
.. [1] Keifer, C. J. and Chu, H. H. (1957). Synthetic storm pattern for drainage design.
   Journal of the Hydraulics Division, ASCE, 83(HY4), 1332.1–1332.25.
.. [2] Autodesk InfoDrainage user guide, "Chinese Rainfall": peak ratio r = 0.355 for Beijing
   (57 storms), 0.3–0.4 for most Chinese cities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecocity.climate.idf import IdfParameters, depth_mm
from ecocity.errors import InputError

BEIJING_PEAK_RATIO = 0.355
"""Chicago peak position r for Beijing (57 storms) [2]_. [-]"""


def chicago_storm(
    params: IdfParameters,
    return_period_yr: float,
    duration_min: float,
    step_min: float,
    peak_ratio: float = BEIJING_PEAK_RATIO,
) -> pd.DataFrame:
    """Chicago design storm as depths per step.

    Parameters
    ----------
    params
        Storm-intensity formula.
    return_period_yr
        Return period P. [yr]
    duration_min
        Storm duration T; a whole multiple of ``step_min``. [min]
    step_min
        Time step Δ. [min]
    peak_ratio
        r: share of the storm before the peak, in (0, 1). [-]

    Returns
    -------
    pandas.DataFrame
        ``time_min``: start of each step, from 0 [min]; ``depth_mm``: depth fallen in that step
        [mm]. Start-of-step times follow the convention of :func:`~ecocity.climate.read_rainfall`.

    Raises
    ------
    InputError
        For a step that is not positive or does not divide the duration, a peak ratio outside
        (0, 1), or P or T the formula rejects.

    Notes
    -----
    The defining property of the Chicago storm [1]_ is that, for every duration D, the most
    intense D-long window holds the formula's depth H(D) = q(P, D) · 0.006 · D, and that window
    lies r·D before and (1 − r)·D after the peak. Discretely, with m = T/Δ steps and
    H_k = H(kΔ), the window of k steps starts at step s_k = ⌊r(m − k) + ½⌋; windows are nested
    and each adds one step, which receives H_k − H_{k−1}. H is concave for 0 < n < 1 and b ≥ 0,
    so these increments fall with k: the k-step window holds the k largest steps and its depth
    H_k is the largest of any k-step window, exactly. The peak is step s_1 = ⌊r(m − 1) + ½⌋.
    """
    if not step_min > 0:
        raise InputError(f"step must be positive, got {step_min} min", field="step_min")
    if not duration_min > 0:
        raise InputError(f"duration must be positive, got {duration_min} min", field="duration_min")
    steps = duration_min / step_min
    m = int(round(steps))
    if m < 1 or abs(steps - m) > 1e-9 * max(1.0, steps):
        raise InputError(
            f"step {step_min:g} min does not divide the duration {duration_min:g} min", field="step_min"
        )
    if not 0.0 < peak_ratio < 1.0:
        raise InputError(f"peak ratio must be in (0, 1), got {peak_ratio}", field="peak_ratio")

    k = np.arange(1, m + 1)
    cumulative = depth_mm(params, return_period_yr, k * step_min)
    increments = np.diff(np.concatenate(([0.0], np.atleast_1d(cumulative))))
    window_start = np.floor(peak_ratio * (m - k) + 0.5).astype(int)
    # Step k extends the window to the left when its start moved, otherwise to the right.
    moved_left = np.diff(window_start, prepend=window_start[0]) < 0
    position = np.where(moved_left, window_start, window_start + k - 1)
    depth = np.empty(m)
    depth[position] = increments
    return pd.DataFrame({"time_min": np.arange(m) * step_min, "depth_mm": depth})
