"""The workbook contract as data: every table, column key, zh/en header, type, default and constraint.

This module is the single source of names for the template builder, the reader, the validator, sync
and the generated docs (``docs/workbook.md``). It imports no file format and no Excel library.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jxc_xl.core.findings import col_letter
from jxc_xl.core.periods import PERIOD_RE as PERIOD_RE  # re-exported: the contract names it
from jxc_xl.core.periods import is_period, period_first_day, period_last_day, year_month

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"  # the template's language: new workbooks, and messages about a file that is no workbook


class ColType(StrEnum):
    """How a column's cells are read, checked and formatted."""

    TEXT = "text"
    QTY = "qty"  # quantity: a number, decimals allowed (kg, m)
    MONEY = "money"  # a money amount, cents
    PRICE = "price"  # a unit price or unit cost, full precision
    NUMBER = "number"  # any other number (days, rates)
    DATE = "date"
    PERIOD = "period"  # YYYY-MM
    CHOICE = "choice"  # one of Column.choices (canonical value), zh or en label accepted


class Choice(BaseModel):
    """One allowed value of a choice column: its canonical key and its zh/en labels."""

    model_config = ConfigDict(frozen=True)
    key: str
    zh: str
    en: str

    def label(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


def choice_for(choices: tuple[Choice, ...], value: Any) -> Choice | None:
    """The choice whose key or label (either language) equals ``value``, ignoring case and spaces."""
    v = str(value).strip().casefold()
    for c in choices:
        if v in (c.key.casefold(), c.zh.casefold(), c.en.casefold()):
            return c
    return None


class Column(BaseModel):
    """One column of a table."""

    model_config = ConfigDict(frozen=True)
    key: str
    zh: str
    en: str
    type: ColType = ColType.TEXT
    required: bool = False
    default: Any = None
    ge: float | None = None  # value must be ≥ this (the contract's "numbers ≥ 0")
    gt: float | None = None  # value must be > this
    choices: tuple[Choice, ...] = ()
    width: float = 12  # Excel column width that fits the zh header and typical values
    doc_zh: str = ""
    doc_en: str = ""

    def header(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def choice_for(self, value: Any) -> Choice | None:
        return choice_for(self.choices, value)

    def choice_labels(self, lang: Lang) -> list[str]:
        return [c.label(lang) for c in self.choices]


class Table(BaseModel):
    """One Excel Table (ListObject) of the workbook, on its own sheet."""

    model_config = ConfigDict(frozen=True)
    name: str
    zh_sheet: str
    en_sheet: str
    filled_by: Literal["user", "close", "sync"]
    columns: tuple[Column, ...]
    doc_zh: str = ""
    doc_en: str = ""
    # An input table a real month may lack (no returns, no count, a first month without history): its absence
    # is a warning (optional-table-missing) and the month is computed as if it were empty.
    optional: bool = False
    # An optional table whose absence says nothing at all (one ``jxc close`` fills when it has something to carry).
    quiet: bool = False

    @property
    def generated(self) -> bool:
        return self.filled_by == "sync"

    def sheet(self, lang: Lang) -> str:
        return self.zh_sheet if lang == "zh" else self.en_sheet

    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def headers(self, lang: Lang) -> list[str]:
        return [c.header(lang) for c in self.columns]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.name} has no column {key!r}")

    def required_keys(self) -> list[str]:
        return [c.key for c in self.columns if c.required]

    def header_map(self) -> dict[str, str]:
        """Normalised header text (zh, en or key) → column key, for matching a header row."""
        out: dict[str, str] = {}
        for c in self.columns:
            for h in (c.key, c.zh, c.en):
                out[normalise_header(h)] = c.key
        return out


def normalise_header(text: Any) -> str:
    """Header cell text as compared: surrounding and repeated whitespace ignored, case folded."""
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


# ---------------------------------------------------------------------------------------------------
# Choices

VALUATION_CHOICES = (
    Choice(key="moving_average", zh="移动加权平均", en="moving_average"),
    Choice(key="monthly_average", zh="月末一次加权平均", en="monthly_average"),
    Choice(key="fifo", zh="先进先出", en="fifo"),
)
SERVICE_MEASURES = (  # what the plan's service_level targets (core.policy)
    Choice(key="cycle", zh="周期服务水平", en="cycle"),
    Choice(key="fill_rate", zh="满足率", en="fill_rate"),
)
RETURN_KINDS = (
    Choice(key="sales_return", zh="销售退货", en="sales_return"),
    Choice(key="purchase_return", zh="采购退货", en="purchase_return"),
)
YES_NO = (
    Choice(key="yes", zh="是", en="yes"),
    Choice(key="no", zh="否", en="no"),
)
PLAN_SCOPES = (  # what one line of the purchase plan covers (core.plan_warehouse)
    Choice(key="company", zh="公司", en="company"),
    Choice(key="warehouse", zh="仓库", en="warehouse"),
)
TAXPAYER_CHOICES = (  # VAT taxpayer type (core.vat): whether input VAT is part of the inventory cost
    Choice(key="general", zh="一般纳税人", en="general"),
    Choice(key="small_scale", zh="小规模纳税人", en="small_scale"),
)
# Issue 12.3: the reasons of an other movement (tblOther); the reason decides the direction.
OTHER_OUT_REASONS = (  # 其他出库: stock leaves at the current cost
    Choice(key="damage", zh="报损", en="Damage/loss"),
    Choice(key="internal_use", zh="领用", en="Internal use"),
    Choice(key="gift_out", zh="赠送", en="Gift given"),
    Choice(key="sample", zh="样品", en="Sample"),
    Choice(key="other_out", zh="其他出库", en="Other issue"),
)
OTHER_IN_REASONS = (  # 其他入库: stock comes in at the current cost
    Choice(key="gift_in", zh="受赠", en="Gift received"),
    Choice(key="other_in", zh="其他入库", en="Other receipt"),
)
OTHER_REASONS = OTHER_OUT_REASONS + OTHER_IN_REASONS

# ---------------------------------------------------------------------------------------------------
# Column helpers: the same column stands in several tables with the same headers


def _sku(required: bool = True) -> Column:
    return Column(
        key="sku",
        zh="商品编码",
        en="SKU",
        required=required,
        width=14,
        doc_zh="商品编码，须在“商品”表中登记",
        doc_en="Item code, listed in the Items table",
    )


def _date() -> Column:
    return Column(
        key="date",
        zh="日期",
        en="Date",
        type=ColType.DATE,
        required=True,
        width=12,
        doc_zh="业务日期，须在会计期间内",
        doc_en="Date of the transaction, inside the period",
    )


def _doc_no() -> Column:
    return Column(
        key="doc_no", zh="单号", en="Doc no", required=True, width=14, doc_zh="单据编号", doc_en="Document number"
    )


def _qty(key: str = "qty", zh: str = "数量", en: str = "Qty", required: bool = True) -> Column:
    return Column(
        key=key,
        zh=zh,
        en=en,
        type=ColType.QTY,
        required=required,
        gt=0,
        width=10,
        doc_zh="正数；方向由表决定",
        doc_en="Positive; the table gives the direction",
    )


def _price(key: str = "unit_price", zh: str = "单价", en: str = "Unit price", required: bool = True) -> Column:
    return Column(
        key=key,
        zh=zh,
        en=en,
        type=ColType.PRICE,
        required=required,
        ge=0,
        width=11,
        doc_zh="单价，≥ 0",
        doc_en="Unit price, ≥ 0",
    )


def _amount() -> Column:
    return Column(
        key="amount",
        zh="金额",
        en="Amount",
        type=ColType.MONEY,
        ge=0,
        width=13,
        doc_zh="空白时 = 数量 × 单价（四舍五入到分）",
        doc_en="Blank means qty × price rounded to the cent",
    )


def _note(key: str = "note", zh: str = "备注", en: str = "Note") -> Column:
    return Column(key=key, zh=zh, en=en, width=20)


def _vat() -> tuple[Column, ...]:
    """The optional VAT columns of purchases, sales and returns (core.vat)."""
    return (
        Column(
            key="tax_included",
            zh="含税",
            en="Incl. VAT",
            type=ColType.CHOICE,
            choices=YES_NO,
            width=7,
            doc_zh="是：单价和金额含税（价税合计）；空白或否：不含税，同增值税发票",
            doc_en="yes: unit price and amount include VAT; blank or no: they exclude it, as on a VAT invoice",
        ),
        Column(
            key="tax_rate",
            zh="税率",
            en="VAT rate",
            type=ColType.NUMBER,
            ge=0,
            width=8,
            doc_zh="如 13% 或 0.13；空白 = 参数中的默认税率（本行填了含税、税额或价税合计时）",
            doc_en="Such as 13% or 0.13; blank = the default rate setting (on a line with VAT filled in)",
        ),
        Column(
            key="tax",
            zh="税额",
            en="VAT",
            type=ColType.MONEY,
            ge=0,
            width=11,
            doc_zh="空白 = 按税率计算（四舍五入到分）",
            doc_en="Blank means computed from the rate, rounded to the cent",
        ),
        Column(
            key="total",
            zh="价税合计",
            en="Total incl. VAT",
            type=ColType.MONEY,
            ge=0,
            width=13,
            doc_zh="不含税金额 + 税额；填写时须相等（到分）",
            doc_en="Amount without VAT + VAT; when typed it must equal them to the cent",
        ),
    )


def _warehouse(key: str = "warehouse", zh: str = "仓库", en: str = "Warehouse", required: bool = False) -> Column:
    """The warehouse of a line (issue 12.2): optional on the entry tables, where blank = the default warehouse."""
    return Column(
        key=key,
        zh=zh,
        en=en,
        required=required,
        width=10,
        doc_zh="可选：仓库编码（“仓库”表中登记时须在其中）；空白 = 默认仓库（仓库表的第一行，无仓库表时为唯一的仓库）",
        doc_en="Optional: warehouse code (listed in Warehouses when that table exists); blank = the default "
        "warehouse (the first of Warehouses, else the only one)",
    )


def _g(key: str, zh: str, en: str, type: ColType = ColType.TEXT, width: float = 12) -> Column:
    """A generated column."""
    return Column(key=key, zh=zh, en=en, type=type, width=width)


def _gd(key: str, zh: str, en: str, type: ColType, doc_zh: str, doc_en: str) -> Column:
    """A generated column with its documentation."""
    return Column(key=key, zh=zh, en=en, type=type, width=12, doc_zh=doc_zh, doc_en=doc_en)


# ---------------------------------------------------------------------------------------------------
# Settings (tblSettings rows)


class SettingDef(BaseModel):
    """One row of tblSettings: its key, zh/en labels, type, default and allowed range."""

    model_config = ConfigDict(frozen=True)
    key: str
    zh: str
    en: str
    type: ColType
    default: Any
    required: bool = False
    ge: float | None = None
    gt: float | None = None
    lt: float | None = None
    le: float | None = None
    choices: tuple[Choice, ...] = ()
    doc_zh: str = ""
    doc_en: str = ""

    def label(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def choice_for(self, value: Any) -> Choice | None:
        return choice_for(self.choices, value)

    def allowed(self, lang: Lang) -> str:
        """The allowed values or range, for messages."""
        if self.choices:
            return " | ".join(c.label(lang) for c in self.choices)
        if self.type == ColType.PERIOD:
            return "YYYY-MM"
        lo = f"> {self.gt:g}" if self.gt is not None else (f"≥ {self.ge:g}" if self.ge is not None else "")
        hi = f"< {self.lt:g}" if self.lt is not None else (f"≤ {self.le:g}" if self.le is not None else "")
        return ", ".join(p for p in (lo, hi) if p) or ("text" if lang == "en" else "文本")


SETTINGS: tuple[SettingDef, ...] = (
    SettingDef(
        key="company",
        zh="公司",
        en="company",
        type=ColType.TEXT,
        default="",
        doc_zh="公司名称（一个工作簿 = 一个公司/仓库）",
        doc_en="Company (one workbook = one stock location)",
    ),
    SettingDef(
        key="period",
        zh="会计期间",
        en="period",
        type=ColType.PERIOD,
        default=None,
        required=True,
        doc_zh="本工作簿的会计月份，格式 YYYY-MM",
        doc_en="Accounting month of this workbook, YYYY-MM",
    ),
    SettingDef(
        key="valuation",
        zh="计价方法",
        en="valuation",
        type=ColType.CHOICE,
        default="moving_average",
        choices=VALUATION_CHOICES,
        doc_zh="发出存货计价方法",
        doc_en="Inventory valuation method",
    ),
    SettingDef(
        key="service_level",
        zh="服务水平",
        en="service_level",
        type=ColType.NUMBER,
        default=0.95,
        gt=0,
        lt=1,
        doc_zh="周期服务水平（不缺货概率），0 到 1 之间",
        doc_en="Cycle service level (probability of no stock-out), between 0 and 1",
    ),
    SettingDef(
        key="service_measure",
        zh="服务水平口径",
        en="service_measure",
        type=ColType.CHOICE,
        default="cycle",
        choices=SERVICE_MEASURES,
        doc_zh="服务水平指什么：周期服务水平（补货周期内不缺货的概率）或 满足率（由现货满足的需求比例）",
        doc_en="What service_level targets: cycle (probability of no stock-out in a replenishment cycle) or "
        "fill_rate (share of demand served from stock)",
    ),
    SettingDef(
        key="holding_rate",
        zh="年持有成本率",
        en="holding_rate",
        type=ColType.NUMBER,
        default=0.20,
        ge=0,
        doc_zh="每年持有成本占单位成本的比例",
        doc_en="Annual holding cost as a share of unit cost",
    ),
    SettingDef(
        key="order_cost",
        zh="默认订货成本",
        en="order_cost",
        type=ColType.MONEY,
        default=200,
        ge=0,
        doc_zh="每次订货的固定成本（元）",
        doc_en="Fixed cost per order",
    ),
    SettingDef(
        key="abc_a",
        zh="A类累计占比",
        en="abc_a",
        type=ColType.NUMBER,
        default=0.80,
        gt=0,
        le=1,
        doc_zh="A 类的累计金额占比上限",
        doc_en="Cumulative value share up to which items are A",
    ),
    SettingDef(
        key="abc_b",
        zh="B类累计占比",
        en="abc_b",
        type=ColType.NUMBER,
        default=0.95,
        gt=0,
        le=1,
        doc_zh="B 类的累计金额占比上限（≥ A 类）",
        doc_en="Cumulative value share up to which items are B",
    ),
    SettingDef(
        key="days_per_year",
        zh="年天数",
        en="days_per_year",
        type=ColType.NUMBER,
        default=365,
        gt=0,
        doc_zh="年需求 = 日均需求 × 年天数",
        doc_en="Annual demand = daily demand × days per year",
    ),
    SettingDef(
        key="horizon_days",
        zh="计划天数",
        en="horizon_days",
        type=ColType.NUMBER,
        default=30,
        ge=0,
        doc_zh="采购计划覆盖的天数",
        doc_en="Days the purchase plan looks ahead",
    ),
    SettingDef(
        key="slow_days",
        zh="呆滞天数",
        en="slow_days",
        type=ColType.NUMBER,
        default=90,
        gt=0,
        doc_zh="有库存且超过这么多天没有销售（需求历史 + 本月）即为呆滞",
        doc_en="Stock with no sale for more days than this (demand history + this month) is slow-moving",
    ),
    SettingDef(
        key="overstock_days",
        zh="超储天数",
        en="overstock_days",
        type=ColType.NUMBER,
        default=180,
        gt=0,
        doc_zh="库存 + 在途超过这么多天的预测需求即为超储",
        doc_en="On hand + on order above this many days of forecast demand is overstock",
    ),
    SettingDef(
        key="allow_negative",
        zh="允许负库存",
        en="allow_negative",
        type=ColType.CHOICE,
        default="no",
        choices=YES_NO,
        doc_zh="是否允许库存为负",
        doc_en="Whether stock may go below zero",
    ),
    SettingDef(
        key="as_of",
        zh="计划日期",
        en="as_of",
        type=ColType.DATE,
        default=None,
        doc_zh="采购计划按哪一天计算；留空 = 本月最后一笔单据的日期（无单据时为本月第一天）",
        doc_en="The day the purchase plan is computed for; blank = the last ledger date of the month (its first "
        "day when there are no lines)",
    ),
    SettingDef(
        key="max_cover_days",
        zh="最长覆盖天数",
        en="max_cover_days",
        type=ColType.NUMBER,
        default=90,
        gt=0,
        doc_zh="一次订货最多覆盖的天数（经济订货量以此为上限）",
        doc_en="Most days of demand one order may cover (caps the EOQ)",
    ),
    SettingDef(
        key="card_max_lines",
        zh="明细账最多行数",
        en="card_max_lines",
        type=ColType.NUMBER,
        default=100_000,
        ge=0,
        doc_zh="明细账最多写入的行数；超过时该表只写一行说明，用 jxc card 文件 商品编码 查看单个商品",
        doc_en="Most lines sync writes to the Stock card sheet; beyond it the sheet holds one note and `jxc card "
        "FILE SKU` shows one item's card",
    ),
    SettingDef(
        key="taxpayer",
        zh="纳税人类型",
        en="taxpayer",
        type=ColType.CHOICE,
        default="general",
        choices=TAXPAYER_CHOICES,
        doc_zh="一般纳税人：进项税额可抵扣，存货成本不含税；小规模纳税人：进项税额计入采购成本。销售收入均不含税",
        doc_en="General taxpayer: input VAT is deductible, inventory cost excludes it; small-scale: input VAT is "
        "part of the purchase cost. Revenue excludes VAT either way",
    ),
    SettingDef(
        key="vat_rate",
        zh="默认税率",
        en="vat_rate",
        type=ColType.NUMBER,
        default=0.13,
        ge=0,
        lt=1,
        doc_zh="行上“税率”空白时的增值税税率（13% 填 0.13 或 13%）；小规模纳税人填征收率（如 3%）",
        doc_en="VAT rate of a line whose rate is blank (13 % as 0.13 or 13%); a small-scale taxpayer's levy rate "
        "(such as 3 %)",
    ),
    # Issue 12.6: stock ageing (库龄, core.ageing) on 分析 and 概览.
    SettingDef(
        key="ageing_buckets",
        zh="库龄分段",
        en="ageing_buckets",
        type=ColType.TEXT,
        default="30,60,90,180",
        doc_zh="库龄分段的上限天数，逗号分隔、递增的正整数，1 至 4 个（默认 30,60,90,180 即 0-30、31-60、61-90、"
        "91-180、超过 180 天五段）",
        doc_en="Upper bounds in days of the ageing bands: 1 to 4 increasing positive whole numbers, comma "
        "separated (default 30,60,90,180: 0-30, 31-60, 61-90, 91-180 and over 180 days)",
    ),
    SettingDef(
        key="stale_days",
        zh="积压天数",
        en="stale_days",
        type=ColType.NUMBER,
        default=180,
        gt=0,
        doc_zh="库龄超过这么多天的期末库存金额即为积压",
        doc_en="Closing stock received more than this many days ago is stale (积压)",
    ),
    SettingDef(
        key="plan_scope",
        zh="计划范围",
        en="plan_scope",
        type=ColType.CHOICE,
        default="company",
        choices=PLAN_SCOPES,
        doc_zh="公司：按全公司库存做一份采购计划；仓库：每个仓库每个商品一行，别的仓库有富余时先建议调拨再采购",
        doc_en="company: one plan over the company's stock; warehouse: one line per warehouse and item, suggesting a "
        "transfer from a warehouse with excess before a purchase",
    ),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}

Valuation = Literal["moving_average", "monthly_average", "fifo"]
ServiceMeasure = Literal["cycle", "fill_rate"]
Taxpayer = Literal["general", "small_scale"]
MAX_AGE_BANDS = 5  # tblAnalysis has this many ageing band columns: ageing_buckets holds 1 to 4 bounds


def age_bounds(text: Any) -> tuple[int, ...] | None:
    """The ageing_buckets setting as its bounds in days (1 to MAX_AGE_BANDS − 1 increasing positive whole
    numbers, separated by commas, Chinese commas, semicolons or spaces), or None when it is not that."""
    parts = [p for p in re.split(r"[,，;；、\s]+", str(text).strip()) if p]
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        return None
    if not 1 <= len(nums) < MAX_AGE_BANDS or any(not (x.is_integer() and 0 < x < 1e6) for x in nums):
        return None
    bounds = tuple(int(x) for x in nums)
    return bounds if list(bounds) == sorted(set(bounds)) else None


PlanScope = Literal["company", "warehouse"]


def _setting(key: str) -> Any:
    """A Settings field with the default and bounds of its SETTINGS row (each is written once, there)."""
    d = SETTINGS_BY_KEY[key]
    default = d.default == "yes" if d.choices == YES_NO else d.default  # a yes/no choice is a bool here
    return Field(default, gt=d.gt, ge=d.ge, lt=d.lt, le=d.le)


class Settings(BaseModel):
    """tblSettings as typed values (canonical keys, defaults filled in)."""

    company: str = _setting("company")
    period: str  # required: no default
    valuation: Valuation = _setting("valuation")
    service_level: float = _setting("service_level")
    service_measure: ServiceMeasure = _setting("service_measure")
    holding_rate: float = _setting("holding_rate")
    order_cost: float = _setting("order_cost")
    abc_a: float = _setting("abc_a")
    abc_b: float = _setting("abc_b")
    days_per_year: float = _setting("days_per_year")
    horizon_days: float = _setting("horizon_days")
    slow_days: float = _setting("slow_days")
    overstock_days: float = _setting("overstock_days")
    allow_negative: bool = _setting("allow_negative")
    as_of: date | None = _setting("as_of")
    max_cover_days: float = _setting("max_cover_days")
    card_max_lines: float = _setting("card_max_lines")
    taxpayer: Taxpayer = _setting("taxpayer")
    vat_rate: float = _setting("vat_rate")
    ageing_buckets: str = _setting("ageing_buckets")
    stale_days: float = _setting("stale_days")
    plan_scope: PlanScope = _setting("plan_scope")

    @field_validator("period")
    @classmethod
    def _period(cls, v: str) -> str:
        if not is_period(v):
            raise ValueError("period must be YYYY-MM")
        return v

    @property
    def year(self) -> int:
        return year_month(self.period)[0]

    @property
    def month(self) -> int:
        return year_month(self.period)[1]

    @property
    def first_day(self) -> date:
        return period_first_day(self.period)

    @property
    def last_day(self) -> date:
        return period_last_day(self.period)

    @property
    def days_in_month(self) -> int:
        return self.last_day.day

    @property
    def age_bounds(self) -> tuple[int, ...]:
        """The ageing bands' upper bounds in days (``age_bounds``; the default where the setting is not usable)."""
        return age_bounds(self.ageing_buckets) or age_bounds(SETTINGS_BY_KEY["ageing_buckets"].default) or ()


# ---------------------------------------------------------------------------------------------------
# Tables

SETTINGS_TABLE = Table(
    name="tblSettings",
    zh_sheet="参数",
    en_sheet="Settings",
    filled_by="user",
    doc_zh="工作簿参数：会计期间、计价方法、计划参数",
    doc_en="Workbook settings: period, valuation, plan parameters",
    columns=(
        Column(key="key", zh="参数", en="Key", required=True, width=16),
        Column(key="value", zh="值", en="Value", width=18),
        Column(key="note", zh="说明", en="Note", width=48),
    ),
)

ITEMS = Table(
    name="tblItems",
    zh_sheet="商品",
    en_sheet="Items",
    filled_by="user",
    doc_zh="商品档案",
    doc_en="Item master",
    columns=(
        _sku(),
        Column(key="name", zh="商品名称", en="Name", required=True, width=22),
        Column(key="spec", zh="规格", en="Spec", width=12),
        Column(key="unit", zh="单位", en="Unit", width=7),
        Column(key="category", zh="类别", en="Category", width=10),
        Column(key="supplier", zh="供应商", en="Supplier", width=16),
        _price("cost", "参考进价", "Std cost", required=False),
        _price("price", "参考售价", "List price", required=False),
        Column(
            key="lead_time_days",
            zh="提前期天数",
            en="Lead time days",
            type=ColType.NUMBER,
            default=7,
            ge=0,
            width=11,
            doc_zh="下单到到货的天数",
            doc_en="Days from order to receipt",
        ),
        Column(
            key="lead_time_sd_days",
            zh="提前期标准差",
            en="Lead time SD days",
            type=ColType.NUMBER,
            default=0,
            ge=0,
            width=12,
            doc_zh="提前期的标准差（天）",
            doc_en="Standard deviation of lead time",
        ),
        Column(
            key="order_cost",
            zh="订货成本",
            en="Order cost",
            type=ColType.MONEY,
            ge=0,
            width=10,
            doc_zh="空白 = 参数中的默认订货成本",
            doc_en="Blank means the default order cost setting",
        ),
        Column(key="moq", zh="最小订货量", en="MOQ", type=ColType.QTY, ge=0, width=10),
        Column(key="order_multiple", zh="订货倍数", en="Order multiple", type=ColType.QTY, ge=0, width=10),
        Column(
            key="safety_stock",
            zh="安全库存",
            en="Safety stock",
            type=ColType.QTY,
            ge=0,
            width=10,
            doc_zh="空白 = 自动计算",
            doc_en="Blank means computed",
        ),
        Column(
            key="max_cover_days",
            zh="最长覆盖天数",
            en="Max cover days",
            type=ColType.NUMBER,
            gt=0,
            width=10,
            doc_zh="一次订货最多覆盖的天数；空白 = 参数设置中的值",
            doc_en="Days of demand one order may cover at most; blank means the setting's",
        ),
        Column(key="active", zh="启用", en="Active", type=ColType.CHOICE, default="yes", choices=YES_NO, width=7),
    ),
)

OPENING = Table(
    name="tblOpening",
    zh_sheet="期初",
    en_sheet="Opening",
    filled_by="user",
    doc_zh="期初库存（上月期末，由 jxc close 结转）",
    doc_en="Opening stock (last month's closing, from jxc close)",
    columns=(
        _sku(),
        Column(key="qty", zh="数量", en="Qty", type=ColType.QTY, required=True, ge=0, width=10),
        _price("unit_cost", "单价", "Unit cost", required=False),
        _amount(),
        Column(
            key="receipt_date",
            zh="入库日期",
            en="Receipt date",
            type=ColType.DATE,
            width=12,
            doc_zh="可选：该批货的入库日期（先进先出的批次）；同一商品可有多行，每行一批，先入库的先发出",
            doc_en="Optional: when this lot was received (FIFO lots); an item may have several rows, one per lot, "
            "the oldest issued first",
        ),
        Column(
            key="doc_no",
            zh="入库单号",
            en="Receipt doc no",
            width=14,
            doc_zh="可选：该批货的采购入库单号（由 jxc close 填写），下月对该单的采购退货从这一批出库",
            doc_en="Optional: the purchase document that received this lot (from jxc close); a purchase return of "
            "that document next month leaves from this lot",
        ),
        _warehouse(),  # issue 12.2; last: a workbook made before it is the same table without it
    ),
)

PURCHASES = Table(
    name="tblPurchases",
    zh_sheet="采购入库",
    en_sheet="Purchases",
    filled_by="user",
    doc_zh="采购入库单明细",
    doc_en="Purchase receipts, one line per item",
    columns=(
        _date(),
        _doc_no(),
        Column(key="supplier", zh="供应商", en="Supplier", width=16),
        _sku(),
        _qty(),
        _price(),
        _amount(),
        _note(),
        *_vat(),  # last: a workbook made before them is the same table without them
        _warehouse(),  # issue 12.2; last: a workbook made before it is the same table without it
    ),
)

SALES = Table(
    name="tblSales",
    zh_sheet="销售出库",
    en_sheet="Sales",
    filled_by="user",
    doc_zh="销售出库单明细",
    doc_en="Sales issues, one line per item",
    columns=(
        _date(),
        _doc_no(),
        Column(key="customer", zh="客户", en="Customer", width=16),
        _sku(),
        _qty(),
        _price(),
        _amount(),
        _note(),
        *_vat(),  # last: a workbook made before them is the same table without them
        _warehouse(),  # issue 12.2; last: a workbook made before it is the same table without it
    ),
)

RETURNS = Table(
    name="tblReturns",
    zh_sheet="退货",
    en_sheet="Returns",
    filled_by="user",
    optional=True,
    doc_zh="销售退货与采购退货",
    doc_en="Sales returns and purchase returns",
    columns=(
        _date(),
        _doc_no(),
        Column(
            key="kind",
            zh="类型",
            en="Kind",
            type=ColType.CHOICE,
            required=True,
            choices=RETURN_KINDS,
            width=12,
            doc_zh="销售退货 或 采购退货",
            doc_en="sales_return or purchase_return",
        ),
        Column(
            key="orig_doc_no",
            zh="原单号",
            en="Original doc no",
            required=True,
            width=14,
            doc_zh="原销售/采购单号",
            doc_en="Doc no of the original sale or purchase",
        ),
        _sku(),
        _qty(),
        _price(required=False),
        _amount(),
        _note("reason", "原因", "Reason"),
        *_vat(),  # last: a workbook made before them is the same table without them
        _warehouse(),  # issue 12.2; last: a workbook made before it is the same table without it
    ),
)

COUNTS = Table(
    name="tblCounts",
    zh_sheet="盘点",
    en_sheet="Counts",
    filled_by="user",
    optional=True,
    doc_zh="盘点：当日终了的实存数量",
    doc_en="Stock counts: quantity on hand at the end of the date",
    columns=(
        _date(),
        _sku(),
        Column(key="counted_qty", zh="实盘数量", en="Counted qty", type=ColType.QTY, required=True, ge=0, width=10),
        _note(),
        _warehouse(),  # issue 12.2; last: a workbook made before it is the same table without it
    ),
)

# Issue 12.3: other movements (其他出入库), valued at the current cost (core.valuation, core.costing).
OTHER = Table(
    name="tblOther",
    zh_sheet="其他出入库",
    en_sheet="Other movements",
    filled_by="user",
    optional=True,
    quiet=True,  # a workbook made before it: read, validated and synced as ever
    doc_zh=(
        "其他出入库：报损、领用、赠送、样品等出库，受赠等入库；按当时的库存成本计价（不填单价），"
        "在 库存 表中单列“其他入库/其他出库”，不计入采购净额、销售成本和需求"
    ),
    doc_en=(
        "Other movements: issues for damage or loss, internal use, gifts, samples; receipts such as gifts "
        "received. Valued at the current stock cost (no price to type); their own Stock columns, not in net "
        "purchases, the cost of sales or demand"
    ),
    columns=(
        _date(),
        _doc_no(),
        Column(
            key="reason",
            zh="类型",
            en="Reason",
            required=True,
            choices=OTHER_REASONS,
            width=12,
            doc_zh="出库：报损、领用、赠送、样品、其他出库；入库：受赠、其他入库。类型决定方向",
            doc_en="Issues: Damage/loss, Internal use, Gift given, Sample, Other issue; receipts: Gift received, "
            "Other receipt. The reason gives the direction",
        ),
        _sku(),
        _qty(),
        _note(),
        _warehouse(),  # issue 12.2: an other movement of a warehouse (blank: the default)
    ),
)

HISTORY = Table(
    name="tblHistory",
    zh_sheet="需求历史",
    en_sheet="History",
    filled_by="close",
    optional=True,
    doc_zh="各月需求（由 jxc close 结转，保留 24 个月）",
    doc_en="Monthly demand (carried by jxc close, 24 months)",
    columns=(
        _sku(),
        Column(key="period", zh="期间", en="Period", type=ColType.PERIOD, required=True, width=10),
        Column(key="demand_qty", zh="需求数量", en="Demand qty", type=ColType.QTY, required=True, ge=0, width=10),
    ),
)

# Purchase orders placed and not yet (fully) received: goods on order (在途) for the plan. Received goods are
# entered in tblPurchases as ever; the order's received_qty says how much of it has arrived. Orders span months,
# so their dates are not held to the period. Status: open (ordered − received is on order), received (closed,
# even if short), cancelled (nothing on order). Blank status = open; blank received_qty = 0; blank expected
# date = order date + the item's lead time.
ORDER_STATUS = (
    Choice(key="open", zh="未结", en="open"),
    Choice(key="received", zh="已结", en="received"),
    Choice(key="cancelled", zh="已取消", en="cancelled"),
)

ORDERS = Table(
    name="tblOrders",
    zh_sheet="采购订单",
    en_sheet="Orders",
    filled_by="user",
    optional=True,
    doc_zh=(
        "已下单未到齐的采购订单（在途）：计划按 库存 + 在途 判断是否再订货。到货照常录入“采购入库”，并在此更新"
        "“已到货数量”；状态：未结（在途 = 订货 − 已到货）、已结（不再计在途）、已取消。日期可跨月"
    ),
    doc_en=(
        "Purchase orders placed and not fully received (goods on order): the plan reorders on on hand + on order. "
        "Enter receipts in Purchases as ever and update 'Received qty' here; status: open (on order = ordered − "
        "received), received (closed, nothing more on order), cancelled. Dates may fall in other months"
    ),
    columns=(
        Column(
            key="order_date",
            zh="下单日期",
            en="Order date",
            type=ColType.DATE,
            required=True,
            width=12,
            doc_zh="下单日期（可早于本月）",
            doc_en="Date the order was placed (may be before this month)",
        ),
        Column(
            key="doc_no",
            zh="订单号",
            en="Order no",
            required=True,
            width=14,
            doc_zh="采购订单编号",
            doc_en="Purchase order number",
        ),
        Column(key="supplier", zh="供应商", en="Supplier", width=16),
        _sku(),
        _qty("qty", "订货数量", "Ordered qty"),
        Column(
            key="expected_date",
            zh="预计到货日",
            en="Expected date",
            type=ColType.DATE,
            width=12,
            doc_zh="预计到货日期，不早于下单日期；空白 = 下单日期 + 商品的提前期",
            doc_en="Expected arrival, not before the order date; blank = order date + the item's lead time",
        ),
        Column(
            key="received_qty",
            zh="已到货数量",
            en="Received qty",
            type=ColType.QTY,
            ge=0,
            width=11,
            doc_zh="已到货并录入“采购入库”的数量；空白 = 0",
            doc_en="Quantity already received (and entered in Purchases); blank = 0",
        ),
        Column(
            key="status",
            zh="状态",
            en="Status",
            type=ColType.CHOICE,
            default="open",
            choices=ORDER_STATUS,
            width=9,
            doc_zh="未结 | 已结 | 已取消；空白 = 未结",
            doc_en="open | received | cancelled; blank = open",
        ),
        _note(),
    ),
)

STOCK = Table(
    name="tblStock",
    zh_sheet="库存",
    en_sheet="Stock",
    filled_by="sync",
    doc_zh="收发存汇总（由 jxc sync 生成）",
    doc_en="Stock balances (generated by jxc sync)",
    columns=(
        _g("sku", "商品编码", "SKU", width=14),
        _g("name", "商品名称", "Name", width=22),
        _g("unit", "单位", "Unit", width=7),
        # Issue 10.1: the 收发存汇总 of an accountant — 期初 / 本期收入 (采购入库, 销售退回, 盘盈) / 本期发出
        # (销售出库, 采购退货, 盘亏) / 成本调整 / 期末结存 — then the net columns of earlier versions (in, out,
        # adj keep their meaning). The group headers above the table are STOCK_GROUPS.
        _g("opening_qty", "期初数量", "Opening qty", ColType.QTY),
        _g("opening_unit_cost", "期初单价", "Opening unit cost", ColType.PRICE),
        _g("opening_amount", "期初金额", "Opening amount", ColType.MONEY, 14),
        _g("purchase_qty", "采购入库数量", "Purchased qty", ColType.QTY),
        _g("purchase_amount", "采购入库金额", "Purchased amount", ColType.MONEY, 14),
        _g("sales_return_qty", "销售退回数量", "Sales returned qty", ColType.QTY),
        _g("sales_return_amount", "销售退回金额", "Sales returned amount", ColType.MONEY, 14),
        _g("count_gain_qty", "盘盈数量", "Count gain qty", ColType.QTY),
        _g("count_gain_amount", "盘盈金额", "Count gain amount", ColType.MONEY),
        # Issue 12.3: other receipts (其他入库, tblOther) at the current cost
        _g("other_in_qty", "其他入库数量", "Other received qty", ColType.QTY),
        _g("other_in_amount", "其他入库金额", "Other received amount", ColType.MONEY, 14),
        _g("sale_qty", "销售出库数量", "Sold qty", ColType.QTY),
        _g("sale_amount", "销售出库成本", "Sold cost", ColType.MONEY, 14),
        _g("purchase_return_qty", "采购退货数量", "Purchase returned qty", ColType.QTY),
        _g("purchase_return_amount", "采购退货金额", "Purchase returned amount", ColType.MONEY, 14),
        _g("count_loss_qty", "盘亏数量", "Count loss qty", ColType.QTY),
        _g("count_loss_amount", "盘亏金额", "Count loss amount", ColType.MONEY),
        # Issue 12.3: other issues (其他出库: 报损, 领用, 赠送, 样品 …, tblOther) at the current cost
        _g("other_out_qty", "其他出库数量", "Other issued qty", ColType.QTY),
        _g("other_out_amount", "其他出库金额", "Other issued amount", ColType.MONEY, 14),
        _gd(
            "cost_adj_amount",
            "成本调整",
            "Cost adjustment",
            ColType.MONEY,
            "期末数量为 0 时账面剩余的金额在本月转出（期末金额 = 0）；负库存补回时，超卖部分按入库成本重估的差额；"
            "月末一次加权平均法下无销售的商品的尾差",
            "Value left on a SKU whose closing qty is 0, taken off in the month (closing amount 0); when a receipt "
            "ends negative stock, the oversold units revalued at the receipt's cost; under the month-end average "
            "also the rounding residual of a SKU without a sale",
        ),
        _g("closing_qty", "期末数量", "Closing qty", ColType.QTY),
        _g("closing_unit_cost", "期末单价", "Closing unit cost", ColType.PRICE),
        _g("closing_amount", "期末金额", "Closing amount", ColType.MONEY, 14),
        _g("status", "状态", "Status", width=14),
        _gd("in_qty", "入库数量", "In qty", ColType.QTY, "采购入库 − 采购退货", "Purchased − purchase returned"),
        _gd("in_amount", "入库金额", "In amount", ColType.MONEY, "采购入库 − 采购退货", "Purchased − returned"),
        _gd("out_qty", "出库数量", "Out qty", ColType.QTY, "销售出库 − 销售退回", "Sold − sales returned"),
        _gd("out_amount", "出库成本", "Out amount", ColType.MONEY, "销售成本净额", "Net cost of sales"),
        _gd("adj_qty", "盘盈亏数量", "Adj qty", ColType.QTY, "盘盈 − 盘亏", "Count gain − count loss"),
        _gd("adj_amount", "盘盈亏金额", "Adj amount", ColType.MONEY, "盘盈 − 盘亏", "Count gain − count loss"),
    ),
)

# The group-header row above tblStock (issue 10.1): (zh, en, first key, last key) of each group, left to right;
# the sheet merges each group's cells over the columns from its first to its last key.
STOCK_GROUPS: tuple[tuple[str, str, str, str], ...] = (
    ("商品", "Item", "sku", "unit"),
    ("期初", "Opening", "opening_qty", "opening_amount"),
    ("本期收入", "Received", "purchase_qty", "other_in_amount"),
    ("本期发出", "Issued", "sale_qty", "other_out_amount"),
    ("调整", "Adjust", "cost_adj_amount", "cost_adj_amount"),
    ("期末结存", "Closing", "closing_qty", "closing_amount"),
    ("", "", "status", "status"),
    ("本期净额", "Net movement", "in_qty", "adj_amount"),
)
STOCK_TOTAL_LABEL = {"zh": "合计", "en": "Total"}  # the first cell of tblStock's totals row

PLAN = Table(
    name="tblPlan",
    zh_sheet="采购计划",
    en_sheet="Plan",
    filled_by="sync",
    doc_zh=(
        "采购计划（由 jxc sync 生成），按“计划日期”计算：日均需求由需求历史加本月至今的需求（按已过天数折算）"
        "按需求类型选择方法预测；再订货点含提前期需求的预测误差、提前期波动与每日盘点的下冲；订货量为经济订货量，"
        "以最长覆盖天数为上限，再按最小订货量和订货倍数取整；是否订货按 库存 + 在途（采购订单中未到的数量）判断"
    ),
    doc_en=(
        "Purchase plan (generated by jxc sync), computed as of the 'As of' date: daily demand is forecast from the "
        "demand history plus this month to date (per elapsed day) by a method chosen per demand class; the "
        "reorder point covers the forecast error over the lead time, lead-time variability and the undershoot of "
        "a daily review; the order quantity is the EOQ capped at max_cover_days, then MOQ and order multiple; "
        "whether to order is judged on on hand + on order (what the Orders sheet has not yet received)"
    ),
    columns=(
        _g("sku", "商品编码", "SKU", width=14),
        _g("name", "商品名称", "Name", width=22),
        _g("supplier", "供应商", "Supplier", width=16),
        _g("on_hand", "当前库存", "On hand", ColType.QTY),
        # Issue 9 item 4: open quantity of tblOrders (not cancelled, not closed) and its earliest expected arrival.
        _g("on_order", "在途数量", "On order", ColType.QTY),
        _g("arrival", "预计到货", "Expected arrival", ColType.DATE),
        _g("avg_daily_demand", "日均需求", "Avg daily demand", ColType.NUMBER),
        _g("safety_stock", "安全库存", "Safety stock", ColType.NUMBER),
        _g("reorder_point", "再订货点", "Reorder point", ColType.NUMBER),
        _g("eoq", "经济订货量", "EOQ", ColType.NUMBER),
        _g("order_qty", "建议订货量", "Order qty", ColType.QTY, 11),
        _g("order_by", "建议下单日", "Order by", ColType.DATE),
        _g("amount", "预计金额", "Amount", ColType.MONEY, 14),
        _g("abc", "ABC类", "ABC", width=7),
        _g("reason", "原因", "Reason", width=40),
        # Next month's demand forecast from tblHistory + this month (SES), for information: not used above.
        _g("forecast_qty", "下月预测需求", "Forecast next month", ColType.NUMBER, 12),
        # Issue 9: the demand class and forecast method behind avg_daily_demand (labels of DEMAND_CLASSES and
        # FORECAST_METHODS), the days one order covers, and the day the plan is computed for.
        _g("demand_class", "需求类型", "Demand class", width=10),
        _g("forecast_method", "预测方法", "Forecast method", width=14),
        _g("days_cover", "覆盖天数", "Days of cover", ColType.NUMBER, 10),
        _g("as_of", "计划日期", "As of", ColType.DATE),
    ),
)

# Demand classes (Syntetos-Boylan) and forecast methods of the plan (core.demand), as tblPlan shows them.
DEMAND_CLASSES = {
    "smooth": Choice(key="smooth", zh="平稳", en="Smooth"),
    "erratic": Choice(key="erratic", zh="波动", en="Erratic"),
    "intermittent": Choice(key="intermittent", zh="间歇", en="Intermittent"),
    "lumpy": Choice(key="lumpy", zh="块状", en="Lumpy"),
    "none": Choice(key="none", zh="无需求", en="No demand"),
}
FORECAST_METHODS = {
    "ses": Choice(key="ses", zh="指数平滑", en="SES"),
    "holt": Choice(key="holt", zh="趋势平滑(Holt)", en="Holt (trend)"),
    "ses_season": Choice(key="ses_season", zh="季节指数平滑", en="SES × season"),
    "holt_season": Choice(key="holt_season", zh="季节趋势平滑", en="Holt × season"),
    "sba": Choice(key="sba", zh="间歇预测(SBA)", en="Croston-SBA"),
    "month": Choice(key="month", zh="本月至今", en="Month to date"),
}

ANALYSIS = Table(
    name="tblAnalysis",
    zh_sheet="分析",
    en_sheet="Analysis",
    filled_by="sync",
    doc_zh="销售与库存分析（由 jxc sync 生成）",
    doc_en="Sales and inventory analysis (generated by jxc sync)",
    columns=(
        _g("sku", "商品编码", "SKU", width=14),
        _g("name", "商品名称", "Name", width=22),
        _g("abc", "ABC类", "ABC", width=7),
        _g("revenue", "销售收入", "Revenue", ColType.MONEY, 14),
        _g("cogs", "销售成本", "COGS", ColType.MONEY, 14),
        _g("gross_margin", "毛利", "Gross margin", ColType.MONEY, 14),
        _g("gross_margin_rate", "毛利率", "Gross margin rate", ColType.NUMBER),
        _g("avg_inventory", "平均库存", "Avg inventory", ColType.MONEY, 14),
        _g("turnover", "周转率", "Turnover", ColType.NUMBER),
        _g("dsi", "周转天数", "DSI", ColType.NUMBER),
        _g("slow_moving", "呆滞", "Slow moving", width=8),
        _g("cum_share", "累计占比", "Cumulative share", ColType.NUMBER),  # of COGS, for the Pareto chart
        # Issue 9.6: days since the last sale (history + this month) behind 呆滞, and overstock (position above
        # overstock_days of forecast demand)
        _g("days_since_sale", "距上次销售天数", "Days since sale", ColType.NUMBER, 11),
        _g("overstock", "超储", "Overstock", width=8),
        # Issue 12.3: other issues (tblOther) at cost, and the loss rate (core.analysis)
        _gd(
            "other_out_cost",
            "其他出库成本",
            "Other issues at cost",
            ColType.MONEY,
            "报损、领用、赠送、样品等其他出库的成本（不含销售成本）",
            "Damage, internal use, gifts, samples and other issues at cost (not in COGS)",
        ),
        _gd(
            "loss_rate",
            "报损率",
            "Loss rate",
            ColType.NUMBER,
            "报损成本 ÷（期初金额 + 本期收入金额）；分母 ≤ 0 时空白",
            "Damage/loss at cost ÷ (opening amount + received amount); blank where that is ≤ 0",
        ),
        # Issue 12.6: stock ageing (core.ageing): the closing amount by receipt date in the bands of setting
        # ageing_buckets (band 1 the newest; they add up to 库存's closing amount), the quantity-weighted average
        # age, the amount older than stale_days
        *(
            _gd(
                f"age_band_{k}",
                f"库龄{k}段",
                f"Age band {k}",
                ColType.MONEY,
                doc_zh=f"期末库存金额中库龄在第 {k} 段的部分（分段见参数 库龄分段；默认 "
                + ("0-30 天", "31-60 天", "61-90 天", "91-180 天", "超过 180 天")[k - 1]
                + "）",
                doc_en=f"The part of the closing amount whose age falls in band {k} (bands: setting ageing_buckets; "
                "default " + ("0-30", "31-60", "61-90", "91-180", "over 180")[k - 1] + " days)",
            )
            for k in range(1, MAX_AGE_BANDS + 1)
        ),
        _gd(
            "avg_age_days",
            "平均库龄天数",
            "Avg age days",
            ColType.NUMBER,
            doc_zh="期末库存按数量加权的平均库龄（天，至期末日）",
            doc_en="Quantity-weighted average age of the closing stock (days to the period's last day)",
        ),
        _gd(
            "stale_amount",
            "积压金额",
            "Stale amount",
            ColType.MONEY,
            doc_zh="库龄超过参数 积压天数 的期末库存金额",
            doc_en="Closing amount received more than stale_days days before the period's last day",
        ),
    ),
)

# Issue 10.3: the stock card (明细账), one line per movement.
CARD = Table(
    name="tblCard",
    zh_sheet="明细账",
    en_sheet="Stock card",
    filled_by="sync",
    optional=True,  # a workbook made before the stock card: sync leaves it out
    doc_zh=(
        "库存明细账（由 jxc sync 生成）：每个商品先一行期初，再按业务顺序列出本月每笔收发，结存为逐笔累计；"
        "每个商品的最后一行等于 库存 表的期末数量和期末金额。行数超过设置“明细账最多行数”时只写一行说明"
    ),
    doc_en=(
        "Stock card (generated by jxc sync): per item an opening line, then every movement of the month in event "
        "order with the running balance; each item's last line equals its closing qty and amount on Stock. Beyond "
        "the setting card_max_lines the sheet holds one note instead"
    ),
    columns=(
        _g("sku", "商品编码", "SKU", width=14),
        _g("name", "商品名称", "Name", width=18),
        _g("date", "日期", "Date", ColType.DATE, 11),
        _g("doc_no", "单号", "Doc no", width=16),
        _g("kind", "摘要", "Movement", width=12),
        _g("counterparty", "往来单位", "Counterparty", width=16),
        _g("in_qty", "收入数量", "In qty", ColType.QTY, 10),
        _g("in_amount", "收入金额", "In amount", ColType.MONEY, 13),
        _g("out_qty", "发出数量", "Out qty", ColType.QTY, 10),
        _g("out_amount", "发出金额", "Out amount", ColType.MONEY, 13),
        _g("balance_qty", "结存数量", "Balance qty", ColType.QTY, 10),
        _g("unit_cost", "结存单价", "Unit cost", ColType.PRICE, 11),
        _g("balance_amount", "结存金额", "Balance amount", ColType.MONEY, 14),
    ),
)

# What a tblCard line records (its kind column), in the words of the books.
CARD_KINDS = {
    "opening": Choice(key="opening", zh="期初", en="Opening"),
    "purchase": Choice(key="purchase", zh="采购入库", en="Purchase"),
    "sales_return": Choice(key="sales_return", zh="销售退回", en="Sales return"),
    "purchase_return": Choice(key="purchase_return", zh="采购退货", en="Purchase return"),
    "sale": Choice(key="sale", zh="销售出库", en="Sale"),
    "transfer_out": Choice(key="transfer_out", zh="调拨调出", en="Transfer out"),  # issue 12.2
    "transfer_in": Choice(key="transfer_in", zh="调拨调入", en="Transfer in"),
    "count_gain": Choice(key="count_gain", zh="盘盈", en="Count gain"),
    "count_loss": Choice(key="count_loss", zh="盘亏", en="Count loss"),
    "count": Choice(key="count", zh="盘点无差异", en="Count, no difference"),
    "other_in": Choice(key="other_in", zh="其他入库", en="Other receipt"),  # shown with its reason (core.card)
    "other_out": Choice(key="other_out", zh="其他出库", en="Other issue"),
    "cost_adjustment": Choice(key="cost_adjustment", zh="成本调整", en="Cost adjustment"),
}

# Issue 10.2: the month on one sheet. One generated table in sections (rows of one section together, in the
# order of SUMMARY_SECTIONS): the month's figures, its VAT (a month with VAT lines), the plan by supplier, stock
# by category, the top items by gross margin. Each row fills the columns that fit its figure: money in amount,
# counts and ratios in value, shares and rates in rate.
SUMMARY = Table(
    name="tblSummary",
    zh_sheet="概览",
    en_sheet="Summary",
    filled_by="sync",
    optional=True,  # a workbook made before the summary sheet: sync leaves it out
    doc_zh=(
        "本月概览（由 jxc sync 生成）：进销存金额、毛利、周转、库存状态、增值税（有税额的月份）、按供应商的采购计划、"
        "按类别的库存、毛利前十"
    ),
    doc_en=(
        "The month at a glance (generated by jxc sync): stock movement values, gross profit, turnover, stock "
        "status counts, VAT (a month with VAT lines), the plan by supplier, stock by category, the top items by "
        "gross margin"
    ),
    columns=(
        _g("section", "区块", "Section", width=16),
        _g("item", "项目", "Item", width=36),
        _g("amount", "金额", "Amount", ColType.MONEY, 16),
        _g("value", "数值", "Value", ColType.NUMBER, 10),
        _g("rate", "比率", "Rate", ColType.NUMBER, 10),
    ),
)
SUMMARY_SECTIONS = {
    "month": Choice(key="month", zh="本月概况", en="This month"),
    "vat": Choice(key="vat", zh="增值税", en="VAT"),  # only for a month with VAT lines (core.summary)
    "supplier": Choice(key="supplier", zh="采购计划·供应商", en="Plan by supplier"),
    "category": Choice(key="category", zh="库存·类别", en="Stock by category"),
    "top_margin": Choice(key="top_margin", zh="毛利前十", en="Top 10 by margin"),
    "ageing": Choice(key="ageing", zh="库龄", en="Stock by age"),  # issue 12.6 (core.ageing)
    "backtest": Choice(key="backtest", zh="回测·服务水平", en="Backtest of the plan"),
}
SUMMARY_TOP = 10  # items in the top_margin section
# Sheet-scoped defined names on the summary sheet → (section key, column key): the summary's charts plot them
# and sync points each at its section's rows when it rewrites tblSummary.
SUMMARY_SERIES = {
    "jxc_sum_category_item": ("category", "item"),
    "jxc_sum_category_amount": ("category", "amount"),
    "jxc_sum_top_item": ("top_margin", "item"),
    "jxc_sum_top_amount": ("top_margin", "amount"),
}

# Last months' purchase and sale lines a return may still name, with what is left to return and their unit cost:
# jxc close carries them (``core.closing.carried_docs``), so a return of last month's document is valued at its
# original price or cost and held to what is left of it, by sync as well as by validate.
CARRIED_KINDS = (
    Choice(key="purchase", zh="采购", en="purchase"),
    Choice(key="sale", zh="销售", en="sale"),
)

CARRIED = Table(
    name="tblCarried",
    zh_sheet="结转单据",
    en_sheet="Carried docs",
    filled_by="close",
    optional=True,
    quiet=True,
    doc_zh="以前月份的采购、销售单据行（由 jxc close 结转，保留 3 个月）：退货按原单的单价或成本计价，不能超过可退数量",
    doc_en="Earlier months' purchase and sale lines (carried by jxc close, 3 months): a return of one is valued at "
    "its original price or cost and may not exceed the qty left to return",
    columns=(
        Column(
            key="kind",
            zh="类型",
            en="Kind",
            type=ColType.CHOICE,
            required=True,
            choices=CARRIED_KINDS,
            width=8,
            doc_zh="采购 或 销售",
            doc_en="purchase or sale",
        ),
        Column(
            key="date",
            zh="日期",
            en="Date",
            type=ColType.DATE,
            required=True,
            width=12,
            doc_zh="原单日期（以前的月份）",
            doc_en="Date of the original line (an earlier month)",
        ),
        _doc_no(),
        _sku(),
        Column(
            key="qty",
            zh="可退数量",
            en="Qty returnable",
            type=ColType.QTY,
            required=True,
            ge=0,
            width=10,
            doc_zh="原单据还可退的数量；0 = 已全部退回（再退即超出原单）",
            doc_en="What of the line may still be returned; 0 = all returned already (a further return exceeds it)",
        ),
        Column(
            key="unit_cost",
            zh="单位成本",
            en="Unit cost",
            type=ColType.PRICE,
            required=True,
            ge=0,
            width=11,
            doc_zh="采购：进价；销售：发出时的单位成本",
            doc_en="Purchase: the price paid; sale: the unit cost it was issued at",
        ),
        # Last: a workbook made before it is the same table without it (its returns then show no 往来单位).
        Column(
            key="counterparty",
            zh="往来单位",
            en="Counterparty",
            width=16,
            doc_zh="原单的供应商或客户：明细账中退货的往来单位",
            doc_en="The original line's supplier or customer: the counterparty of a return on the stock card",
        ),
    ),
)

# Issue 12.2: warehouses and transfers. Both tables are optional and quiet: a workbook without them is one
# warehouse, as before. The warehouse list gives the codes the warehouse columns may name (its first row is the
# default warehouse of a blank cell); a transfer moves stock between two warehouses at the source's cost.
WAREHOUSES = Table(
    name="tblWarehouses",
    zh_sheet="仓库",
    en_sheet="Warehouses",
    filled_by="user",
    optional=True,
    quiet=True,
    doc_zh="仓库清单（可选）：各表“仓库”列只能填这里的编码；第一行是默认仓库（仓库列空白的行属于它）",
    doc_en="Warehouse list (optional): the Warehouse columns may name only these codes; the first row is the "
    "default warehouse (of lines whose Warehouse is blank)",
    columns=(
        Column(key="code", zh="仓库编码", en="Code", required=True, width=12, doc_zh="仓库编码", doc_en="Code"),
        Column(key="name", zh="仓库名称", en="Name", width=20),
        _note(),
    ),
)

TRANSFERS = Table(
    name="tblTransfers",
    zh_sheet="调拨",
    en_sheet="Transfers",
    filled_by="user",
    optional=True,
    quiet=True,
    doc_zh="调拨单（可选）：从一个仓库调到另一个仓库，按调出仓库当时的成本计价，公司合计不变",
    doc_en="Transfers (optional): stock moved from one warehouse to another at the source's cost at that moment; "
    "company totals do not change",
    columns=(
        _date(),
        _doc_no(),
        _warehouse("from_warehouse", "调出仓库", "From warehouse", required=True),
        _warehouse("to_warehouse", "调入仓库", "To warehouse", required=True),
        _sku(),
        _qty(),
        _note(),
    ),
)

# Issue 12.2: stock per warehouse and SKU (the company view stays tblStock: its rows are these summed per SKU).
# Optional: a workbook made before it syncs without it.
STOCK_BY_WAREHOUSE = Table(
    name="tblStockByWarehouse",
    zh_sheet="分仓库存",
    en_sheet="Stock by warehouse",
    filled_by="sync",
    optional=True,
    doc_zh="分仓库收发存（由 jxc sync 生成）：每个仓库每个商品一行，各仓库之和等于“库存”表；只有一个仓库时为空",
    doc_en="Stock per warehouse (generated by jxc sync): one row per warehouse and item; summed over warehouses "
    "they are the Stock table; empty for a workbook of one warehouse",
    columns=(
        _g("warehouse", "仓库", "Warehouse", width=10),
        _g("sku", "商品编码", "SKU", width=14),
        _g("name", "商品名称", "Name", width=22),
        _g("unit", "单位", "Unit", width=7),
        _g("opening_qty", "期初数量", "Opening qty", ColType.QTY),
        _g("opening_amount", "期初金额", "Opening amount", ColType.MONEY, 14),
        _gd(
            "received_qty",
            "收入数量",
            "Received qty",
            ColType.QTY,
            "采购入库 + 销售退回 + 盘盈 + 其他入库",
            "Purchased + sales returned + count gain + other receipts",
        ),
        _g("received_amount", "收入金额", "Received amount", ColType.MONEY, 14),
        _g("transfer_in_qty", "调入数量", "Transfer in qty", ColType.QTY),
        _g("transfer_in_amount", "调入金额", "Transfer in amount", ColType.MONEY, 14),
        _gd(
            "issued_qty",
            "发出数量",
            "Issued qty",
            ColType.QTY,
            "销售出库 + 采购退货 + 盘亏 + 其他出库",
            "Sold + purchase returned + count loss + other issues",
        ),
        _g("issued_amount", "发出金额", "Issued amount", ColType.MONEY, 14),
        _g("transfer_out_qty", "调出数量", "Transfer out qty", ColType.QTY),
        _g("transfer_out_amount", "调出金额", "Transfer out amount", ColType.MONEY, 14),
        _g("cost_adj_amount", "成本调整", "Cost adjustment", ColType.MONEY),
        _g("closing_qty", "期末数量", "Closing qty", ColType.QTY),
        _g("closing_unit_cost", "期末单价", "Closing unit cost", ColType.PRICE),
        _g("closing_amount", "期末金额", "Closing amount", ColType.MONEY, 14),
    ),
)

TABLES: tuple[Table, ...] = (  # the workbook's sheets in this order
    SETTINGS_TABLE,
    ITEMS,
    WAREHOUSES,  # issue 12.2: beside the items, the other list the entry sheets' dropdowns draw on
    OPENING,
    PURCHASES,
    SALES,
    RETURNS,
    COUNTS,
    OTHER,
    TRANSFERS,
    HISTORY,
    ORDERS,
    CARRIED,
    STOCK,
    STOCK_BY_WAREHOUSE,
    PLAN,
    ANALYSIS,
    SUMMARY,
    CARD,
)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
INPUT_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if not t.generated)
GENERATED_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.generated)
LEDGER_TABLES: tuple[Table, ...] = (PURCHASES, SALES, RETURNS, COUNTS)

