"""The ``bnptsearch`` command: a thin Click skin over the Python API.

Each command parses its options, calls the API, formats the answer, and turns a
:class:`~bnptsearch.errors.BnptSearchError` into a one-line message with exit code 1.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import fields
from pathlib import Path
from typing import Any

import click

from . import __version__
from .analysis import analyze_tokens
from .corpus import FIELDS_FILE, parse_fields, save_fields
from .errors import BnptSearchError, QueryError
from .fetch import fetch_page, is_url
from .formats import FORMATS, View, format_output, formats_of
from .highlight import ANSI_MARKERS, PLAIN_MARKERS
from .index import Index, UpdateReport
from .query import MODES, SORT_ALIASES, SORTS, SearchRequest
from .results import SearchResults
from .search import INDEX_NOTES
from .terminal import escape_controls


def _folder_option(name: str, default: str, envvar: str, help_text: str):
    return click.option(
        f"--{name}",
        f"{name}_dir",
        default=default,
        show_default=True,
        envvar=envvar,
        type=click.Path(file_okay=False, path_type=Path),
        help=f"{help_text} (env {envvar}).",
    )


DEFAULT_INDEX = "index"
INDEX_OPTION = _folder_option("index", DEFAULT_INDEX, "BNPTSEARCH_INDEX", "Index folder")
CORPUS_OPTION = _folder_option("corpus", "corpus", "BNPTSEARCH_CORPUS", "Folder of article files")
FIELDS_OPTION = click.option(
    "--fields",
    help="Column names of CSV/TSV/JSON exports: id=link,title=judul,text=isi,date=tanggal,source=media "
    f"(kept in the corpus folder's {FIELDS_FILE}).",
)


@contextmanager
def _errors_as_messages() -> Iterator[None]:
    """Library errors become ``Error: <message>`` and exit 1, never a traceback."""
    try:
        yield
    except BnptSearchError as error:
        # Messages may name files and articles: shown escaped, on one line.
        raise click.ClickException(escape_controls(str(error))) from None


def _warn(message: object) -> None:
    """Prints ``warning: <message>`` on stderr, on one line: a file name holding a newline or
    an escape sequence cannot print a line of its own."""
    click.echo(f"warning: {escape_controls(str(message))}", err=True)


def _note(message: object) -> None:
    """Prints ``note: <message>`` on stderr, escaped like :func:`_warn`."""
    click.echo(f"note: {escape_controls(str(message))}", err=True)


def _print_report(report: UpdateReport, verb: str) -> None:
    for warning in report.warnings:
        _warn(warning)
    for note in report.notes:
        _note(note)
    click.echo(
        f"{verb}: {report.added} added, {report.updated} updated, {report.deleted} deleted, "
        f"{report.unchanged} unchanged; {report.articles} articles, {report.passages} passages "
        f"in {report.seconds:.2f} s"
        + (f"; {len(report.warnings)} warnings" if report.warnings else "")
        + (f"; {report.embedded} passages embedded" if report.embedded else "")
    )


def _open_or_build(index_dir: Path, corpus_dir: Path, build: bool) -> Index:
    """Opens the index; on a fresh clone with none yet at the default location (or with
    ``build``), builds it from the corpus first. A mistyped ``--index`` is an error, not a
    new index."""
    if Index.exists(index_dir):
        return Index.open(index_dir)
    if not build and index_dir.resolve() != Path(DEFAULT_INDEX).resolve():
        raise click.ClickException(f"no index at {index_dir}; run `bnptsearch index --index {index_dir}` or pass --build")
    if not corpus_dir.is_dir():
        raise click.ClickException(
            f"no index at {index_dir} and no corpus folder at {corpus_dir}; pass --corpus DIR or run `bnptsearch index`"
        )
    click.echo(f"No index at {index_dir} yet: building it from {corpus_dir}/ …", err=True)
    index, report = Index.build(corpus_dir, index_dir)
    for warning in report.warnings:
        _warn(warning)
    click.echo(f"Indexed {report.articles} articles, {report.passages} passages in {report.seconds:.2f} s.", err=True)
    return index


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bnptsearch")
def cli() -> None:
    """Indonesian passage search over news and policy articles.

    \b
    Example:
      bnptsearch query "RAN PE Banten"
    """


# The CLI's defaults are the API's: SearchRequest is the one place they are set.
_REQUEST_DEFAULTS = {field.name: field.default for field in fields(SearchRequest)}


def _use_color(color: bool | None) -> bool:
    """--color/--no-color if given; else colour on a terminal unless NO_COLOR is set
    (https://no-color.org: any non-empty value)."""
    return color if color is not None else sys.stdout.isatty() and not os.environ.get("NO_COLOR")


COLOR_OPTION = click.option(
    "--color/--no-color", default=None, help="Highlight in colour (default: on a terminal, unless NO_COLOR is set)."
)
SORT_OPTION = click.option(
    "--sort",
    type=click.Choice((*SORTS, *SORT_ALIASES)),
    default=_REQUEST_DEFAULTS["sort"],
    show_default=True,
    help="Best first, or by article date: newest (or -date), oldest (or date).",
)
LIST_FILTERS = (
    click.option("--source", "sources", multiple=True, help="Only articles from this source (repeatable)."),
    click.option("--since", help="Only articles dated on or after: 2022, 2022-03 or 2022-03-23."),
    click.option("--until", help="Only articles dated on or before: 2023, 2023-12 or 2023-12-31."),
    click.option("--include-undated", is_flag=True, help="With --since/--until, keep articles that have no date too."),
    click.option("--doc", "doc_ids", multiple=True, help="Only this article id (repeatable)."),
)


def _list_filters(command):
    for option in reversed(LIST_FILTERS):
        command = option(command)
    return command


@cli.command()
@click.argument("query", required=False, default="")
@click.option(
    "-n",
    "--limit",
    default=_REQUEST_DEFAULTS["limit"],
    show_default=True,
    type=click.IntRange(min=1),
    help="Passages per page (articles with --articles).",
)
@click.option("--offset", default=_REQUEST_DEFAULTS["offset"], type=click.IntRange(min=0), help="Skip this many passages.")
@click.option("--page", type=click.IntRange(min=1), help="Page number (sets --offset from --limit).")
@click.option(
    "--per-article",
    default=_REQUEST_DEFAULTS["per_article"],
    show_default=True,
    type=click.IntRange(min=0),
    help="At most N passages of one article (0: no cap).",
)
@click.option("--articles", "by_article", is_flag=True, help="Group hits per article; -n and --offset count articles.")
@_list_filters
@SORT_OPTION
@click.option("--like", metavar="DOC_ID", help="Passages like this article's (its most distinctive words), itself left out.")
@click.option("--facets", is_flag=True, help="Count matching articles per source, year and month.")
@click.option(
    "--fuzzy/--exact",
    default=None,
    help="Tolerate typos in every word (or write word~) / search every word exactly as typed "
    "[default: a word that matches nothing is replaced by the closest indexed word].",
)
@click.option("--no-expand", is_flag=True, help="Do not expand acronyms and long forms.")
@click.option(
    "--explain", is_flag=True, help="Show the query as searched, each hit's matched terms (and its fused scores in hybrid mode)."
)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    help="Find passages by words, by meaning, or both fused [default: hybrid if the index has vectors, else lexical].",
)
@click.option(
    "--timeout",
    default=_REQUEST_DEFAULTS["timeout"],
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds before the search stops and prints what it found.",
)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=FORMATS[0], show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@COLOR_OPTION
@click.option("--build", is_flag=True, help="Build the index from --corpus if there is none at --index.")
@INDEX_OPTION
@CORPUS_OPTION
def query(
    query: str,
    page: int | None,
    per_article: int,
    no_expand: bool,
    output_format: str,
    as_json: bool,
    color: bool | None,
    build: bool,
    index_dir: Path,
    corpus_dir: Path,
    **request_options: Any,
) -> None:
    """Search for QUERY and print the best passages, matched words highlighted.

    Acronyms and their long forms find each other ("Rencana Aksi Nasional" also finds
    "RAN PE"); the expansions are listed on stderr (and under "expansions" in JSON).
    Text longer than 1,000 characters (a pasted article) is searched by its most
    distinctive words. QUERY "*" (or none, with filters) lists the matching articles.

    \b
    Examples:
      bnptsearch query "RAN PE Banten"
      bnptsearch query "Siapa yang menandatangani nota kesepahaman dengan BNPT?" -n 3
      bnptsearch query '"kerja sama" AND title:Surakarta' --json
      bnptsearch query terorisme --since 2022 --until 2022-12 --facets
      bnptsearch query BNPT --sort -date --articles
      bnptsearch query "penyebaran khilafah" --fuzzy --format html > hasil.html
    """
    if page is not None:
        request_options["offset"] = (page - 1) * request_options["limit"]
    output_format = "json" if as_json else output_format
    filters = ("sources", "since", "until", "doc_ids")
    if request_options["like"] is None and (
        query.strip() == "*" or (not query.strip() and any(request_options[name] for name in filters))
    ):
        if output_format not in formats_of("list"):
            raise click.ClickException(f"articles are listed as {', '.join(formats_of('list'))}, not {output_format}")
        with _errors_as_messages(), _open_or_build(index_dir, corpus_dir, build) as index:
            listed = {name: request_options[name] for name in (*filters, "include_undated", "sort", "limit", "offset")}
            _list_articles(index, output_format, **listed)
        return
    with _errors_as_messages():
        request = SearchRequest(
            query,
            per_article=per_article or None,
            expand=not no_expand,
            # TREC lines have no total: skip the pass over every match that counts it.
            count=output_format != "trec",
            **request_options,
        )
        with _open_or_build(index_dir, corpus_dir, build) as index:
            results = index.search(request)
    _print_results(results, output_format, _use_color(color), explain=request.explain)


