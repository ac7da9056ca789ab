"""A full build with one writing process against builds with worker processes (``--jobs``),
measured in the same run on the same corpus (issue 17: the parallel build).

Each build runs in a fresh process through ``perf.py _rss ... _child build-bnpt CORPUS
INDEX JOBS``, one at a time, and reports: wall and CPU seconds (workers included), peak RSS
of the building process and of its largest worker, bytes written (workers included), the
largest size the index folder reached, the index size and its segment count; each as a
ratio against the first ``--jobs`` value, with the load average before and after::

    nice -n 5 python benchmarks/parallel_build.py --corpus ../cache/perf/corpus-100000 \\
        --workdir /tmp/parallel-build --jobs 1 2

The indexes are written under ``--workdir`` (removed before each build, kept afterwards).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import perf  # noqa: E402 - found through the path set just above

# (key, label, format) of each figure reported.
FIGURES = [
    ("wall", "wall s", ".1f"),
    ("cpu", "CPU s (workers included)", ".1f"),
    ("worker_cpu", "CPU s of the workers", ".1f"),
    ("maxrss_parent_mb", "peak RSS MB, building process", ".0f"),
    ("maxrss_worker_mb", "peak RSS MB, largest worker", ".0f"),
    ("wchar_gb", "written GB (write calls)", ".2f"),
    ("write_bytes_gb", "written GB (to disk)", ".2f"),
    ("peak_folder_mb", "peak index folder MB", ".0f"),
    ("index_mb", "index size MB", ".0f"),
    ("temp_ratio", "peak folder / index size", ".2f"),
    ("segments", "segments", ".0f"),
]


def build(corpus: Path, index: Path, jobs: int) -> dict:
    """One build in a fresh process (``perf.py``'s child), with its figures."""
    shutil.rmtree(index, ignore_errors=True)
    result = perf._run_child("build-bnpt", corpus, index, jobs)
    result["index_mb"] = perf._dir_size_mb(index)
    result["temp_ratio"] = result["peak_folder_mb"] / result["index_mb"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="a corpus folder (e.g. a perf.py scale corpus)")
    parser.add_argument("--workdir", type=Path, required=True, help="where the indexes are written")
    parser.add_argument(
        "--jobs", type=int, nargs="+", default=[1, 2], help="the --jobs values to compare (the first is the baseline)"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()
    results = {}
    for jobs in args.jobs:
        results[jobs] = build(args.corpus, args.workdir / f"index-jobs{jobs}", jobs)
        print(
            f"jobs={jobs}: "
            + ", ".join(f"{key} {results[jobs][key]:{fmt}}" for key, _, fmt in FIGURES)
            + f"; load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    load_end = os.getloadavg()
    base = results[args.jobs[0]]
    print(
        f"\n{base['passages']:,} passages ({args.corpus}); {os.cpu_count()} cores; load average (1/5/15 min) "
        f"at start {'/'.join(f'{x:.2f}' for x in load_start)}, at end {'/'.join(f'{x:.2f}' for x in load_end)}\n"
    )
    print("| figure | " + " | ".join(f"jobs={jobs}" for jobs in args.jobs) + " |")
    print("|---|" + "---|" * len(args.jobs))
    for key, label, fmt in FIGURES:
        cells = []
        for jobs in args.jobs:
            value = results[jobs][key]
            ratio = f" (×{value / base[key]:.2f})" if jobs != args.jobs[0] and base[key] else ""
            cells.append(f"{value:{fmt}}{ratio}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
