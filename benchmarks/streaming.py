"""Peak memory of indexing one large JSONL file, by file size: it must stay flat.

Usage (from the repository root, bnptsearch installed)::

    python -m benchmarks.streaming [--sizes 0.2 1 2] [--stages plan,build,unchanged] [--index-up-to 0.2] [--workdir /tmp]

For each size (in GB) a JSONL file of small news-like records (about 700 bytes each, like
the 3 million records of a 2 GB scraper export) is written under ``--workdir``, then each
stage runs in a new process whose own peak RSS (``resource.getrusage``, ``ru_maxrss``) is
reported, with its time and the ratio to the smallest size:

- ``plan``: what an index build does before Whoosh: hash the file, parse and clean every
  record, decide what to write (the articles planned are consumed and dropped, as the
  writer consumes them); Whoosh's own buffer is bounded by ``limitmb`` apart from this;
- ``build``: ``Index.build`` of a folder holding that one file (hash, parse, clean, write);
- ``unchanged``: then ``Index.update`` of the same folder, nothing changed (the file is
  hashed, in chunks, and not parsed).

``--index-up-to GB`` runs the build and unchanged stages only for sizes up to that (a 2 GB
build takes hours on a shared machine; the plan stage is what grows with the file).

Files and indexes are deleted after each size. The load average is printed with the
results: on a shared machine, compare ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Words of Indonesian security news, so records clean and split like real ones.
WORDS = (
    "densus antiteror polri menangkap terduga teroris jaringan kelompok wilayah provinsi kota kabupaten "
    "pencegahan radikalisme intoleransi deradikalisasi narapidana terorisme bnpt kerja sama pemerintah daerah "
    "masyarakat sipil tokoh agama sekolah pesantren mahasiswa sosialisasi ideologi pancasila kebangsaan aparat "
    "keamanan penyelidikan bahan peledak senjata api dokumen barang bukti rumah warga pada senin selasa rabu "
    "kamis jumat sabtu minggu pekan lalu kemarin tahun ini menurut juru bicara kepala badan nasional penanggulangan"
).split()
STAGES = ("plan", "build", "unchanged")

# Run in the child: one stage, then its own peak RSS (KiB on Linux) as JSON on stdout.
CHILD = """
import json, resource, sys, time
from bnptsearch import Index
stage, corpus, index = sys.argv[1:4]
started = time.perf_counter()
if stage == "plan":
    from bnptsearch.corpus import corpus_files
    from bnptsearch.idmap import IndexedArticles
    from bnptsearch.update import _Changes, _plan_files
    report = _Changes()
    for _ in _plan_files(corpus_files(corpus)[0], IndexedArticles(), report):
        pass
    report.articles = report.added
elif stage == "build":
    built, report = Index.build(corpus, index)
    built.close()
else:
    with Index.open(index) as opened:
        report = opened.update(corpus)
print(json.dumps({"seconds": time.perf_counter() - started, "articles": report.articles,
                  "added": report.added, "unchanged": report.unchanged,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def write_jsonl(path: Path, size_bytes: int, seed: int = 12) -> int:
    """Writes records until the file holds ``size_bytes``; returns how many."""
    generator = random.Random(seed)
    count = written = 0
    with path.open("w", encoding="utf-8") as file:
        while written < size_bytes:
            text = " ".join(generator.choice(WORDS) for _ in range(80)).capitalize() + "."
            record = {"id": f"r{count:08d}", "title": f"Berita {count}", "source": "Contoh.id", "text": text}
            line = json.dumps(record) + "\n"
            file.write(line)
            written += len(line)
            count += 1
    return count


def run_stage(stage: str, corpus: Path, index: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, stage, str(corpus), str(index)], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[0.2, 1.0, 2.0], help="file sizes in GB")
    parser.add_argument("--stages", default="plan", help=f"comma list of {', '.join(STAGES)} (default: plan)")
    parser.add_argument("--index-up-to", type=float, default=math.inf, help="build/unchanged only up to this size (GB)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    stages = [stage for stage in args.stages.split(",") if stage]
    if "unchanged" in stages and "build" not in stages:
        parser.error("the unchanged stage needs the build stage first")
    rows = []
    for size in sorted(args.sizes):
        folder = Path(tempfile.mkdtemp(prefix="bnptsearch-streaming-", dir=args.workdir))
        try:
            corpus, index = folder / "corpus", folder / "index"
            corpus.mkdir()
            records = write_jsonl(corpus / "arsip.jsonl", int(size * 1e9))
            file_mb = (corpus / "arsip.jsonl").stat().st_size / 1e6
            for stage in stages:
                if stage != "plan" and size > args.index_up_to:
                    continue
                result = run_stage(stage, corpus, index)
                rows.append((stage, size, file_mb, records, result))
                print(f"{stage:9} {file_mb:8.0f} MB  {records:>9,} records  peak RSS {result['peak_kib'] / 1024:7.0f} MiB"
                      f"  {result['seconds']:8.1f} s  ({result['articles']:,} articles)", flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {time.strftime('%Y-%m-%d %H:%M')}")
    print("\n| stage | file MB | records | peak RSS MiB | × smallest | seconds |\n|---|---|---|---|---|---|")
    for stage in stages:
        mine = [row for row in rows if row[0] == stage]
        if not mine:
            continue
        base = mine[0][4]["peak_kib"]
        for _, _, file_mb, records, result in mine:
            print(f"| {stage} | {file_mb:.0f} | {records:,} | {result['peak_kib'] / 1024:.0f} | "
                  f"×{result['peak_kib'] / base:.2f} | {result['seconds']:.1f} |")


if __name__ == "__main__":
    main()
