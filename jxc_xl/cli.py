"""The `jxc` command line: a thin adapter over validate, sync, the template builder and the demo."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from jxc_xl import __version__
from jxc_xl.core.messages import money_text, phrase, show, word
from jxc_xl.errors import JxcError, UsageError, ValidationFailedError
from jxc_xl.schema import DEFAULT_LANG, LANGS, PLAN, TABLES_BY_NAME
from jxc_xl.schema import Lang as LangCode

app = typer.Typer(
    name="jxc",
    help="进销存 in Excel: create, validate, sync and close monthly workbooks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)
_state: dict[str, object] = {"debug": False, "lang": None}

Lang = Annotated[str, typer.Option("--lang", help="Language of the new workbook and of messages: zh or en.")]
MessageLang = Annotated[
    str | None, typer.Option("--lang", help="Language of messages: zh or en (default: the workbook's).")
]

Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        # the help is rich markup: "\\[dask]" shows as [dask]
        help="Run the per-store work on the Dask cluster of this scheduler (tcp://host:8786; needs "
        "pip install 'jxc-xl\\[dask]'); every worker must reach the files at the same paths. --jobs is then not used.",
    ),
]

# Lines about the command itself (wrong arguments) are English, as --help is, unless --lang says otherwise;
# lines about a workbook speak its language.
USAGE_LANG: LangCode = "en"


def _text(key: str, lang: LangCode, **params: object) -> str:
    """A line of the catalog, safe to print with rich: the values are escaped (a file "[x].xlsx" is no markup)."""
    return phrase(key, lang, **{k: escape(show(v)) for k, v in params.items()})


def _lang(value: str | None) -> LangCode | None:
    """--lang checked; it is also the language _guard prints an error in (else the English of USAGE_LANG)."""
    if value is None:
        return None
    if value in LANGS:
        _state["lang"] = value
        return value
    raise UsageError(_text("cli_bad_lang", USAGE_LANG, value=repr(value)))


@contextmanager
def _guard() -> Iterator[None]:
    """Turn a JxcError into one clear line on stderr and exit 1 (2 for usage); --debug shows the traceback.

    The error's text is escaped: rich would take "[settings-invalid]" or a file named "[x].xlsx" for markup.
    """
    try:
        yield
    except JxcError as e:
        if _state["debug"]:
            traceback.print_exc()
        findings = e.findings if isinstance(e, ValidationFailedError) else None
        if findings:
            from jxc_xl.report.terminal import render_findings

            table_lang = e.lang if isinstance(e, ValidationFailedError) and e.lang in LANGS else USAGE_LANG
            render_findings(findings, err, table_lang)
        text = e.in_lang(str(_state.get("lang") or e.lang or USAGE_LANG))  # --lang, else the workbook's language
        err.print(f"[bold red]jxc:[/] {escape(text)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2 if isinstance(e, UsageError) else 1) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as e:  # a bug of ours: still one line, unless asked for the traceback
        if _state["debug"]:
            raise
        asked: LangCode = "zh" if _state.get("lang") == "zh" else USAGE_LANG
        said = _text("cli_internal_error", asked, error=f"{type(e).__name__}: {e}")
        err.print("[bold red]jxc:[/] " + said, highlight=False, soft_wrap=True)  # one line, in the --lang asked for
        raise typer.Exit(1) from None


def _version(value: bool) -> None:
    if value:
        out.print(f"jxc-xl {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    _state["debug"], _state["lang"] = debug, None  # each command starts without a --lang of an earlier one


@app.command()
def new(
    path: Annotated[Path, typer.Argument(help="Workbook to create (.xlsx).")],
    period: Annotated[str | None, typer.Option(help="Accounting month YYYY-MM (default: this month).")] = None,
    lang: Lang = "zh",
) -> None:
    """Create an empty monthly workbook from the template."""
    import datetime as dt

    from jxc_xl.core.periods import is_period

    with _guard():
        book_lang = _lang(lang) or DEFAULT_LANG
        period = period or dt.date.today().strftime("%Y-%m")
        if not is_period(period):
            raise UsageError(_text("cli_bad_period", book_lang, period=repr(period)))
        if path.suffix.lower() != ".xlsx":
            raise UsageError(_text("cli_not_xlsx", book_lang, path=path))
        from jxc_xl.io.template import new_workbook

        new_workbook(path, period=period, lang=book_lang)
        out.print(_text("cli_created", book_lang, path=path, period=period, language=book_lang))


@app.command()
def validate(
    paths: Annotated[list[str], typer.Argument(help="Workbooks, folders (searched recursively) or globs.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as one JSON object.")] = False,
    report: Annotated[Path | None, typer.Option(help="Also write the findings to this .xlsx report.")] = None,
    previous: Annotated[Path | None, typer.Option(help="Last month's workbook, to check the opening.")] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Workbooks checked in parallel.")] = 1,
    lang: MessageLang = None,
    scheduler: Scheduler = None,
) -> None:
    """Check monthly workbooks; exit 0 when no errors, 1 when errors (or an unreadable file)."""
    with _guard():
        code = run_validate_cli(
            paths,
            as_json=as_json,
            report=report,
            previous=previous,
            jobs=jobs,
            lang=_lang(lang),
            stdout=sys.stdout,
            stderr=sys.stderr,
            scheduler=scheduler,
        )
    raise typer.Exit(code)


def _say(console: Console, key: str, lang: LangCode | None, **params: object) -> None:
    console.print("jxc validate: " + _text(f"report_{key}", lang or USAGE_LANG, **params))


def run_validate_cli(
    paths: list[str],
    *,
    as_json: bool = False,
    report: Path | None = None,
    previous: Path | None = None,
    jobs: int = 1,
    lang: LangCode | None = None,
    stdout: IO[str],
    stderr: IO[str],
    scheduler: str | None = None,
) -> int:
    """``jxc validate``: print the report (and write ``--report``).

    Returns:
        The exit status: 0 when no errors, 1 when errors (or an unreadable file), 2 on wrong usage.
    """
    from jxc_xl.report.jsondoc import report_json
    from jxc_xl.report.terminal import render_terminal
    from jxc_xl.report.xlsx import write_report_xlsx
    from jxc_xl.validate import try_load_previous, validate_paths

    console = Console(file=stderr, highlight=False, soft_wrap=True)
    if jobs < 1:
        _say(console, "bad_jobs", lang, jobs=jobs)
        return 2
    if report is not None and Path(report).suffix.lower() != ".xlsx":
        _say(console, "not_xlsx", lang, report=report)
        return 2
    prev = None
    if previous is not None:
        if not Path(previous).exists():
            _say(console, "previous_missing", lang, previous=previous)
            return 2
        prev = try_load_previous(previous, lang)
        if prev.error is not None:  # an unreadable file: exit 1 like any unreadable workbook, after the others
            _say(console, "previous_unreadable", lang, previous=previous, error=prev.error)
    if report is not None and any(Path(a).is_file() and Path(a).resolve() == Path(report).resolve() for a in paths):
        _say(console, "is_input", lang, report=report)
        return 2
    try:  # a report inside a checked folder (from the last run) is left out, not checked
        res = validate_paths(
            paths, lang=lang, previous=prev, jobs=jobs, progress=True, stderr=stderr, exclude=report,
            scheduler=scheduler,
        )  # fmt: skip
    except UsageError as e:
        console.print(f"jxc validate: {escape(e.in_lang(lang or USAGE_LANG))}")
        return 2
    if as_json:
        stdout.write(json.dumps(report_json(res), ensure_ascii=False, indent=1) + "\n")
    else:
        render_terminal(res, Console(file=stdout, highlight=False, soft_wrap=False), lang or res.lang)
    if report is not None:
        from xlsxwriter.exceptions import FileCreateError

        try:
            written = write_report_xlsx(res, report, lang or res.lang)
        except (OSError, FileCreateError) as e:  # xlsxwriter raises FileCreateError, not OSError, on close
            _say(console, "unwritable", lang, report=report, cause=e.__cause__ or e.__context__ or e)
            return 2
        console.print(_text("report_written", lang or res.lang, path=written))
    if prev is not None and prev.error is not None:
        return 1
    return 0 if res.errors == 0 else 1


@app.command()
def sync(
    paths: Annotated[list[str], typer.Argument(help="Monthly workbooks, folders (searched recursively) or globs.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here; leave PATH untouched (one workbook only).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Sync even when validation finds errors.")] = False,
    no_backup: Annotated[bool, typer.Option("--no-backup", help="Do not keep NAME.bak.xlsx.")] = False,
    jobs: Annotated[int, typer.Option(min=1, help="Workbooks synced in parallel.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: every store and a summary.")] = False,
    lang: MessageLang = None,
    scheduler: Scheduler = None,
) -> None:
    """Regenerate 库存, 采购计划 and 分析 (stock, plan, analysis); nothing else in the file changes.

    Several workbooks, a folder or a glob sync each file in place; exit 1 when any is refused or fails."""
    with _guard():
        say = _lang(lang)
        if len(paths) == 1 and not as_json and scheduler is None and not _names_many(paths[0]):
            _sync_one(Path(paths[0]), output, force=force, backup=not no_backup, lang=say)
            return
        if output is not None:
            raise UsageError(_text("cli_sync_one_output", say or USAGE_LANG, count=len(paths)))
        code = run_sync_cli(
            paths, jobs=jobs, force=force, backup=not no_backup, lang=say, as_json=as_json, stdout=sys.stdout,
            stderr=sys.stderr, scheduler=scheduler,
        )  # fmt: skip
    raise typer.Exit(code)


def _names_many(arg: str) -> bool:
    """A folder or a glob: a batch, even when it finds one workbook."""
    import glob

    return Path(arg).is_dir() or (not Path(arg).exists() and glob.has_magic(arg))


def _sync_one(path: Path, output: Path | None, *, force: bool, backup: bool, lang: LangCode | None) -> None:
    from jxc_xl.core.refusal import errors_of
    from jxc_xl.sync import sync_file

    res = sync_file(path, output, force=force, backup=backup, lang=lang)
    say = lang or res.lang
    if res.forced:
        err.print("[yellow]" + _text("cli_forced", say, n=len(errors_of(res.findings))) + "[/]")
    stock, plan = money_text(res.stock_value), money_text(res.plan_amount)
    out.print(_text("cli_synced", say, path=res.path, rows=_table_rows(res.rows, say), stock=stock, plan=plan))


def run_sync_cli(
    paths: list[str],
    *,
    jobs: int = 1,
    force: bool = False,
    backup: bool = True,
    lang: LangCode | None = None,
    as_json: bool = False,
    stdout: IO[str],
    stderr: IO[str],
    scheduler: str | None = None,
) -> int:
    """``jxc sync`` of a batch: one line per store (or ``--json``) and a summary.

    Returns:
        The exit status: 0 when every store synced, 1 when any was refused or failed, 2 on wrong usage.
    """
    from jxc_xl.sync_batch import sync_paths

    console = Console(file=stderr, highlight=False, soft_wrap=True)
    try:
        report = sync_paths(
            paths, jobs=jobs, force=force, backup=backup, lang=lang, progress=True, stderr=stderr, scheduler=scheduler
        )
    except UsageError as e:
        console.print(f"jxc sync: {escape(e.in_lang(lang or USAGE_LANG))}")  # was English under --lang zh
        return 2
    if as_json:
        stdout.write(json.dumps(report.json(), ensure_ascii=False, indent=1) + "\n")
    else:
        show = Console(file=stdout, highlight=False, soft_wrap=True)
        for s in report.stores:
            say = lang or s.lang or report.lang
            if s.status == "synced":
                stock, plan = money_text(s.stock_value or 0.0), money_text(s.plan_amount or 0.0)
                rows = _table_rows(s.rows, say)
                show.print(_text("cli_synced", say, path=s.path, rows=rows, stock=stock, plan=plan))
                if s.forced:
                    console.print("[yellow]" + _text("cli_forced", say, n=s.errors) + "[/]")
            else:  # the error in the line's language (one language a line)
                message = s.said[0 if say == "zh" else 1] if s.said else s.message
                show.print(_text(f"cli_sync_{s.status}", say, path=s.path, message=message))
        show.print(_text("cli_sync_summary", lang or report.lang, **report.summary()))
    return 0 if report.ok else 1


@app.command()
def consolidate(
    paths: Annotated[list[str], typer.Argument(help="The stores' workbooks, folders or globs (one period).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The group workbook to write (.xlsx).")],
    jobs: Annotated[int, typer.Option(min=1, help="Workbooks read in parallel.")] = 1,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the group workbook: zh or en (default: the stores').")
    ] = None,
    scheduler: Scheduler = None,
) -> None:
    """One workbook for the group from the stores' synced tables; exit 1 when a store is left out or refused."""
    from jxc_xl.consolidate import consolidate_paths

    with _guard():
        res = consolidate_paths(
            paths, output, lang=_lang(lang), jobs=jobs, progress=True, stderr=sys.stderr, scheduler=scheduler
        )
        say = res.lang
        statuses = res.statuses()
        for store, path, status, message in statuses:
            if status != "ok":
                label = word(f"group_status_{status}", say)
                line = _text("cli_consolidate_store", say, store=store, path=path, status=label, message=message)
                err.print(line, soft_wrap=True)
        included = sum(st == "ok" for _, _, st, _ in statuses)
        stock, plan = money_text(res.stock_value), money_text(res.plan_amount)
        counts = {"included": included, "stores": len(statuses), "stock": stock, "plan": plan}
        out.print(_text("cli_consolidated", say, path=res.path, period=res.period, **counts), soft_wrap=True)
    raise typer.Exit(0 if included == len(statuses) else 1)


