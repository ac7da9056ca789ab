"""The pruned numpy path (MaxScore over posting blocks) ranks exactly as the full one.

On the seed corpus every word fits in one posting block, so nothing can be skipped there:
these tests build an index of generated passages where common words span many blocks.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from bnptsearch import BlockCache, Index, vectorized, whoosh_compat
from bnptsearch.query import parse_query
from bnptsearch.ranking import DEFAULT_RANKING, score_sum
from bnptsearch.search import SCORED_FIELDS, whoosh_top
from bnptsearch.vectorized import CollectionStats, top_documents
from bnptsearch.whoosh_compat import term_positions

# Word i of the vocabulary is drawn with weight 1 / (i + 1): a few words are in most
# passages (many posting blocks), most are rare.
VOCABULARY = [f"kata{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}x" for i in range(600)]
QUERIES = [
    "katabax katacax",  # two common words
    "katabax katazbx",  # a common and a rarer word
    "katabax katacax katadax kataqmx",  # common words and a rare one
    "kataqmx katabax",
    "katahax katajbx katabax",
    "katabax",
    'katabax "katacax katadax"',  # a phrase: scored whole, added in
    "BNPT katabax katacax",  # an acronym with its long form: a group scored whole
    "katabax katacax NOT katadax",  # NOT: excluded passages leave the running
]
# Every this many articles, one defines the acronym the queries expand.
ACRONYM_EVERY = 40


def _write_corpus(folder: Path, articles: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    weights = [1 / (i + 1) for i in range(len(VOCABULARY))]
    folder.mkdir()
    with open(folder / "generated.jsonl", "w", encoding="utf-8") as file:
        for number in range(articles):
            words = rng.choices(VOCABULARY, weights, k=rng.randint(8, 40))
            title = " ".join(rng.choices(VOCABULARY, weights, k=3))
            if number % ACRONYM_EVERY == 0:
                words += ["Badan Nasional Penanggulangan Terorisme (BNPT)"]
            file.write(json.dumps({"id": f"gen{number:05d}", "title": title, "text": " ".join(words) + "."}) + "\n")


@pytest.fixture(scope="module")
def generated_index(tmp_path_factory) -> Index:
    folder = tmp_path_factory.mktemp("pruning")
    _write_corpus(folder / "corpus", 3000)
    index, _ = Index.build(folder / "corpus", folder / "index")
    yield index
    index.close()


def _summed(index: Index, text: str):
    searcher = index.searcher().whoosh
    searcher.weighting = DEFAULT_RANKING.weighting()
    parsed, _ = parse_query(text, searcher.schema, index.acronyms())
    summed = score_sum(parsed, SCORED_FIELDS)
    assert summed is not None
    return searcher, parsed, summed


def test_queries_have_the_shapes_they_test(generated_index: Index) -> None:
    # The parser's queries: each word a best-of group of its fields, pruned as one word;
    # the acronym's expansion a group scored whole; NOT an excluded clause.
    _, _, summed = _summed(generated_index, "BNPT katabax katacax")
    assert sum(vectorized._BestOf.fits(*group) for group in summed.best_of) == 2
    assert not all(vectorized._BestOf.fits(*group) for group in summed.best_of)
    assert _summed(generated_index, "katabax katacax NOT katadax")[2].excluded


def _blocks_decoded(monkeypatch, run) -> int:
    decoded = 0
    original = vectorized.read_block

    def counting(*args, **kwargs):
        nonlocal decoded
        decoded += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(vectorized, "read_block", counting)
    run()
    monkeypatch.setattr(vectorized, "read_block", original)
    return decoded


# Filled by the queries before: a warm cache holds other queries' blocks and headers.
_SHARED_CACHE = BlockCache()


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("limit", [1, 10, 100])
@pytest.mark.parametrize("cache", ["none", "cold", "warm", "small"])
def test_pruned_ranking_is_the_full_one(generated_index: Index, text: str, limit: int, cache: str) -> None:
    searcher, parsed, summed = _summed(generated_index, text)
    # "small": room for a few blocks, so entries come and go within one query.
    blocks = {"none": None, "cold": BlockCache(), "warm": _SHARED_CACHE, "small": BlockCache(20_000)}[cache]
    stats = CollectionStats(searcher, blocks=blocks)
    pruned = top_documents(stats, summed, limit)
    assert len(pruned) == limit
    # Equal to the last bit, scores included: the ties between passages break alike.
    assert pruned == top_documents(CollectionStats(searcher), summed, limit, prune=False)
    # Again, from what the cache kept: the same.
    assert top_documents(stats, summed, limit) == pruned
    theirs = [(hit.docnum, hit.score) for hit in whoosh_top(searcher, parsed, limit)]
    assert [docnum for docnum, _ in pruned] == [docnum for docnum, _ in theirs]
    assert [score for _, score in pruned] == pytest.approx([score for _, score in theirs], rel=1e-9)


def test_pruning_skips_blocks(generated_index: Index, monkeypatch) -> None:
    # The parser's own query: each word the best of its text and title forms, plus its
    # exact form.
    searcher, _, summed = _summed(generated_index, "katabax katacax katadax kataqmx")
    assert len(summed.best_of) == 4 and all(vectorized._BestOf.fits(*group) for group in summed.best_of)
    stats = CollectionStats(searcher)
    # The best passage: in an index this small, the ten best (and the passages that could
    # still beat them) sit in nearly every block of a common word.
    full = _blocks_decoded(monkeypatch, lambda: top_documents(stats, summed, 1, prune=False))
    pruned = _blocks_decoded(monkeypatch, lambda: top_documents(stats, summed, 1))
    assert full > 40, "the common words should span many blocks"
    assert pruned < full / 2


def test_pruning_with_deletions_and_segments(tmp_path) -> None:
    _write_corpus(tmp_path / "corpus", 600)
    index, _ = Index.build(tmp_path / "corpus", tmp_path / "index")
    (tmp_path / "corpus" / "more.jsonl").write_text(
        json.dumps({"id": "extra", "title": "katabax", "text": "katabax katacax kataqmx " * 3}) + "\n", encoding="utf-8"
    )
    index.update(tmp_path / "corpus")
    index.remove([f"gen{n:05d}" for n in range(0, 600, 3)])
    searcher, _, _ = _summed(index, "katabax")
    assert len(list(searcher.reader().leaf_readers())) > 1
    for text in QUERIES:
        _, _, summed = _summed(index, text)
        stats = CollectionStats(index.searcher().whoosh)
        for limit in (1, 10, 100):
            assert top_documents(stats, summed, limit) == top_documents(stats, summed, limit, prune=False), (text, limit)
    index.close()


def _ranked(index: Index, text: str) -> list[tuple[str, float]]:
    ranking = replace(DEFAULT_RANKING, vectorized_from=0)
    return [(hit.doc_id, hit.score) for hit in index.search(text, limit=20, ranking=ranking).hits]


def test_cached_blocks_follow_commits(tmp_path) -> None:
    """An index's cache, warmed by searches, answers as a fresh index does after commits
    that add, delete and merge: no block of a changed or merged segment is served."""
    _write_corpus(tmp_path / "corpus", 600)
    Index.build(tmp_path / "corpus", tmp_path / "index")[0].close()
    index = Index.open(tmp_path / "index")

    def same_as_fresh() -> None:
        with Index.open(tmp_path / "index", block_cache=0) as fresh:
            for text in QUERIES:
                assert _ranked(index, text) == _ranked(fresh, text), text

    same_as_fresh()
    assert index.block_cache.stats().entries > 0
    (tmp_path / "corpus" / "more.jsonl").write_text(
        "".join(
            json.dumps({"id": f"extra{n}", "title": "katabax", "text": "katabax katacax kataqmx " * (n + 1)}) + "\n"
            for n in range(30)
        ),
        encoding="utf-8",
    )
    index.update(tmp_path / "corpus")
    same_as_fresh()
    index.remove([f"gen{n:05d}" for n in range(0, 600, 3)])
    same_as_fresh()
    before = index.block_cache.stats().entries
    index.optimize()  # one segment: every entry cached so far belongs to a segment gone
    same_as_fresh()
    segments = {whoosh_compat.segment_key(leaf)[0] for leaf, _ in index.searcher().whoosh.reader().leaf_readers()}
    assert len(segments) == 1
    kept = index.block_cache._entries  # only blocks of the merged segment are left
    assert before and all(key[0] in segments for key in kept)
    index.close()


def test_a_warm_cache_decodes_nothing_again(generated_index: Index, monkeypatch) -> None:
    searcher, _, summed = _summed(generated_index, "katabax katacax katadax kataqmx")
    stats = CollectionStats(searcher, blocks=BlockCache())
    cold = _blocks_decoded(monkeypatch, lambda: top_documents(stats, summed, 10))
    warm = _blocks_decoded(monkeypatch, lambda: top_documents(stats, summed, 10))
    assert cold > 0 and warm == 0
    # With no room, every search decodes again.
    stats = CollectionStats(searcher, blocks=BlockCache(0))
    assert _blocks_decoded(monkeypatch, lambda: top_documents(stats, summed, 10)) == cold
    assert _blocks_decoded(monkeypatch, lambda: top_documents(stats, summed, 10)) == cold


def test_block_headers_are_whooshs(generated_index: Index) -> None:
    """The headers read from a copy of the posting list are those Whoosh's matcher walks."""
    searcher = generated_index.searcher().whoosh
    compared = []
    for leaf, _ in searcher.reader().leaf_readers():
        for word in ("katabax", "katacax", "kataqmx", "katavwx"):
            held = whoosh_compat.term_blocks(leaf, "text", word)
            if held is None:  # a small segment (a batch's end depends on the CPU time) may lack it
                assert ("text", word) not in leaf
                continue
            info, blocks = held
            matcher = whoosh_compat._leaf_matcher(leaf, "text", word, info)
            if not isinstance(matcher, whoosh_compat.W3LeafMatcher):
                assert blocks.inline is not None and len(blocks.lasts) == 1
                continue
            theirs = []
            while matcher.is_active():
                span = (matcher._dataoffset, matcher._nextoffset - matcher._dataoffset, matcher._compression)
                theirs.append((matcher._maxid, matcher._maxweight, matcher._blocklength, span))
                matcher._next_block()
            assert list(zip(blocks.lasts, blocks.max_weights, blocks.counts, blocks.spans)) == theirs
            compared.append(len(theirs))
    assert max(compared) > 10  # a common word's many blocks
    assert whoosh_compat.term_blocks(leaf, "text", "tidakadax") is None