def _print_results(results: SearchResults, output_format: str, color: bool, *, explain: bool = False) -> None:
    """Prints search results: notes and warnings on stderr, the results in ``output_format``."""
    for warning in results.warnings:
        _warn(warning)
    if output_format != "json":
        if explain:
            click.echo(f"query: {escape_controls(results.parsed)}", err=True)
        for expansion in results.expansions:
            click.echo(f"also searched: {escape_controls(expansion)}", err=True)
    for note in results.notes:
        _note(note)
    view = View(
        markers=ANSI_MARKERS if color else PLAIN_MARKERS,
        width=min(shutil.get_terminal_size((100, 24)).columns, 100),
        bold=("\x1b[1m", "\x1b[0m") if color else ("", ""),
        parsed=explain,
    )
    _echo("query", output_format, results, view, color=color)


def _list_articles(index: Index, output_format: str, *, sort: str, **filters: Any) -> None:
    for warning in index.filter_warnings(filters["sources"], filters["doc_ids"]):
        _warn(warning)
    page = index.article_page(**filters, sort=None if sort in ("id", "relevance") else sort)
    _echo("list", output_format, page)


@cli.command("list")
@_list_filters
@click.option(
    "--sort",
    type=click.Choice(("id", *SORTS[1:], *SORT_ALIASES)),
    default="id",
    show_default=True,
    help="By article id, or by date: date/oldest (oldest first), -date/newest (newest first).",
)
@click.option("-n", "--limit", type=click.IntRange(min=1), help="Articles per page (default: all; 10 with --page).")
@click.option("--page", type=click.IntRange(min=1), help="Page number (of --limit articles).")
@click.option("--format", "output_format", type=click.Choice(formats_of("list")), default="text", show_default=True)
@INDEX_OPTION
def list_command(
    index_dir: Path, output_format: str, sort: str, limit: int | None, page: int | None, **filters: Any
) -> None:
    """List the indexed articles (id, date, source, passages, title), filtered.

    \b
    Examples:
      bnptsearch list
      bnptsearch list --source CNNBanten.id --since 2022 --sort -date --format csv
      bnptsearch list --sort -date -n 20 --page 2
    """
    if page is not None and limit is None:
        limit = SearchRequest.limit  # the class attribute is the field's default: query's page size
    offset = (page - 1) * limit if page is not None and limit is not None else 0
    with _errors_as_messages(), Index.open(index_dir) as index:
        _list_articles(index, output_format, sort=sort, limit=limit, offset=offset, **filters)