def _table_rows(rows: dict[str, int], lang: LangCode) -> str:
    """'库存 320, 采购计划 233': rows per table, named by its sheet as the user sees it."""
    return word("list_sep", lang).join(f"{TABLES_BY_NAME[k].sheet(lang)} {v:,}" for k, v in rows.items())


@app.command()
def plan(
    path: Annotated[Path, typer.Argument(help="The month's workbook (.xlsx).")],
    backtest: Annotated[
        bool, typer.Option("--backtest", help="Replay the plan's policy over the last months of demand history.")
    ] = False,
    force: Annotated[bool, typer.Option(help="Plan even when validation finds errors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as one JSON object.")] = False,
    lang: MessageLang = None,
) -> None:
    """Show the purchase plan (as sync writes 采购计划) per supplier, and --backtest its achieved service."""
    with _guard():
        from jxc_xl.planning import plan_file
        from jxc_xl.report.plan_terminal import render_plan

        say = _lang(lang)
        rep = plan_file(path, backtest=backtest, force=force, lang=say)
        if as_json:
            sys.stdout.write(json.dumps(rep.to_dict(), ensure_ascii=False) + "\n")
        else:
            render_plan(rep, out, say or rep.lang)


@app.command()
def close(
    path: Annotated[Path, typer.Argument(help="This month's workbook.")],
    next_path: Annotated[Path, typer.Argument(help="Next month's workbook (created if missing).")],
    lang: MessageLang = None,
) -> None:
    """Carry this month's closing stock and demand into next month's workbook."""
    from jxc_xl.sync import close_month

    with _guard():
        res = close_month(path, next_path, lang=_lang(lang))
        key = "cli_close_created" if res.created else "cli_close_updated"
        say = _lang(lang) or res.lang
        out.print(_text(key, say, path=res.path, period=res.period, opening=res.opening_rows, history=res.history_rows))


