"""Inventory math: EOQ family, safety stock, ABC/XYZ, turnover, demand forecasts.

Pure numpy and the standard library (no scipy: xlwings Lite downloads what we import), no xlwings and no
I/O, so the sync engine and the Excel adapter (``jxc_xl.udfs``) share one implementation.
``jxc_xl.core.invmath`` is the public import path; the modules behind it each do one job:

* ``arguments``: conversion of cells to float arrays and the argument checks;
* ``lot_sizing``: the EOQ family (plain, backorders, quantity discounts);
* ``stock``: safety stock and reorder point;
* ``classify``: ABC, XYZ and the coefficient of variation;
* ``intermittent``: the Syntetos-Boylan demand class and the gamma reorder point of sparse demand;
* ``ratios``: turnover and days of inventory;
* ``smoothing`` and ``forecasting``: the forecast kernels and ``forecast`` itself.

Conventions shared by every function here:

* Every numeric argument may be a scalar or an array; arguments broadcast with numpy
  rules and the result has the broadcast shape. A scalar in gives a Python ``float``
  (or ``str`` for class labels) out.
* NaN (and ``None`` / blank strings in object arrays) means "empty": those positions
  give NaN (``None`` for labels) and never fail the whole call.
* Invalid input raises :class:`InvalidArgument`, whose message names the argument, the
  allowed range, the offending value and its position, e.g.
  ``annual_demand must be ≥ 0 (got -5 at row 3)``.
* Units: demand and costs per year for the EOQ family, per day for safety stock and
  reorder point (any consistent time unit works, as long as all arguments share it).
"""

from __future__ import annotations

from jxc_xl.core.invmath.arguments import (
    EXCEL_ERRORS,
    FloatArray,
    FloatResult,
    InvalidArgument,
    LabelResult,
    as_float_array,
    broadcast_shape,
)
from jxc_xl.core.invmath.classify import THRESHOLD_RTOL, abc, coefficient_of_variation, xyz
from jxc_xl.core.invmath.forecasting import FORECAST_METHODS, forecast
from jxc_xl.core.invmath.forecasting import _forecast_dense as _forecast_dense
from jxc_xl.core.invmath.intermittent import DEMAND_CLASS_KEYS, demand_class, reorder_point_intermittent
from jxc_xl.core.invmath.lot_sizing import (
    BackorderEOQ,
    DiscountEOQ,
    eoq,
    eoq_backorder,
    eoq_backorder_details,
    eoq_cost,
    eoq_discount,
    eoq_discount_details,
)
from jxc_xl.core.invmath.ratios import days_of_inventory, turnover
from jxc_xl.core.invmath.smoothing import _fit_ses_alpha as _fit_ses_alpha
from jxc_xl.core.invmath.stock import normal_loss_inverse, reorder_point, safety_stock

__all__ = [
    "DEMAND_CLASS_KEYS",
    "EXCEL_ERRORS",
    "FORECAST_METHODS",
    "THRESHOLD_RTOL",
    "BackorderEOQ",
    "DiscountEOQ",
    "FloatArray",
    "FloatResult",
    "InvalidArgument",
    "LabelResult",
    "abc",
    "as_float_array",
    "broadcast_shape",
    "coefficient_of_variation",
    "days_of_inventory",
    "demand_class",
    "eoq",
    "eoq_backorder",
    "eoq_backorder_details",
    "eoq_cost",
    "eoq_discount",
    "eoq_discount_details",
    "forecast",
    "normal_loss_inverse",
    "reorder_point",
    "reorder_point_intermittent",
    "safety_stock",
    "turnover",
    "xyz",
]