@cli.command()
@click.option("--format", "output_format", type=click.Choice(formats_of("sources")), default="text", show_default=True)
@INDEX_OPTION
def sources(index_dir: Path, output_format: str) -> None:
    """Count the indexed articles per source, most first.

    \b
    Example:
      bnptsearch sources --format json
    """
    with _errors_as_messages(), Index.open(index_dir) as index:
        counts = index.sources()
    _echo("sources", output_format, counts)


@cli.command()
@click.argument("doc_id")
@click.option(
    "-n", "--limit", default=_REQUEST_DEFAULTS["limit"], show_default=True, type=click.IntRange(min=1), help="Articles to show."
)
@click.option(
    "--per-article", default=1, show_default=True, type=click.IntRange(min=0), help="At most N passages of one article (0: all)."
)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=FORMATS[0], show_default=True)
@COLOR_OPTION
@INDEX_OPTION
def similar(doc_id: str, limit: int, per_article: int, output_format: str, color: bool | None, index_dir: Path) -> None:
    """Articles like DOC_ID: its most distinctive words (tf·idf) searched as a query, the
    best passage of each other article.

    \b
    Example:
      bnptsearch similar 004_712c4dcd13143a1e -n 3
    """
    with _errors_as_messages(), Index.open(index_dir) as index:
        results = index.similar(doc_id, limit=limit, per_article=per_article or None, count=output_format != "trec")
    _print_results(results, output_format, _use_color(color))