# Status values written to tblStock.status; conditional formatting keys on them.
STATUS = {
    "ok": Choice(key="ok", zh="正常", en="OK"),
    "reorder": Choice(key="reorder", zh="低于再订货点", en="Below reorder point"),
    "out": Choice(key="out", zh="缺货", en="Out of stock"),
    "negative": Choice(key="negative", zh="负库存", en="Negative stock"),
    "slow": Choice(key="slow", zh="呆滞", en="Slow-moving"),
    "overstock": Choice(key="overstock", zh="超储", en="Overstock"),
}


def table(name: str) -> Table:
    """The table called ``name`` (e.g. ``"tblSales"``)."""
    return TABLES_BY_NAME[name]


# ---------------------------------------------------------------------------------------------------
# Computed columns of the entry sheets (issue 10.4): formulas in the Excel Table beside the SKU (calculated
# columns, so a new row gets them), shown for the reader's eye only. They are not in ``Table.columns``: the
# reader matches no header of theirs, so they are never read, never checked and may be deleted.


def _computed(
    key: str, zh: str, en: str, type: ColType = ColType.TEXT, width: float = 12, *, doc_zh: str, doc_en: str
) -> Column:
    return Column(key=key, zh=zh, en=en, type=type, width=width, doc_zh=doc_zh, doc_en=doc_en)