@app.command()
def repair(
    path: Annotated[Path, typer.Argument(help="The month's workbook.")],
    apply: Annotated[bool, typer.Option("--apply", help="Write it (default: only list it).")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here; leave PATH untouched.")] = None,
    no_backup: Annotated[bool, typer.Option("--no-backup", help="Do not keep NAME.bak.xlsx.")] = False,
    lang: MessageLang = None,
) -> None:
    """List what the template provides and a foreign save lost (button, tables, styles, dropdowns, names)."""
    from jxc_xl.repair import repair_file

    with _guard():
        rep = repair_file(path, apply=apply, out=output, backup=not no_backup, lang=_lang(lang))
        out.print("\n".join(escape(line) for line in rep.lines(_lang(lang))), soft_wrap=True)


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Folder for the demo workbook.")] = Path("demo"),
    lang: Lang = "zh",
    seed: Annotated[int | None, typer.Option(help="Random seed of the generated month.", show_default=False)] = None,
    force: Annotated[bool, typer.Option(help="Replace a demo workbook already in the folder.")] = False,
) -> None:
    """Generate a realistic month for a small trading company, validate it, sync it and summarise."""
    from jxc_xl.core.refusal import errors_of
    from jxc_xl.demo import run_demo

    with _guard():
        say = _lang(lang) or DEFAULT_LANG
        run = run_demo(directory, lang=say, replace=force, **({} if seed is None else {"seed": seed}))
        res = run.synced
        n_err = len(errors_of(res.findings))
        replaced = _text("cli_demo_replaced", say) if run.replaced else ""
        out.print(_text("cli_demo_head", say, path=run.path) + replaced)
        ledger = _table_rows(run.ledger_lines, say)
        out.print(_text("cli_demo_lines", say, items=f"{run.items:,}", ledger=ledger), soft_wrap=True)
        out.print(_text("cli_demo_findings", say, errors=n_err, warnings=len(res.findings) - n_err))
        stock, plan = money_text(res.stock_value), money_text(res.plan_amount)
        out.print(_text("cli_demo_money", say, stock=stock, plan_lines=res.rows[PLAN.name], plan=plan))
        out.print(_text("cli_demo_next", say, path=run.path))