def _echo(command: str, output_format: str, answer: Any, view: View | None = None, *, color: bool | None = None) -> None:
    """Prints ``answer`` as ``command`` does in ``output_format``: the one output path."""
    output = format_output(command, output_format, answer, view or View())
    # Text output escapes article text itself (its own ANSI highlights must pass).
    click.echo(output if output_format == "text" else _for_stdout(output), nl=False, color=color)


def _for_stdout(data: str) -> str:
    """Data (CSV, TREC lines, a raw article) as it is for a pipe or file, but with control
    characters shown escaped on a terminal, as ``ls`` does with file names."""
    return escape_controls(data, keep_lines=True) if _on_terminal() else data


def _on_terminal() -> bool:
    return sys.stdout.isatty()


# Writing commands yield the CPU to searches: on a 2-core machine a writer committing flat
# out slows a search process beside it by its CPU use alone (README, Performance). The
# write just takes longer when both are busy.
WRITER_NICENESS = 10


def _lower_priority() -> None:
    """Runs this process at a niceness of at least WRITER_NICENESS (where the OS allows it).

    At least, not on top: ``nice -n 5 bnptsearch index`` runs at 10, not 15, which on a
    busy machine would leave the build almost no CPU."""
    with suppress(OSError, AttributeError):  # AttributeError: no os.nice (Windows)
        current = os.nice(0)
        if current < WRITER_NICENESS:
            os.nice(WRITER_NICENESS - current)


WAIT_OPTION = click.option(
    "--wait",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds to wait for another process that is writing the index.",
)
QUIET_OPTION = click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
STRICT_OPTION = click.option("--strict", is_flag=True, help="Exit 1 if any file gave a warning.")


class _ProgressBar:
    """A one-line progress display on stderr: stage, count, rate and time left, redrawn at
    most ten times a second."""

    def __init__(self) -> None:
        self._stage = ""
        self._started = self._drawn = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self._stage:
            self._stage, self._started, self._drawn = stage, now, 0.0
        if done < total and now - self._drawn < 0.1:
            return
        self._drawn = now
        elapsed = now - self._started
        if stage == "committing":
            # One step of unknown length: say what it is doing, then how long it took.
            line = "committing: writing the index to disk …" + (f" {elapsed:.1f} s" if done else "")
            click.echo(f"\r{line:<70}", err=True, nl=done == total)
            return
        unit = {"reading": "files", "embedding": "passages"}.get(stage, "articles")
        line = f"{stage} {done}/{total} {unit}"
        if elapsed > 0.2:
            rate = done / elapsed
            line += f" · {rate:,.0f}/s · {(total - done) / rate:,.0f} s left"
        click.echo(f"\r{line:<70}", err=True, nl=done == total)


def _progress(quiet: bool) -> _ProgressBar | None:
    return None if quiet or not sys.stderr.isatty() else _ProgressBar()


def _finish(report: UpdateReport, verb: str, strict: bool) -> None:
    _print_report(report, verb)
    if strict and report.warnings:
        raise click.ClickException(f"{len(report.warnings)} warnings (--strict)")


