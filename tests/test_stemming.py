"""Tests of bnptsearch.stemming: golden cases, purity, pickling, threads."""

from __future__ import annotations

import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bnptsearch import stemming
from bnptsearch.data import rows
from bnptsearch.stemming import (
    STEMMER_VERSION,
    IndonesianStemmer,
    default_stemmer,
    read_lexicon,
    reduplication_ending,
    stem,
)

GOLDEN = Path(__file__).resolve().parent / "data" / "stemming_golden.tsv"


def _golden() -> list[tuple[str, list[str], str, str]]:
    rows = []
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, words, expected, rule = line.split("\t")
        rows.append((kind, words.split(), expected, rule))
    return rows


GOLDEN_ROWS = _golden()


@pytest.mark.parametrize(
    ("kind", "words", "expected", "rule"),
    GOLDEN_ROWS,
    ids=[f"{k}:{'/'.join(w)}" for k, w, _, _ in GOLDEN_ROWS],
)
def test_golden(kind: str, words: list[str], expected: str, rule: str) -> None:
    keys = {w: stem(w) for w in words}
    if kind == "stem":
        assert keys[words[0]] == expected, rule
    elif kind == "same":
        assert len(set(keys.values())) == 1, f"{rule}: {keys}"
    elif kind == "distinct":
        assert len(set(keys.values())) == len(words), f"{rule}: {keys}"
    else:  # pragma: no cover
        pytest.fail(f"unknown kind {kind}")


def test_golden_file_covers_every_kind() -> None:
    kinds = {k for k, *_ in GOLDEN_ROWS}
    assert kinds == {"stem", "same", "distinct"}
    assert len(GOLDEN_ROWS) >= 60


def test_version_is_the_one_indexes_record() -> None:
    assert STEMMER_VERSION == "bnpt-id-9"


def test_lexicon_and_keep_are_parameters() -> None:
    bare = IndonesianStemmer()
    assert bare("menangkap") == "tangkap"  # the default recoding, no lexicon needed
    assert IndonesianStemmer(lexicon={"nangkap"})("menangkap") == "nangkap"
    assert IndonesianStemmer(keep={"menangkap"})("menangkap") == "menangkap"
    assert bare("berikan") == "ikan" and IndonesianStemmer(lexicon={"beri"})("berikan") == "beri"


def test_default_stemmer_is_the_shipped_data() -> None:
    stemmer = default_stemmer()
    assert {"tangkap", "kirim"} <= stemmer.lexicon and "densus" in stemmer.keep
    assert stemmer.stem("penangkapan") == stem("penangkapan") == "tangkap"


def test_user_lexicon_is_read_when_the_default_stemmer_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dic = tmp_path / "id_ID.dic"
    dic.write_text("3\nnangkap/SFX\nTangkap\nbukan kata\n", encoding="utf-8")
    assert read_lexicon(dic) == {"nangkap", "tangkap"}
    monkeypatch.setenv("BNPTSEARCH_STEM_LEXICON", str(dic))
    try:
        default_stemmer.cache_clear()
        assert "nangkap" in default_stemmer().lexicon
    finally:
        monkeypatch.delenv("BNPTSEARCH_STEM_LEXICON")
        default_stemmer.cache_clear()
    assert "nangkap" not in default_stemmer().lexicon


def test_exceptions_file_is_well_formed() -> None:
    for row in rows("stem_exceptions.tsv"):
        word, kind, note = row
        assert word == word.lower() and word.isalpha(), row
        assert kind in ("root", "keep", "measure"), row
        assert note, f"entry without explanation: {row}"


def test_stem_pickles_by_reference() -> None:
    restored = pickle.loads(pickle.dumps(stem))
    assert restored is stem
    assert restored("penangkapan") == "tangkap"


def test_stem_is_cached() -> None:
    stem.cache_clear()
    stem("pengiriman")
    stem("pengiriman")
    info = stem.cache_info()
    assert info.hits >= 1 and info.maxsize is not None and info.maxsize >= 2**16


def test_stemmer_objects_are_per_thread() -> None:
    seen = []

    def grab() -> None:
        stemming._snowball("perkuat")
        # Keep the objects alive: ids of collected objects can be reused by the next thread.
        seen.append(stemming._local.stemmer)

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(stemmer) for stemmer in seen}) == 4


def test_thread_safety_smoke() -> None:
    words = [w for _, ws, _, _ in GOLDEN_ROWS for w in ws] * 20
    expected = [stem(w) for w in words]
    stem.cache_clear()  # make the threads do the work, not the cache
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(stem, words, chunksize=7))
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdeghijklmnoprstuwyz0123456789-", min_size=0, max_size=18))
def test_total_and_deterministic(word: str) -> None:
    key = stem(word)
    assert isinstance(key, str)
    assert default_stemmer().stem_word(word) == key or "-" in word
    if word.isalpha() and word:
        assert key  # never empties a word


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["tangkap", "pukul", "kirim", "serang", "ambil", "tulis", "bom"]))
def test_key_of_a_key_is_stable(root: str) -> None:
    assert stem(stem(root)) == stem(root)