@app.command()
def card(
    path: Annotated[Path, typer.Argument(help="The month's workbook.")],
    sku: Annotated[str, typer.Argument(help="The item code (商品编码).")],
    lang: MessageLang = None,
) -> None:
    """Print one item's stock card (明细账): opening, every movement and the running balance."""
    from jxc_xl.card import render_card, stock_card

    with _guard():
        res = stock_card(path, sku, lang=_lang(lang))
        render_card(res, out, err, _lang(lang) or res.lang)


@app.command()
def addin(
    output: Annotated[Path | None, typer.Option("--out", help="Write main.py and requirements.txt here.")] = None,
    wheel_url: Annotated[
        str | None, typer.Option("--wheel-url", help="Install jxc-xl in xlwings Lite from this wheel URL.")
    ] = None,
    inline: Annotated[
        bool,
        typer.Option(
            "--inline",
            help="One self-contained main.py (jxc-xl's modules embedded) and Pyodide-only requirements: "
            "no jxc-xl to install, so no package index needed (--wheel-url is not used).",
        ),
    ] = False,
) -> None:
    """Print (or write) what to paste into xlwings Lite, and the classic add-in settings."""
    with _guard():
        from jxc_xl.excel import addin_files

        files = addin_files(wheel_url, inline=inline)
        if output:
            output.mkdir(parents=True, exist_ok=True)
            for name, text in files.items():
                (output / name).write_text(text, encoding="utf-8")
                out.print(_text("cli_wrote", USAGE_LANG, path=output / name))
        else:
            for name, text in files.items():
                # Plain writes: rich would wrap long lines and break the code the user pastes.
                sys.stdout.write(f"# ---- {name} ----\n{text.rstrip()}\n\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