@cli.command("index")
@INDEX_OPTION
@CORPUS_OPTION
@click.option("--rebuild", is_flag=True, help="Build from scratch instead of updating.")
@click.option("--optimize", is_flag=True, help="Then merge the index into one segment (faster queries; slow).")
@click.option(
    "--semantic", is_flag=True, help="Also embed passages for semantic/hybrid search (kept on for later runs; needs [semantic])."
)
@click.option("--rebuild-vectors", is_flag=True, help="Drop the passage vectors and embed every passage again.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that write the index (default: one per CPU, at most 4; small updates use one).",
)
@FIELDS_OPTION
@STRICT_OPTION
@QUIET_OPTION
@WAIT_OPTION
def index_command(
    index_dir: Path,
    corpus_dir: Path,
    rebuild: bool,
    optimize: bool,
    semantic: bool,
    rebuild_vectors: bool,
    jobs: int | None,
    fields: str | None,
    strict: bool,
    quiet: bool,
    wait: float,
) -> None:
    """Bring the index up to date with the corpus folder.

    Incremental by default: new articles are added, changed ones re-indexed, removed ones
    deleted (files and articles compared by content hash). A rebuild is written beside the
    old index and replaces it only when complete.

    Many small updates leave the index in many segments, which slows queries a little;
    --optimize merges them into one now and then (minutes for 100k passages).

    \b
    Examples:
      bnptsearch index
      bnptsearch index --corpus arsip/ --index arsip-index/ --strict
      bnptsearch index --rebuild
      bnptsearch index --rebuild --jobs 2
      bnptsearch index --optimize
      bnptsearch index --semantic
      bnptsearch index --fields id=link,title=judul,text=isi,date=tanggal,source=media
    """
    _lower_priority()
    with _errors_as_messages():
        if fields is not None and save_fields(corpus_dir, parse_fields(fields)) and Index.exists(index_dir):
            # Files already indexed would keep what the old mapping read from them.
            click.echo(f"Field mapping changed (kept in {corpus_dir / FIELDS_FILE}): rebuilding.", err=True)
            rebuild = True
        if rebuild or not Index.exists(index_dir):
            index, report = Index.build(
                corpus_dir,
                index_dir,
                progress=_progress(quiet),
                lock_timeout=wait,
                semantic=semantic,
                rebuild_vectors=rebuild_vectors,
                jobs=jobs,
            )
            with index:
                _finish(report, "Built", strict)
                if optimize:
                    _optimize(index)
        else:
            with Index.open(index_dir, lock_timeout=wait) as index:
                report = index.update(
                    corpus_dir, progress=_progress(quiet), semantic=semantic, rebuild_vectors=rebuild_vectors, jobs=jobs
                )
                _finish(report, "Updated", strict)
                if optimize:
                    _optimize(index)


def _optimize(index: Index) -> None:
    started = time.perf_counter()
    segments = index.optimize()
    seconds = time.perf_counter() - started
    click.echo(
        "Optimized: already one segment" if segments == 1 else f"Optimized: {segments} segments merged into 1 in {seconds:.2f} s"
    )


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--no-copy", is_flag=True, help="Index the files where they are, without copying them into the corpus.")
@click.option("--replace", is_flag=True, help="Replace a corpus file of the same name even if it holds another article.")
@FIELDS_OPTION
@INDEX_OPTION
@CORPUS_OPTION
@STRICT_OPTION
@QUIET_OPTION
@WAIT_OPTION
def add(
    files: tuple[str, ...],
    no_copy: bool,
    replace: bool,
    fields: str | None,
    index_dir: Path,
    corpus_dir: Path,
    strict: bool,
    quiet: bool,
    wait: float,
) -> None:
    """Add FILES (articles in any supported format, or web page URLs) to the index, copying
    them into the corpus folder.

    A name already taken in the corpus by another article is not replaced: the copy gets a
    free name (berita-2.txt) and a note says so. Adding again from the same path replaces
    its copy; --replace replaces whatever has the name. With --no-copy the files are
    indexed where they are and a later `bnptsearch index` of the corpus leaves them alone.
    A URL's page is fetched and saved in the corpus folder (the same URL, the same file).

    \b
    Examples:
      bnptsearch add ~/unduhan/berita-baru.txt
      bnptsearch add scraped/*.jsonl --no-copy
      bnptsearch add ekspor.csv --fields id=link,title=judul,text=isi,date=tanggal
      bnptsearch add https://www.bnpt.go.id/berita/contoh
    """
    _lower_priority()
    with _errors_as_messages():
        mapping = parse_fields(fields) if fields is not None else None
        targets = [_target(item, corpus_dir) for item in files]
        with Index.open(index_dir, create=True, lock_timeout=wait) as index:
            copy_to = None if no_copy else corpus_dir
            report = index.add(targets, copy_to=copy_to, replace=replace, progress=_progress(quiet), fields=mapping)
            _finish(report, "Added", strict)