PAIRS = Path(__file__).resolve().parent / "data" / "morphology_pairs.tsv"
# Right answers per family on tests/data/morphology_pairs.tsv, as measured with bnpt-id-9
# (benchmarks/conflation.py prints the table): a floor, so a rule that breaks a family fails.
PAIR_FLOORS = {
    "nasal_t": 29, "nasal_p": 26, "nasal_k": 28, "nasal_s": 30, "nasal_keep": 34, "sonorant": 45,
    "loan_nasal": 36, "plain": 32, "confix": 30, "suffix": 40, "inflection": 48, "clitic_hyphen": 13,
    "proclitic": 34, "redup": 26, "infix": 2, "loan_suffix": 15, "whole": 85,
}


def test_own_morphology_pairs_keep_their_floor() -> None:
    right: dict[str, int] = dict.fromkeys(PAIR_FLOORS, 0)
    wrong: dict[str, list[str]] = {family: [] for family in PAIR_FLOORS}
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, root, family = line.split("\t")
        got = stem(word)
        if got == root:
            right[family] += 1
        else:
            wrong[family].append(f"{word}->{got} (want {root})")
    below = {f: (right[f], PAIR_FLOORS[f], wrong[f]) for f in PAIR_FLOORS if right[f] < PAIR_FLOORS[f]}
    assert not below, below
    assert sum(right.values()) >= 553


def test_measure_words_are_a_parameter_known_after_se_only() -> None:
    with_measures = IndonesianStemmer(lexicon={"sendok"}, measures={"jam", "botol"})
    assert with_measures("sejam") == "jam" and with_measures("sebotol") == "botol"
    assert IndonesianStemmer(lexicon={"sendok"})("sebotol") == "sebotol"
    # A measure word is no evidence outside se-: meniti is me + titi, not menit + i.
    assert IndonesianStemmer(measures={"menit"})("meniti") != "menit"


def test_infix_needs_a_known_root() -> None:
    assert IndonesianStemmer(lexicon={"getar"})("gemetar") == "getar"
    assert IndonesianStemmer()("gemetar") == "gemetar"
    assert IndonesianStemmer(lexicon={"sangat"})("semangat") == "semangat"  # s-initial: se- words


def test_proclitics_need_a_known_root() -> None:
    assert IndonesianStemmer(lexicon={"tendang"})("kutendang") == "tendang"
    assert IndonesianStemmer()("kutendang") == "kutendang"
    assert IndonesianStemmer(lexicon={"tendang"})("kautendang") == "tendang"


@pytest.mark.parametrize(
    ("a", "b", "ending"),
    [("anak", "anak", ""), ("memukul", "mukul", ""), ("menakut", "nakuti", "i"), ("menakut", "nakutinya", "inya"),
     ("sebesar", "besarnya", "nya"), ("bolak", "balik", None), ("tembak", "menembak", None)],
)
def test_reduplication_ending(a: str, b: str, ending: str | None) -> None:
    assert reduplication_ending(a, b) == ending


def test_re_loans_and_long_e_loans_need_no_lexicon() -> None:
    bare = IndonesianStemmer()
    # No root starts with e + vowel or e + onset cluster: the r went with ber-/ter-/per-.
    assert [bare(w) for w in ("bereaksi", "terekreasi", "pereplikasian")] == ["reaksi", "rekreasi", "replikasi"]
    assert [bare(w) for w in ("beredar", "beremosi", "berenergi")] == ["edar", "emosi", "energi"]
    # meng+e+consonant: five syllables or more is an e- loan, fewer a melted k.
    assert [bare(w) for w in ("mengeliminasi", "mengelola", "mengecualikan")] == ["eliminasi", "kelola", "kecuali"]


def test_conflation_benchmark_counts_the_keys_a_change_moves(tmp_path: Path) -> None:
    from benchmarks.conflation import distinct_words, key_changes

    text = tmp_path / "t.jsonl"
    text.write_text('{"text": "Bereaksi cepat, BEREAKSI 2 kali; rumah"}\n', encoding="utf-8")
    words = distinct_words([text])
    assert words == ["bereaksi", "cepat", "kali", "rumah"]
    before = tmp_path / "before.tsv"
    before.write_text("bereaksi\teaksi\ncepat\tcepat\nlain\tlain\n", encoding="utf-8")
    assert key_changes({w: stem(w) for w in words}, before) == [("bereaksi", "eaksi", "reaksi")]
