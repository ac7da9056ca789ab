"""Stemming benchmark: conflation and root accuracy, and throughput, Snowball vs bnptsearch.

Usage::

    python benchmarks/conflation.py \\
        --conflation ../shared/eval/stemming/conflation-dev.tsv \\
        --sastrawi ../shared/eval/stemming/sastrawi-dev.tsv \\
        [--pairs tests/data/morphology_pairs.tsv] \\
        [--throughput-text ../shared/eval/kumparan-sentences/sentences.jsonl] [--verbose]
        [--keys-of ../shared/eval/*/passages.jsonl ... --keys-out now.tsv [--keys-before then.tsv]]

The evaluation files are third-party data read by path; nothing of them is copied here.
``--pairs`` (default: the project's own ``tests/data/morphology_pairs.tsv``) is scored too,
per family: words the lexicon was not fitted to.

* conflation: ``same<TAB>w1 w2 ...`` lines are right when every word gets one key;
  ``distinct<TAB>a b`` lines are right when the keys differ.
* sastrawi: ``word<TAB>expected_stem<TAB>suite<TAB>status<TAB>comment`` pairs are right when
  ``stem(word) == expected_stem`` (all rows; the rows upstream marks as failing too).
* pairs: ``word<TAB>root<TAB>family`` rows are right when ``stem(word) == root``.
* keys: ``--keys-of`` JSON-lines files' distinct lowercase words and their keys, written to
  ``--keys-out`` (word<TAB>key); with ``--keys-before`` (such a file from an earlier version)
  the words whose key changed are counted and listed, to check that a rule does no harm on
  words no list has seen.
* throughput: tokens/s stemming the lowercase word tokens of a JSON-lines file with a
  ``text`` field, cold (empty caches) and warm (second pass), for both stemmers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import Stemmer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bnptsearch import stemming  # noqa: E402

DEFAULT_PAIRS = Path(__file__).resolve().parents[1] / "tests/data/morphology_pairs.tsv"
DEFAULT_TEXT = Path(__file__).resolve().parents[2] / "shared/eval/kumparan-sentences/sentences.jsonl"
_TOKEN = re.compile(r"[a-z0-9]+")


def read_conflation(path: Path) -> list[tuple[str, list[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, words = line.split("\t", 1)
        rows.append((kind.strip(), words.split()))
    return rows


def read_sastrawi(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        if not line.strip():
            continue
        fields = line.split("\t")
        rows.append((fields[0], fields[1], fields[3] if len(fields) > 3 else ""))
    return rows


def read_pairs(path: Path) -> list[tuple[str, str, str]]:
    """(word, root, family) rows of a ``word<TAB>root<TAB>family`` file, comments skipped."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, root, family = line.split("\t")
            rows.append((word, root, family))
    return rows


def pairs_by_family(rows, fn: Callable[[str], str]) -> dict[str, tuple[int, int, list[str]]]:
    """family -> (right, total, failures) for ``fn`` on (word, root, family) rows."""
    out: dict[str, tuple[int, int, list[str]]] = {}
    for word, root, family in rows:
        right, total, failures = out.get(family, (0, 0, []))
        got = fn(word)
        if got != root:
            failures.append(f"{word}: got {got}, expected {root} ({family})")
        out[family] = (right + (got == root), total + 1, failures)
    return out


def conflation_score(rows, fn: Callable[[str], str]) -> tuple[int, list[str]]:
    right, failures = 0, []
    for kind, words in rows:
        keys = [fn(w) for w in words]
        ok = len(set(keys)) == 1 if kind == "same" else len(set(keys)) == len(keys)
        right += ok
        if not ok:
            failures.append(f"{kind}: " + ", ".join(f"{w}->{k}" for w, k in zip(words, keys)))
    return right, failures


def sastrawi_score(rows, fn: Callable[[str], str]) -> tuple[int, list[str]]:
    right, failures = 0, []
    for word, expected, status in rows:
        got = fn(word)
        if got == expected:
            right += 1
        else:
            failures.append(f"{word}: got {got}, expected {expected} ({status})")
    return right, failures


def tokens_of(path: Path, limit: int | None) -> list[str]:
    out: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            out.extend(_TOKEN.findall(json.loads(line)["text"].lower()))
            if limit and len(out) >= limit:
                break
    return out


def distinct_words(paths: Iterable[Path]) -> list[str]:
    """The distinct lowercase letter words of the ``text`` fields of JSON-lines files, sorted."""
    words: set[str] = set()
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                words.update(w for w in _TOKEN.findall(json.loads(line)["text"].lower()) if w.isalpha())
    return sorted(words)


def key_changes(keys: dict[str, str], before_path: Path) -> list[tuple[str, str, str]]:
    """(word, key before, key now) for the words of a ``word<TAB>key`` file whose key changed."""
    out = []
    for line in before_path.read_text(encoding="utf-8").splitlines():
        word, old = line.split("\t")
        if word in keys and keys[word] != old:
            out.append((word, old, keys[word]))
    return out