_LOOKUP_ZH = "公式：按商品编码从“商品”表带出，不必输入（不读入、不校验，可删除）"
_LOOKUP_EN = "Formula: looked up from Items by the SKU; nothing to type (not read, not checked, may be deleted)"
ITEM_LOOKUPS: tuple[Column, ...] = (
    _computed("item_name", "商品名称", "Name", width=22, doc_zh=_LOOKUP_ZH, doc_en=_LOOKUP_EN),
    _computed("item_spec", "规格", "Spec", width=12, doc_zh=_LOOKUP_ZH, doc_en=_LOOKUP_EN),
    _computed("item_unit", "单位", "Unit", width=7, doc_zh=_LOOKUP_ZH, doc_en=_LOOKUP_EN),
)
COUNT_LOOKUPS: tuple[Column, ...] = (
    _computed(
        "book_qty",
        "账面数量",
        "Book qty",
        ColType.QTY,
        10,
        doc_zh="公式：盘点日终了的账面数量 = 期初（或上次盘点的实盘数）+ 其后到盘点日的入库 − 出库 ± 退货；"
        "分仓库时只计本行仓库（空白 = 默认仓库）并加调入 − 调出，不必输入",
        doc_en="Formula: book quantity at the end of the count date = opening (or the previous count) + receipts − "
        "issues ± returns up to that date; with warehouses, this row's warehouse only (blank: the default) plus "
        "transfers in − out; nothing to type",
    ),
    _computed(
        "diff_qty",
        "盘盈亏数量",
        "Difference",
        ColType.QTY,
        11,
        doc_zh="公式：实盘数量 − 账面数量（正数为盘盈，负数为盘亏），不必输入",
        doc_en="Formula: counted qty − book qty (positive: surplus, negative: shortage); nothing to type",
    ),
)
# Table name → its computed columns, in sheet order; they stand right after the table's SKU column, except the
# count's book quantity and difference, which follow the counted quantity.
COMPUTED: dict[str, tuple[Column, ...]] = {
    OPENING.name: ITEM_LOOKUPS,
    PURCHASES.name: ITEM_LOOKUPS,
    SALES.name: ITEM_LOOKUPS,
    RETURNS.name: ITEM_LOOKUPS,
    COUNTS.name: ITEM_LOOKUPS + COUNT_LOOKUPS,
    ORDERS.name: ITEM_LOOKUPS,
    OTHER.name: ITEM_LOOKUPS,
}


# The template's sync button on the plan sheet: a shape with this name whose hyperlink points at the cell it
# covers, one blank column right of tblPlan in row 2. xlwings Lite runs the script whose ``button`` is
# "[shape]Sheet!Cell" when that link is followed.
SYNC_BUTTON_SHAPE = "jxc_sync_button"
SYNC_BUTTON_COLUMN = len(PLAN.columns) + 1  # 0-based column index of the button's cell
SYNC_BUTTON_ROW = 1  # 0-based row index (Excel row 2)
SYNC_BUTTON_CELL = f"{col_letter(SYNC_BUTTON_COLUMN)}{SYNC_BUTTON_ROW + 1}"