def _target(item: str, corpus_dir: Path) -> Path:
    """The file to index for an `add` argument: a page fetched into the corpus folder (the
    same URL, the same file), or the file itself (copied into the corpus by Index.add)."""
    if is_url(item):
        return fetch_page(item, corpus_dir)
    file = Path(item)
    if not file.is_file():
        raise click.ClickException(f"{file}: no such file")
    return file


@cli.command()
@click.argument("doc_ids", nargs=-1, required=True)
@INDEX_OPTION
@WAIT_OPTION
def remove(doc_ids: tuple[str, ...], index_dir: Path, wait: float) -> None:
    """Remove articles DOC_IDS from the index (exit 1 if one is not there).

    The files stay in the corpus: delete them too, or the next `bnptsearch index` adds
    them back.

    \b
    Example:
      bnptsearch remove 002_c1e97dfba439882a
    """
    _lower_priority()
    with _errors_as_messages(), Index.open(index_dir, lock_timeout=wait) as index:
        report = index.remove(doc_ids)
    _print_report(report, "Removed")
    if report.warnings:
        raise click.ClickException(f"{len(report.warnings)} of {len(doc_ids)} articles were not in the index")


@cli.command()
@click.argument("doc_id")
@click.option("--raw", is_flag=True, help="Print the article as it is in its file, before cleaning.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@INDEX_OPTION
def show(doc_id: str, raw: bool, as_json: bool, index_dir: Path) -> None:
    """Print article DOC_ID: its metadata and clean text (or --raw, the original).

    \b
    Example:
      bnptsearch show 004_712c4dcd13143a1e
    """
    with _errors_as_messages(), Index.open(index_dir) as index:
        if raw:
            click.echo(_for_stdout(index.raw(doc_id)))
            return
        article = index.article(doc_id)
    _echo("show", "json" if as_json else "text", article)


def _read_queries(path: Path) -> Iterator[tuple[str, str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"cannot read {path}: {error}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        qid, tab, text = line.partition("\t")
        if not tab or not qid.strip():
            raise click.ClickException(f"{path}:{number}: expected 'qid<TAB>query'")
        yield qid.strip(), text


@cli.command()
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@INDEX_OPTION
@click.option("-n", "--limit", default=100, show_default=True, type=click.IntRange(min=1), help="Results per query.")
@click.option(
    "--format", "output_format", type=click.Choice(formats_of("batch")), default=formats_of("batch")[0], show_default=True
)
@click.option("--no-expand", is_flag=True, help="Do not expand acronyms and long forms.")
@click.option("--mode", type=click.Choice(MODES), help="As for query: lexical, hybrid or semantic.")
def batch(queries: Path, index_dir: Path, limit: int, output_format: str, no_expand: bool, mode: str | None) -> None:
    """Run every query of QUERIES (lines of 'qid<TAB>query').

    trec prints run lines 'qid Q0 doc_id rank score bnptsearch', one per article (its best
    passage); jsonl prints one object per query with its passage hits.

    \b
    Example:
      bnptsearch batch queries.tsv --format trec > run.txt
    """
    with _errors_as_messages(), Index.open(index_dir) as index:
        outcomes = index.batch_search(
            _read_queries(queries),
            limit=limit,
            per_article=1 if output_format == "trec" else None,
            expand=not no_expand,
            mode=mode,
        )
        shown: set[str] = set()
        for qid, outcome in outcomes:
            if isinstance(outcome, QueryError):
                _warn(f"query {qid}: {outcome}")
            else:
                for note in outcome.notes:
                    # A note on the index (passages not embedded yet) is said once, not per query.
                    if note.endswith(INDEX_NOTES):
                        if note not in shown:
                            _warn(note)
                        shown.add(note)
                    else:
                        _warn(f"query {qid}: {note}")
                _echo("batch", output_format, outcome, View(qid=qid))


@cli.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def analyze(text: str, as_json: bool) -> None:
    """Show how TEXT is analyzed: each word and the term it is indexed as.

    \b
    Example:
      bnptsearch analyze "Penangkapan teroris di Tangerang"
    """
    _echo("analyze", "json" if as_json else "text", (text, analyze_tokens(text)))


@cli.command()
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def info(index_dir: Path, as_json: bool) -> None:
    """Print the index location, article and passage counts, and analyzer settings."""
    with _errors_as_messages(), Index.open(index_dir) as index:
        details = index.info()
    _echo("info", "json" if as_json else "text", details)


@cli.command()
@INDEX_OPTION
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (beyond this machine a token is required)."
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the search page in a browser.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True, help="Language of the pages.")
@click.option("--token", envvar="BNPTSEARCH_TOKEN", help="Shared secret every request must carry (env BNPTSEARCH_TOKEN).")
@click.option("--no-auth", is_flag=True, help="Serve beyond this machine without a token: anyone there can read the archive.")
def serve(index_dir: Path, host: str, port: int, open_browser: bool, lang: str, token: str | None, no_auth: bool) -> None:
    """Serve a search page and a JSON API over the index (read-only), for a browser.

    Needs the serve extra: pip install 'bnptsearch[serve]'. The index is never written;
    articles added by `bnptsearch add` or `index` in another shell show up on the next search.

    \b
    Examples:
      bnptsearch serve --open
      bnptsearch serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"
    """
    try:
        from .web import access_warning
        from .web import serve as run_server
    except ModuleNotFoundError as error:
        hint = f"serve needs the serve extra: pip install 'bnptsearch[serve]' (missing {error.name})"
        raise click.ClickException(hint) from None
    with _errors_as_messages():
        warning = access_warning(host, token=token, no_auth=no_auth)
        if warning:
            click.echo(warning, err=True)
        run_server(index_dir, host=host, port=port, lang=lang, token=token, open_browser=open_browser, announce=click.echo)


@cli.command()
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(index_dir: Path, as_json: bool) -> None:
    """Verify every index file against the size and checksum recorded when it was written.

    Lists each damaged file and exits 1 if there is one; reads bytes only, so it is safe to
    run on an index folder from anywhere.

    \b
    Example:
      bnptsearch check --index arsip-index/
    """
    with _errors_as_messages():
        report = Index.check(index_dir)
    _echo("check", "json" if as_json else "text", report)
    if not report.ok:
        names = ", ".join(file.name for file in report.damaged)
        raise click.ClickException(f"index damaged: {names}; run `bnptsearch index --rebuild`")


class _Interrupted(BaseException):
    """Ctrl-C, raised by :func:`main`'s SIGINT handler instead of ``KeyboardInterrupt``,
    which Click would turn into "Aborted!" and exit 1. Like any exception it unwinds the
    write under way, which undoes its uncommitted batch (the index stays as last committed)."""


def _interrupt(signum: int, frame: object) -> None:
    raise _Interrupted


def _os_error_message(error: OSError) -> str:
    """``[Errno 13] Permission denied: 'x'`` as ``permission denied: x``."""
    reason = error.strerror or str(error)
    reason = reason[:1].lower() + reason[1:]
    return f"{reason}: {error.filename}" if error.filename else reason


def main() -> None:
    """Console-script entry point: Ctrl-C prints ``Interrupted.`` and exits 130 (as a shell
    reports SIGINT); an ``OSError`` no command turned into a message gets one line, exit 1.

    (Ctrl-C while this module is still being imported is caught by ``bnptsearch_main``.)
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.default_int_handler:  # not if started with SIGINT ignored
        signal.signal(signal.SIGINT, _interrupt)
    try:
        cli(prog_name="bnptsearch")
    except (_Interrupted, KeyboardInterrupt):
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except OSError as error:
        click.echo(f"Error: {_os_error_message(error)}", err=True)
        sys.exit(1)
    finally:
        signal.signal(signal.SIGINT, previous)
