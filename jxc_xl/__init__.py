"""jxc-xl: 进销存 in Excel workbooks, with Python underneath."""

__version__ = "0.1.0"