def test_term_positions_decode_only_what_is_asked(generated_index: Index, monkeypatch) -> None:
    """The proximity rescore's positions, read from the blocks that hold the passages asked
    for, are Whoosh's own."""
    searcher = generated_index.searcher().whoosh
    wanted = list(range(3, searcher.doc_count_all(), 97))
    for word in ("katabax", "katacax", "kataqmx"):
        matcher = searcher.postings("text", word)
        theirs = {}
        while matcher.is_active():
            if matcher.id() in wanted:
                theirs[matcher.id()] = list(matcher.value_as("positions"))
            matcher.next()
        assert term_positions(searcher.reader(), "text", word, wanted) == theirs
        # With the block headers from a cache (those the scoring read), the same.
        cached = CollectionStats(searcher, blocks=BlockCache()).blocks
        assert term_positions(searcher.reader(), "text", word, wanted, cached) == theirs
        assert term_positions(searcher.reader(), "text", word, wanted, cached) == theirs
    decoded = []
    original = whoosh_compat._block_data
    monkeypatch.setattr(whoosh_compat, "_block_data", lambda *args: decoded.append(1) or original(*args))
    term_positions(searcher.reader(), "text", "katabax", wanted[:2])
    assert 0 < len(decoded) <= 2


def test_deeper_fetch_for_the_article_cap_scores_once(tmp_path, monkeypatch) -> None:
    """One article fills the first page past its cap of 3 passages: the search fetches
    deeper, and the 100 passages the proximity rescore needs are scored only once."""
    paragraphs = [f"Paragraf {i} tentang zebrakuda langkawi di kota nomor {i}, dan hal lain." for i in range(60)]
    articles = [{"id": "besar", "title": "Arsip", "text": "\n\n".join(paragraphs)}]
    articles += [{"id": f"kecil{i}", "title": "Lain", "text": f"Berita {i} zebrakuda langkawi."} for i in range(5)]
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.jsonl").write_text("\n".join(json.dumps(a) for a in articles) + "\n", encoding="utf-8")
    index, _ = Index.build(tmp_path / "corpus", tmp_path / "index")
    depths = []
    original = vectorized.top_documents
    monkeypatch.setattr(vectorized, "top_documents", lambda *args, **kwargs: depths.append(args[2]) or original(*args, **kwargs))
    hits = index.search("zebrakuda langkawi", limit=5, ranking=replace(DEFAULT_RANKING, vectorized_from=0)).hits
    assert [hit.doc_id for hit in hits] == ["besar"] * 3 + ["kecil0", "kecil1"]
    assert depths == [DEFAULT_RANKING.proximity_depth]
    index.close()
