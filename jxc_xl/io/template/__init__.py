"""Build jxc-xl workbooks with xlsxwriter from ``jxc_xl.schema``: the templates, ``jxc new`` and test fixtures.

Every table of the contract becomes an Excel Table (ListObject) on its own sheet, with the headers of the
chosen language, frozen header row, column widths and number formats from the schema, data validation and,
on the generated sheets, conditional formatting, the Pareto chart and the xlwings Lite sync button. Every
text the workbook shows comes from the message catalog (``tpl_*`` of ``jxc_xl.core.messages``).

A table without rows keeps one blank data row (xlsxwriter cannot write a header-only table); readers skip
blank rows. The output is deterministic: two builds with the same arguments give identical bytes.

Modules, one job each: ``styles`` (names, fonts, formats, widths), ``cells`` (typed cells), ``tables`` (a
table and its validation), ``lookups`` (the entry sheets' name, spec, unit and book quantity formulas),
``settings_sheet``, ``generated`` (status colours, Pareto chart), ``button`` (the sync button), ``guide``
(说明/Guide), ``formulas`` (公式/Formulas), ``printing`` (every sheet's page setup, header and footer) and
``build`` (the workbook).
"""

from jxc_xl.core.findings import col_letter
from jxc_xl.io.template.build import (
    TEMPLATE_FILES,
    TEMPLATE_PERIOD,
    build_templates,
    build_workbook,
    main,
    new_workbook,
)
from jxc_xl.io.template.cells import Rows
from jxc_xl.io.template.styles import (
    CREATED,
    FONT,
    FORMULAS_SHEET,
    GUIDE_SHEET,
    KEY_FORMATS,
    LAST_ROW,
    NUM_FORMATS,
    PARETO_NAMES,
    SKU_DROPDOWN_TABLES,
    SKU_NAME,
    TABLE_STYLE,
    column_width,
    display_width,
    quote_sheet,
)

__all__ = [
    "CREATED",
    "FONT",
    "FORMULAS_SHEET",
    "GUIDE_SHEET",
    "KEY_FORMATS",
    "LAST_ROW",
    "NUM_FORMATS",
    "PARETO_NAMES",
    "SKU_DROPDOWN_TABLES",
    "SKU_NAME",
    "TABLE_STYLE",
    "TEMPLATE_FILES",
    "TEMPLATE_PERIOD",
    "Rows",
    "build_templates",
    "build_workbook",
    "col_letter",
    "column_width",
    "display_width",
    "main",
    "new_workbook",
    "quote_sheet",
]
