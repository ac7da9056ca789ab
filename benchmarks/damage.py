"""The damaged-file matrix: does every damaged index file end in a clear one-line error?

Usage (from the repository root, bnptsearch installed)::

    python -m benchmarks.damage [--workdir DIR] [--only SUBSTRING]

For each case it builds a fresh index of the seed corpus in two segments (four articles, then
one more added) with its acronym cache, damages one file, then runs ``bnptsearch query`` and
``bnptsearch check`` as subprocesses. Files: the metadata, the TOC, the live manifest, each
segment and the acronym cache. Damage: truncate to half, flip a byte in the middle, zero a
4 KiB block from the middle, delete; in each segment 15 more byte flips spread over the file
(where a flip used to go unnoticed until a query read that block); and an acronym cache
edited to valid JSON that names other long forms.

A case is *detected* when ``check`` exits 1 naming the file and ``query`` exits 1 with one
line that starts with ``Error:``; for the acronym cache (derived data, rebuilt rather than
trusted) when ``query`` prints exactly what it prints on the undamaged index. Prints a table
of outcomes and "detected N/M" with the load average.

``--cost ARTICLES`` measures instead what the checks cost on an archive of that many articles
(recombined seed paragraphs): opening the index and running one query, with the check on
open switched off (the baseline), as it runs (file stamps as recorded: sizes and stamps
compared, the TOC checksummed), and on a copy of the folder (every stamp differs, so every
file is checksummed on open); and ``Index.check`` (every byte). Ratios are to the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from bnptsearch import Index, load_corpus

SEED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
QUERY = "RAN PE Banten"
# A run of the CLI: (arguments) → (exit code, stdout, stderr).
Runner = Callable[[list[str]], tuple[int, str, str]]


@dataclass(frozen=True)
class Case:
    """One damage: which file (by role), what is done to it, and where."""

    role: str  # metadata, toc, manifest, segment-1, segment-2, acronyms
    damage: str  # truncate, flip, zero, delete, edit
    at: float = 0.5  # where in the file, as a share of its size

    @property
    def label(self) -> str:
        return f"{self.role} {self.damage}" + (f" @{self.at:.2f}" if self.damage == "flip" else "")


def cases() -> list[Case]:
    """The whole matrix (55 cases)."""
    found = []
    for role in ("metadata", "toc", "manifest", "segment-1", "segment-2", "acronyms"):
        found += [Case(role, damage) for damage in ("truncate", "flip", "zero", "delete")]
        if role.startswith("segment"):
            # 15 more flips, spread over the file (none at the middle, done above).
            found += [Case(role, "flip", (2 * k + 1) / 32) for k in range(15)]
    found.append(Case("acronyms", "edit"))
    return found


def build(folder: Path) -> Path:
    """A fresh seed index in two segments with its acronym cache; returns the index folder."""
    corpus, index_dir = folder / "corpus", folder / "index"
    shutil.rmtree(folder, ignore_errors=True)
    corpus.mkdir(parents=True)
    sources = sorted(SEED_CORPUS.glob("*.txt"))
    for source in sources[:-1]:
        shutil.copy(source, corpus)
    index, _ = Index.build(corpus, index_dir)
    with index:
        shutil.copy(sources[-1], corpus)
        index.add([corpus / sources[-1].name])
        index.search(QUERY)  # writes the acronym cache
    return index_dir


def role_files(index_dir: Path) -> dict[str, Path]:
    """The index's files by role (the live manifest only: the one the TOC's generation names)."""
    toc = next(index_dir.glob("_passages*.toc"))
    # A segment's file: its compound file, or (written as separate files) its postings.
    segments = sorted(
        (file for file in index_dir.glob("passages*") if file.suffix in (".seg", ".pst")), key=lambda file: file.stat().st_size
    )
    return {
        "metadata": index_dir / "bnptsearch.json",
        "toc": toc,
        "manifest": toc.with_suffix(".sums"),
        **{f"segment-{number}": file for number, file in enumerate(segments, 1)},
        "acronyms": index_dir / "acronyms.json",
    }


def damage(file: Path, case: Case) -> None:
    """Does ``case``'s damage to ``file``."""
    if case.damage == "delete":
        file.unlink()
        return
    data = bytearray(file.read_bytes())
    middle = int(len(data) * case.at)
    if case.damage == "truncate":
        data = data[: len(data) // 2]
    elif case.damage == "flip":
        data[middle] ^= 0xFF
    elif case.damage == "zero":
        end = min(len(data), middle + 4096)
        data[middle:end] = bytes(end - middle)
    elif case.damage == "edit":
        # Valid JSON, the right key: only the long forms are someone else's.
        cache = json.loads(data)
        entries = cache["entries"]
        entries["acronyms"] = [[short, "Badan Narkotika Nasional"] for short, _ in entries["acronyms"]]
        data = bytearray(json.dumps(cache).encode())
    file.write_bytes(bytes(data))


def query_args(index_dir: Path) -> list[str]:
    # A missing corpus folder: a query must never quietly rebuild over a damaged index.
    return ["query", QUERY, "--index", str(index_dir), "--corpus", str(index_dir / "no-corpus"), "--format", "json"]


@dataclass(frozen=True)
class Outcome:
    case: Case
    file: str
    check: str
    query: str
    detected: bool


def _summary(code: int, out: str, err: str) -> str:
    if "Traceback" in err:
        return f"traceback: {err.strip().splitlines()[-1]}"
    lines = err.strip().splitlines()
    return f"exit {code}: " + (lines[-1] if lines else (out.strip().splitlines() or [""])[0])[:90]


def run_case(case: Case, index_dir: Path, run: Runner, expected: str) -> Outcome:
    """Damages the undamaged index at ``index_dir`` as ``case`` says and probes it;
    ``expected`` is the undamaged query's output."""
    file = role_files(index_dir)[case.role]
    damage(file, case)
    query_code, query_out, query_err = run(query_args(index_dir))
    check_code, check_out, check_err = run(["check", "--index", str(index_dir)])
    if case.role == "acronyms":
        detected = query_code == 0 and query_out == expected
    else:
        one_line = query_err.strip().splitlines()
        detected = (
            check_code == 1
            and file.name in check_out + check_err
            and query_code == 1
            and len(one_line) == 1
            and one_line[0].startswith("Error:")
        )
    return Outcome(
        case, file.name, _summary(check_code, check_out, check_err), _summary(query_code, query_out, query_err), detected
    )


def expected_output(index_dir: Path, run: Runner) -> str:
    """The query's output on the undamaged index at ``index_dir``."""
    code, out, err = run(query_args(index_dir))
    if code != 0:
        raise SystemExit(f"the undamaged index fails: {err}")
    return out


def copier(pristine: Path) -> Callable[[Path], Path]:
    """Instead of :func:`build`: copies of the index at ``pristine`` (faster; the copies'
    files all differ from their recorded stamps, so every open reads their checksums)."""

    def copy(folder: Path) -> Path:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(pristine, folder / "index")
        return folder / "index"

    return copy


def subprocess_runner(arguments: list[str]) -> tuple[int, str, str]:
    """Runs ``bnptsearch`` in a new process, as a user would."""
    done = subprocess.run(
        [sys.executable, "-m", "bnptsearch", *arguments], capture_output=True, text=True, timeout=120, check=False
    )
    return done.returncode, done.stdout, done.stderr


def run_matrix(
    folder: Path, run: Runner, selected: list[Case], prepare: Callable[[Path], Path] = build
) -> Iterator[Outcome]:
    """Each of ``selected`` on an undamaged index made by ``prepare(folder)``."""
    expected = expected_output(prepare(folder / "clean"), run)
    for number, case in enumerate(selected):
        yield run_case(case, prepare(folder / f"case-{number}"), run, expected)
        shutil.rmtree(folder / f"case-{number}", ignore_errors=True)


def _archive(folder: Path, articles: int) -> None:
    """A JSONL archive of ``articles`` articles made from the seed articles' paragraphs."""
    paragraphs = [p for a in load_corpus(SEED_CORPUS).articles for p in a.body.split("\n\n") if len(p) > 80]
    folder.mkdir(parents=True)
    with (folder / "arsip.jsonl").open("w", encoding="utf-8") as out:
        for number in range(articles):
            picked = [paragraphs[(number * 7 + k * 3) % len(paragraphs)] for k in range(6)]
            text = "\n\n".join(picked) + f"\n\nArsip nomor {number}."
            out.write(json.dumps({"id": f"arsip-{number:06d}", "title": f"Arsip {number}", "text": text}) + "\n")


def _open_and_query_ms(index_dir: Path) -> float:
    """Milliseconds to open the index and run one query, as each CLI run does."""
    started = time.perf_counter()
    with Index.open(index_dir) as index:
        index.search(QUERY, limit=10)
    return (time.perf_counter() - started) * 1000


def _unchecked_ms(index_dir: Path) -> float:
    """:func:`_open_and_query_ms` with the check on open switched off: the baseline."""
    with mock.patch("bnptsearch.store._verify_generation", return_value=True), mock.patch(
        "bnptsearch.index._verify_generation", return_value=True
    ):
        return _open_and_query_ms(index_dir)


def measure_cost(folder: Path, articles: int, rounds: int = 21) -> None:
    _archive(folder / "corpus", articles)
    started = time.perf_counter()
    index, report = Index.build(folder / "corpus", folder / "index")
    index.close()
    seconds = time.perf_counter() - started
    size = sum(file.stat().st_size for file in (folder / "index").iterdir())
    print(f"{report.articles} articles, {report.passages} passages, {size / 1e6:.1f} MB, built in {seconds:.0f} s")
    _open_and_query_ms(folder / "index")  # writes the acronym cache, warms the page cache
    shutil.copytree(folder / "index", folder / "copy")
    variants = {
        "open + query, no check on open (baseline)": lambda: _unchecked_ms(folder / "index"),
        "open + query, check on open, stamps as recorded": lambda: _open_and_query_ms(folder / "index"),
        "open + query, check on open, copied (all checksummed)": lambda: _open_and_query_ms(folder / "copy"),
    }
    # Interleaved rounds, so that a change in the machine's load hits every variant alike.
    timings: dict[str, list[float]] = {label: [] for label in variants}
    for _ in range(rounds):
        for label, run in variants.items():
            timings[label].append(run())
    started = time.perf_counter()
    assert Index.check(folder / "index").ok
    timings["Index.check (every byte)"] = [(time.perf_counter() - started) * 1000]
    baseline = statistics.median(timings["open + query, no check on open (baseline)"])
    print(f"median of {rounds} interleaved rounds:")
    for label, values in timings.items():
        value = statistics.median(values)
        print(f"{label + ':':<56}{value:8.1f} ms   x{value / baseline:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, help="where to build the indexes (default: a temporary folder)")
    parser.add_argument("--only", default="", help="only cases whose label contains this")
    parser.add_argument("--cost", type=int, metavar="ARTICLES", help="measure what the checks cost instead")
    args = parser.parse_args()
    if args.cost:
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory() as tmp:
            measure_cost(args.workdir or Path(tmp), args.cost)
        print(f"(load average {load:.2f} at start, {os.getloadavg()[0]:.2f} at end)")
        return
    selected = [case for case in cases() if args.only in case.label]
    load = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.workdir or Path(tmp)
        outcomes = []
        print(f"{'case':<24} {'file':<40} {'check':<40} query")
        for outcome in run_matrix(folder, subprocess_runner, selected):
            outcomes.append(outcome)
            mark = "" if outcome.detected else "  <- NOT DETECTED"
            print(f"{outcome.case.label:<24} {outcome.file:<40} {outcome.check[:40]:<40} {outcome.query}{mark}", flush=True)
    detected = sum(outcome.detected for outcome in outcomes)
    print(
        f"\ndetected {detected}/{len(outcomes)} in {time.perf_counter() - started:.0f} s "
        f"(load average {load[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end)"
    )
    if detected < len(outcomes):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