def report_keys(args: argparse.Namespace) -> None:
    words = distinct_words(args.keys_of)
    keys = {w: stemming.stem(w) for w in words}
    args.keys_out.write_text("".join(f"{w}\t{k}\n" for w, k in keys.items()), encoding="utf-8")
    print(f"\nkeys of {len(words):,} distinct words written to {args.keys_out}")
    if args.keys_before:
        changed = key_changes(keys, args.keys_before)
        print(f"{len(changed):,} keys differ from {args.keys_before}:")
        for word, old, new in changed if args.verbose else changed[:40]:
            print(f"- {word}: {old} -> {new}")


def _rate(fn: Callable[[str], str], tokens: Iterable[str], n: int) -> float:
    start = time.perf_counter()
    for t in tokens:
        fn(t)
    return n / (time.perf_counter() - start)


def throughput(tokens: list[str]) -> dict[str, float]:
    n = len(tokens)
    snow = Stemmer.Stemmer("indonesian")
    res = {"snowball_cold": _rate(snow.stemWord, tokens, n)}
    res["snowball_warm"] = _rate(snow.stemWord, tokens, n)
    stemming.stem.cache_clear()
    res["bnpt_cold"] = _rate(stemming.stem, tokens, n)
    res["bnpt_warm"] = _rate(stemming.stem, tokens, n)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conflation", type=Path, required=True)
    ap.add_argument("--sastrawi", type=Path, required=True)
    ap.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    ap.add_argument("--throughput-text", type=Path, default=DEFAULT_TEXT)
    ap.add_argument("--max-tokens", type=int, default=None, help="cap the token stream")
    ap.add_argument("--verbose", action="store_true", help="print failing lines (and every changed key)")
    ap.add_argument("--keys-of", type=Path, nargs="+", default=[], help="JSONL files whose distinct words to key")
    ap.add_argument("--keys-out", type=Path, default=Path("stem-keys.tsv"), help="where to write word<TAB>key")
    ap.add_argument("--keys-before", type=Path, default=None, help="an earlier --keys-out file to compare with")
    args = ap.parse_args(argv)

    snow = Stemmer.Stemmer("indonesian")
    systems = {"PyStemmer (Snowball indonesian)": snow.stemWord, "bnptsearch stem": stemming.stem}
    conf_rows = read_conflation(args.conflation)
    sas_rows = read_sastrawi(args.sastrawi)

    print(f"stemmer version: {stemming.STEMMER_VERSION}\n")
    print("| system | conflation lines right | sastrawi pairs right |")
    print("| --- | --- | --- |")
    fails: dict[str, tuple[list[str], list[str]]] = {}
    for name, fn in systems.items():
        c_ok, c_fail = conflation_score(conf_rows, fn)
        s_ok, s_fail = sastrawi_score(sas_rows, fn)
        fails[name] = (c_fail, s_fail)
        print(
            f"| {name} | {c_ok}/{len(conf_rows)} ({100 * c_ok / len(conf_rows):.1f} %) "
            f"| {s_ok}/{len(sas_rows)} ({100 * s_ok / len(sas_rows):.1f} %) |"
        )

    pair_rows = read_pairs(args.pairs)
    scored = {name: pairs_by_family(pair_rows, fn) for name, fn in systems.items()}
    print(f"\nown pairs ({args.pairs.name}), right/total per family:\n")
    print("| family | " + " | ".join(systems) + " |")
    print("| --- |" + " --- |" * len(systems))
    for family in dict.fromkeys(f for _, _, f in pair_rows):
        cells = [f"{scored[name][family][0]}/{scored[name][family][1]}" for name in systems]
        print(f"| {family} | " + " | ".join(cells) + " |")
    totals = [sum(r for r, _, _ in scored[name].values()) for name in systems]
    print("| all | " + " | ".join(f"{t}/{len(pair_rows)} ({100 * t / len(pair_rows):.1f} %)" for t in totals) + " |")
    for name in systems:
        c_fail, s_fail = fails[name]
        fails[name] = (c_fail, s_fail + [f for _, _, fs in scored[name].values() for f in fs])

    if args.throughput_text and args.throughput_text.is_file():
        tokens = tokens_of(args.throughput_text, args.max_tokens)
        r = throughput(tokens)
        print(f"\nthroughput on {len(tokens):,} tokens ({len(set(tokens)):,} distinct) "
              f"from {args.throughput_text.name}:\n")
        print("| system | cold tokens/s | warm tokens/s |")
        print("| --- | --- | --- |")
        print(f"| PyStemmer | {r['snowball_cold']:,.0f} | {r['snowball_warm']:,.0f} |")
        print(f"| bnptsearch stem | {r['bnpt_cold']:,.0f} | {r['bnpt_warm']:,.0f} |")
        print(f"| ratio bnpt/PyStemmer | {r['bnpt_cold'] / r['snowball_cold']:.2f} "
              f"| {r['bnpt_warm'] / r['snowball_warm']:.2f} |")
    else:
        print(f"\n(throughput skipped: {args.throughput_text} not found)")

    if args.keys_of:
        report_keys(args)

    if args.verbose:
        for name, (c_fail, s_fail) in fails.items():
            print(f"\n## failures: {name}\n")
            for line in c_fail + s_fail:
                print(f"- {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
