"""Indonesian stemming for bnptsearch: Snowball ``indonesian`` plus morphological repairs.

:func:`stem` maps ONE lowercase token to its conflation key (usually the root), so that
``penangkapan``, ``menangkap``, ``ditangkap`` and ``tangkap`` all index and search as
``tangkap``. It runs at index time for every token and at query time for every query
term, so the same lowercase word always gives the same key, wherever it came from.

Why not Snowball alone? PyStemmer's Snowball ``indonesian`` stemmer (Tala's algorithm)
strips affixes without knowing which consonant a nasal prefix swallowed, so
``menangkap`` becomes ``angkap`` while ``ditangkap`` becomes ``tangkap``; it reads the
``ter-`` of ``teroris`` as a prefix, cuts ``berikan`` to ``ikan`` (fish) and ``pantai``
to ``panta``. This module keeps Snowball as the baseline and repairs it:

1. Guards: tokens with digits, without a vowel, with an onset or coda no Indonesian word
   has (``bnpt``, ``nctv``, ``unodc``), of three letters or fewer, or listed as ``keep``
   in ``data/stem_exceptions.tsv`` (names, acronyms, loans that look affixed) are
   returned unchanged.
2. Our own affix analysis in the confix-stripping tradition (Nazief & Adriani; Asian et
   al.), written from the linguistic description: particles (-lah -kah -tah -pun),
   possessives (-ku -mu -nya), derivational suffixes (-kan -an -i), prefixes (di- ke-
   se- ter- ber- per- meN- peN-, up to three) with the forbidden prefix/suffix pairs,
   and the nasal allomorphs of meN-/peN- with every recoding they allow (men+vowel ->
   t- or n-root, mem+vowel -> p- or m-root, meng+vowel -> vowel-, k- or ng-root,
   meny+vowel -> s- or ny-root, menge+monosyllable).
3. Choice between the candidate roots: a candidate that is a known root (our curated
   list in ``data/stem_exceptions.tsv``, plus an optional user lexicon, see below) wins,
   in Nazief-Adriani order (suffixes before prefixes, so ``berikan`` -> ``beri``, not
   ``ikan``). Otherwise the deepest analysis whose root is phonotactically plausible
   wins, with the more frequent recoding as the default (t, p, s; vowel or k by shape).
4. Controlled loan suffixes: -isme, -isasi and -is (radikalisme, radikalisasi, teroris)
   go back to their base; -nsi after n (toleransi -> toleran).
5. Snowball is the fallback when our analysis finds nothing to strip but Snowball's
   result passes the same plausibility checks and is a known root.

Optional lexicon: set ``BNPTSEARCH_STEM_LEXICON`` to the path of a hunspell ``.dic``
(e.g. Debian's ``/usr/share/hunspell/id_ID.dic``) or a plain word list, or to ``auto``
to use the hunspell file or an installed ``Sastrawi`` package when present. It only
adds known roots; the default behaviour (and the tests) never depend on it, and
:data:`STEMMER_VERSION` changes when one is loaded so that an index built with different
keys is detected as stale.

Example::

    >>> stem("penangkapan"), stem("ditangkap"), stem("teroris"), stem("bnpt")
    ('tangkap', 'tangkap', 'teror', 'bnpt')
"""

from __future__ import annotations

import functools
import os
import threading
from importlib import resources
from pathlib import Path

import Stemmer

__all__ = ["STEMMER_VERSION", "stem"]

_BASE_VERSION = "bnpt-id-5"

_VOWELS = frozenset("aeiou")
# Two-consonant onsets a root may start with: native digraphs plus the clusters of
# established loans (prediksi, klaim, transfer, skandal, ...). Anything else at the start
# of a token (bnpt, nctv, tni) means an acronym, not a word.
_ONSETS = frozenset(
    "ng ny sy kh gh tr pr kr gr br dr fr bl pl kl gl fl sl sk sp st sw sm sn tw dw kw ps "
    "ts ph th".split()
)
# Final clusters loans end with (bank, pers, teks, konteks, film, sport, modern -> rn...).
_CODAS = frozenset("ng rs rt rn rm rk ns nt st ft kt lm lt ps mp".split())
# Monosyllables that are fine as roots only after menge-/penge- (the form used exactly
# for one-syllable roots) or when known.
_DIPHTHONGS = ("ai", "au", "oi", "ei")

_PARTICLES = ("lah", "kah", "tah", "pun")
# Syllables an unknown word must keep for a particle to be cut (None: known roots only);
# see _inflection_variants.
_PARTICLE_MIN_SYLLABLES = {"lah": 3, "kah": 2, "tah": None, "pun": 3}
_POSSESSIVES = ("nya", "ku", "mu")


# --------------------------------------------------------------------------------------
# Lexicon: curated data file plus optional user lexicon


def _load_exceptions() -> tuple[frozenset[str], frozenset[str]]:
    """Read ``data/stem_exceptions.tsv``: ``word<TAB>kind<TAB>note`` lines."""
    roots: set[str] = set()
    keep: set[str] = set()
    text = resources.files("bnptsearch").joinpath("data/stem_exceptions.tsv").read_text(
        encoding="utf-8"
    )
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        word, kind = fields[0].strip(), fields[1].strip()
        if kind == "root":
            roots.add(word)
        elif kind == "keep":
            keep.add(word)
        else:  # pragma: no cover - guarded by the tests
            raise ValueError(f"stem_exceptions.tsv: unknown kind {kind!r} for {word!r}")
    return frozenset(roots), frozenset(keep)


def _load_user_lexicon() -> tuple[frozenset[str], str]:
    """Optional extra known roots named by BNPTSEARCH_STEM_LEXICON (never required)."""
    setting = os.environ.get("BNPTSEARCH_STEM_LEXICON", "").strip()
    if not setting:
        return frozenset(), ""
    words: set[str] = set()
    label = ""
    paths: list[Path] = []
    if setting.lower() == "auto":
        hun = Path("/usr/share/hunspell/id_ID.dic")
        if hun.is_file():
            paths.append(hun)
        else:
            try:  # the user's own installed copy; its licence is theirs to honour
                import Sastrawi  # type: ignore[import-not-found]

                base = Path(Sastrawi.__file__).parent
                paths.extend(base.rglob("kata-dasar.txt"))
            except ImportError:
                pass
    else:
        paths.append(Path(setting))
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            word = line.split("/", 1)[0].strip().lower()
            if word.isalpha() and word.isascii():
                words.add(word)
        label += f"+lex:{path.name}:{len(words)}"
    return frozenset(words), label


_ROOTS, _KEEP = _load_exceptions()
_USER_ROOTS, _USER_LABEL = _load_user_lexicon()
_KNOWN = _ROOTS | _USER_ROOTS

#: Version of the stemming rules and data; an index records it to notice stale keys.
STEMMER_VERSION: str = _BASE_VERSION + _USER_LABEL


# --------------------------------------------------------------------------------------
# Snowball, one object per thread (PyStemmer objects are not thread-safe)

_local = threading.local()


def _snowball(word: str) -> str:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("indonesian")
    return stemmer.stemWord(word)


# --------------------------------------------------------------------------------------
# Phonotactics


def _syllables(s: str) -> int:
    """Count syllable nuclei: vowels, with a word-final ai/au/oi/ei counted once.

    Indonesian diphthongs are word-final (pantai, pulau: two syllables); inside a word
    the vowels belong to two syllables (laut = la-ut, jauh = ja-uh, kuat = ku-at).
    """
    n = sum(1 for c in s if c in _VOWELS)
    if s[-2:] in _DIPHTHONGS:
        n -= 1
    return n


def _shape_ok(s: str) -> bool:
    """True if ``s`` has an onset and a coda an Indonesian word (or common loan) can have."""
    if not s.isalpha() or not any(c in _VOWELS for c in s):
        return False
    if s[0] not in _VOWELS and s[1:2] not in _VOWELS:
        two = s[:2]
        if two not in _ONSETS and s[:3] not in ("str", "spr", "skr", "skl"):
            return False
    if s[-1] not in _VOWELS and s[-2:-1] not in _VOWELS and len(s) > 2:
        if s[-2:] not in _CODAS:
            return False
    return True


def _plausible(root: str) -> bool:
    """Can ``root`` be a root? Known roots always; others need two syllables and a shape.

    A one-syllable remainder (ber+as, se+rang, per+ban) is almost always a false cut of an
    unprefixed word (beras, serangan, perban), so only known monosyllables (bom, bank)
    pass. Roots do not end in w or y (relaw+an is relawan, not a suffixed *relaw).
    """
    if root in _KNOWN:
        return True
    if len(root) < 3 or _syllables(root) < 2 or not _shape_ok(root):
        return False
    return root[-1] not in "wyjcqvx"


# --------------------------------------------------------------------------------------
# Prefixes: each rule yields (prefix_class, remainder) alternatives, default first


def _nasal(w: str, base: str) -> list[tuple[str, str]]:
    """Alternatives for meN-/peN- (``base`` is 'me' or 'pe'), most likely first.

    The nasal assimilates to the root's first sound and swallows voiceless t, p, k, s, so
    the remainder after the nasal is recoded: this is what Snowball does not do.
    """
    out: list[tuple[str, str]] = []
    cls = base  # 'me' or 'pe'
    rest = w[len(base) :]
    if not rest:
        return out
    if rest.startswith("nge") and len(rest) > 3:
        # menge-/penge- is the form for one-syllable roots: mengebom, pengeboman, mengecek.
        mono = rest[3:]
        if _syllables(mono) == 1 and _shape_ok(mono) and mono[0] not in _VOWELS:
            out.append((cls, mono))
    if rest.startswith("ngo") and (rest[3:4] == "o" or (rest[3:4] in ("n", "m", "r", "l")
                                                          and rest[4:5] not in _VOWELS)):
        # mengo+cluster is the melted k of loans: mengoordinasikan, mengonsumsi,
        # mengontrol, mengorbankan (koordinasi, konsumsi, kontrol, korban).
        out.append((cls, "k" + rest[2:]))
        out.append((cls, rest[2:]))
    elif rest.startswith("nge") and rest[3:4] and rest[3:4] not in _VOWELS:
        # meng+e+consonant: native roots hardly start with e, so the e belongs to a
        # k-root whose k melted: mengelola, mengembangkan, mengecam (kelola, kembang).
        out.append((cls, "k" + rest[2:]))
        out.append((cls, rest[2:]))
    elif rest.startswith("ng") and rest[2:3] in _VOWELS:
        # meng+vowel: a vowel root (mengambil) or a k-root (mengirim); vowel by default,
        # k when the k-root is known; ng-roots (menganga -> nganga) only when known.
        out.append((cls, rest[2:]))
        out.append((cls, "k" + rest[2:]))
        out.append(("me-plain" if cls == "me" else "pe-plain", rest))
    elif rest.startswith("ng") and rest[2:3] in ("g", "h", "k", "q", "x"):
        # meng before g, h and (in loans, mengkritik, mengklaim) k keeps the consonant.
        out.append((cls, rest[2:]))
    elif rest.startswith("ny") and rest[2:3] in _VOWELS:
        # meny+vowel: s-root (menyerang -> serang) or, when known, ny-root (menyanyi).
        out.append((cls, "s" + rest[2:]))
        out.append(("me-plain" if cls == "me" else "pe-plain", rest))
    elif rest.startswith("n") and rest[1:2] in _VOWELS:
        # men+vowel: t-root (menangkap -> tangkap) or, when known, n-root (menanti).
        out.append((cls, "t" + rest[1:]))
        out.append(("me-plain" if cls == "me" else "pe-plain", rest))
    elif rest.startswith("n") and rest[1:2] in ("c", "d", "j", "z", "t", "s"):
        # men before c, d, j, z; loans keep t and s (mentaati, mentransfer, mensyaratkan,
        # penstabilan).
        if rest[1:2] != "s" or rest[2:3] not in _VOWELS:
            out.append((cls, rest[1:]))
    elif rest.startswith("m") and rest[1:2] in _VOWELS:
        # mem+vowel: p-root (memukul -> pukul) or, when known, m-root (memakan -> makan).
        out.append((cls, "p" + rest[1:]))
        out.append(("me-plain" if cls == "me" else "pe-plain", rest))
    elif rest.startswith("m") and rest[1:2] in ("b", "f", "v", "p"):
        # mem before b, f, v; p kept in loans and before per- (memproses, memperkuat).
        out.append((cls, rest[1:]))
    elif rest[:1] in ("l", "r", "w", "y", "m", "n"):
        # me-/pe- before sonorants: melihat, merusak, mewujudkan, meyakinkan.
        out.append(("me-plain" if cls == "me" else "pe-plain", rest))
    if base == "pe" and rest[:1] and rest[:1] not in _VOWELS and rest[:1] not in "lrwymn":
        # Plain pe- (agent nouns without a nasal): pekerja, petarung, peserta, pedagang.
        out.append(("pe-plain", rest))
    return out


def _prefix_options(w: str) -> list[tuple[str, str]]:
    """All (prefix class, remainder) splits of ``w``, most likely first."""
    out: list[tuple[str, str]] = []
    if w.startswith("di"):
        out.append(("di", w[2:]))
    if w.startswith("ke"):
        out.append(("ke", w[2:]))
    if w.startswith("se"):
        out.append(("se", w[2:]))
    if w.startswith("me"):
        out.extend(_nasal(w, "me"))
    if w.startswith("pe"):
        if w.startswith("per"):
            # per+vowel root before pe+r-root: peralatan is alat, not ralat; known r-roots
            # (perawatan -> rawat) still win through the lexicon.
            out.append(("per", w[3:]))
        out.extend(_nasal(w, "pe"))
        if w.startswith("pelajar"):
            out.append(("per", w[3:]))  # pel- before ajar only: pelajar, mempelajari
    if w.startswith("ber"):
        out.append(("ber", w[3:]))
    if w.startswith("be"):
        if w.startswith("belajar"):
            out.append(("ber", w[3:]))  # bel- before ajar only: belajar
        rest = w[2:]
        # be- before an r-root (berambut = ber + rambut) or a C-er- syllable (bekerja).
        if rest.startswith("r") or (rest[:1] not in _VOWELS and rest[1:3] == "er"):
            out.append(("ber", rest))
    if w.startswith("ter"):
        out.append(("ter", w[3:]))
    if w.startswith("te"):
        rest = w[2:]
        # te- before r-roots (terasa = ter + rasa) and C-er- (tepercaya).
        if rest.startswith("r") or (rest[:1] not in _VOWELS and rest[1:3] == "er"):
            out.append(("ter", rest))
    if w.startswith("kau"):
        out.append(("kau", w[3:]))  # proclitic kau- (kauambil); accepted for known roots
    # Dedupe, keep order.
    seen: set[tuple[str, str]] = set()
    res = []
    for item in out:
        if item[1] and item not in seen:
            seen.add(item)
            res.append(item)
    return res


# Which prefix may follow which (memper-, diper-, keber-, keter-, diber-, diketahui,
# pemberdayaan, menye- of menyetujui is se- after meny- with s melted).
_MAY_FOLLOW = {
    "di": {"per", "ber", "ter", "ke", "se", "pe-plain"},
    "me": {"per", "ber", "ter", "ke", "se", "pe-plain"},
    "me-plain": {"per", "ber", "ke", "se"},
    "pe": {"ber", "ter", "ke", "se", "per"},
    "pe-plain": {"ber", "ter", "ke", "se", "per"},
    "ke": {"ber", "ter", "per", "se", "pe", "pe-plain"},
    "se": set(),
    "ber": {"ke", "se", "per"},
    "per": {"se", "ke", "ber"},
    "ter": {"ke", "per", "se", "ber"},
    "kau": {"per", "ber"},
}
# Confixes that do not occur (Nazief & Adriani): a word with such a pair has no such
# analysis. pe(N)- and ke- make nouns with -an, never with -kan.
_FORBIDDEN = {
    ("ber", "i"),
    ("di", "an"),
    ("ke", "i"),
    ("ke", "kan"),
    ("me", "an"),
    ("me-plain", "an"),
    ("se", "i"),
    ("se", "kan"),
    ("ter", "an"),
    ("pe", "kan"),
    ("pe-plain", "kan"),
    ("pe", "i"),
    ("pe-plain", "i"),
    ("kau", "an"),
}


# --------------------------------------------------------------------------------------
# Suffixes


def _inflection_variants(w: str) -> list[str]:
    """``w`` without particle and/or possessive, most stripped first, ``w`` last.

    Particles (-lah -kah -pun) and -ku/-mu are rare in news and end many roots (masalah,
    sekolah, abdullah, langkah, ilmu): they are cut when what remains is a known root or
    has three syllables or more. -kah is the exception: it marks the focus of a question
    on any word ("berapa persenkah", "orangkah"), and the roots it ends leave one
    syllable (langkah, naskah, nafkah), so it is cut down to two. -tah is archaic: known
    roots only. -nya is frequent and cut down to two syllables (rumahnya, bukunya; not
    tanya, punya).
    """
    def ok(base: str, min_syllables: int | None) -> bool:
        if base in _KNOWN:
            return True
        return min_syllables is not None and _syllables(base) >= min_syllables

    out = []
    for p in _PARTICLES:
        if w.endswith(p) and len(w) - len(p) >= 3 and ok(w[: -len(p)], _PARTICLE_MIN_SYLLABLES[p]):
            base = w[: -len(p)]
            for q in _POSSESSIVES:
                if base.endswith(q) and (
                    ok(base[: -len(q)], 3)
                    or (q == "nya" and _syllables(base[: -len(q)]) >= 2)
                ):
                    out.append(base[: -len(q)])
            out.append(base)
            break
    for q in _POSSESSIVES:
        rest = w[: -len(q)]
        if w.endswith(q) and len(rest) >= 3 and (
            ok(rest, 3) or (q == "nya" and _syllables(rest) >= 2)
        ):
            out.append(rest)
    out.append(w)
    return out


def _suffix_options(w: str) -> list[tuple[str, str]]:
    """(suffix, remainder) options; ``-kan`` before ``-an`` (berdasarkan -> dasar)."""
    out = []
    if w.endswith("kan"):
        out.append(("kan", w[:-3]))
    if w.endswith("an"):
        out.append(("an", w[:-2]))
    if w.endswith("i"):
        out.append(("i", w[:-1]))
    return [(s, r) for s, r in out if len(r) >= 2]


def _loan_base(w: str, require_known: bool) -> str | None:
    """Base of a loan with -isme, -isasi, -is or -nsi, or None.

    -isme and -isasi only ever come with loans (radikalisme, radikalisasi -> radikal);
    -is is also the end of many native roots (tulis, tangis, habis), so it is only cut
    after a consonant-final base of two or more syllables that is not an -ng word (so
    menangis does not become menang); -nsi is the loan ending of -nce/-ncy nouns
    (toleransi -> toleran) but not -ngsi (fungsi).
    """
    base = None
    if w.endswith("isasi"):
        base = w[:-5]
    elif w.endswith("isme"):
        base = w[:-4]
    elif w.endswith("is"):
        b = w[:-2]
        if b[-1:] and b[-1] not in _VOWELS and not b.endswith("ng"):
            base = b
    elif w.endswith("nsi") and not w.endswith("ngsi"):
        base = w[:-2]
    if not base or _syllables(base) < 2 or len(base) < 4:
        return None
    if require_known:
        return base if base in _KNOWN else None
    return base if _shape_ok(base) else None


# --------------------------------------------------------------------------------------
# Analysis


def _prefix_chains(w: str, prev: str | None, depth: int, suffix: str | None):
    """Yield (root, n_prefixes, classes) for every valid prefix stripping of ``w``."""
    if depth >= 3:
        return
    for cls, rest in _prefix_options(w):
        if prev is not None and cls not in _MAY_FOLLOW.get(prev, ()):
            continue
        if suffix is not None and (cls, suffix) in _FORBIDDEN and prev is None:
            continue
        yield rest, depth + 1, (prev, cls)
        yield from _prefix_chains(rest, cls, depth + 1, suffix)


def _candidates(w: str):
    """Yield (root, n_affixes, outer_prefix, inner_prefix, suffix) in Nazief-Adriani order."""
    for base in _inflection_variants(w):
        n_infl = 0 if base == w else 0.5  # weighs less than a derivational cut
        yield base, n_infl, None, None, None
        for sfx, rest in _suffix_options(base):
            yield rest, n_infl + 1, None, None, sfx
            for root, npre, (prev, cls) in _prefix_chains(rest, None, 0, sfx):
                yield root, n_infl + 1 + npre, prev, cls, sfx
        for root, npre, (prev, cls) in _prefix_chains(base, None, 0, None):
            yield root, n_infl + npre, prev, cls, None


def _valid(root: str, naffix: int, outer: str | None, cls: str | None, sfx: str | None,
           known: bool) -> bool:
    """Structural constraints a candidate must meet (beyond root plausibility)."""
    first = outer if outer is not None else cls
    if sfx is not None and first is not None and (first, sfx) in _FORBIDDEN:
        return False
    if sfx == "i" and first is None and not known:
        # A bare -i is an imperative that news hardly uses; taking it would cut names and
        # nouns (bekasi -> bekas, pantai -> panta, bali -> bal). Known roots only
        # (sakiti -> sakit).
        return False
    if first == "ke" and sfx not in ("an",) and cls == "ke" and outer is None:
        # Bare ke- is not productive outside ke-...-an (ketua is not ke+tua, kepala is
        # not ke+pala); keter-/keber- and diketahui are handled through the chain.
        return False
    if "se" in (outer, cls) and (outer is None or not known):
        # se- words are mostly function words or roots (sejarah, selatan, senjata,
        # sekolah, sekarang is not se+karang): se- is cut only inside a longer chain and
        # onto a known root (persemakmuran -> makmur, keseluruhan).
        return False
    if "kau" in (outer, cls) and not known:
        return False
    if root.endswith("kah") and naffix > 0 and not known:
        # With -kah cut as a question particle (persenkah -> persen), a stripped root
        # still ending in it is a prefix cut of that question form (per+senkah); the
        # few true -kah roots (langkah, tingkah, nikah) are listed.
        return False
    if sfx == "i" and root.endswith("s") and _syllables(root) >= 3 and not known:
        # Loans in -asi/-isi/-usi end in i that is not the suffix (didominasi,
        # terinspirasi); native -s roots that take -i have two syllables (batasi, awasi).
        return False
    return True


def _choose(w: str, bare_suffix: bool = True) -> str:
    known_hit = None
    best = None
    best_score = -1
    for root, naffix, outer, cls, sfx in _candidates(w):
        # A keep word reached by stripping is a known root too (didiskusikan -> diskusi).
        known = root in _KNOWN or root in _KEEP
        if not _valid(root, naffix, outer, cls, sfx, known):
            continue
        if not bare_suffix and sfx is not None and outer is None and cls is None:
            continue
        if known:
            known_hit = root
            break
        if naffix > 0 and _plausible(root):
            # Deepest plausible analysis; ties keep the earlier (default) one.
            score = float(naffix)
            # Bare X-kan on a word without prefix: prefer the noun reading X(k)+an
            # (gerakan, tindakan, ledakan) over the imperative X+kan.
            if sfx == "kan" and outer is None and cls is None:
                score -= 0.5
            elif sfx is not None and outer is None and cls is None:
                # Between a bare suffix and a bare prefix reading, the prefix one is
                # likelier (berbahan = ber + bahan, berperan = ber + peran).
                score -= 0.25
            if score > best_score:
                best, best_score = root, score
    if known_hit is not None:
        return known_hit
    if best is not None:
        return best
    return w


def _guard(word: str) -> bool:
    """True if ``word`` must be returned as is (acronyms, codes, names, short tokens)."""
    if len(word) <= 3 or word in _KEEP or not word.isalpha():
        return True
    return not _shape_ok(word)


def _stem_simple(word: str) -> str:
    if _guard(word):
        return word
    if word in _KNOWN:
        return word
    # Loan words with -isme/-isasi/-is whose base we know come first: the ter- of
    # teroris and terorisme is not a prefix.
    for base in _inflection_variants(word):
        lb = _loan_base(base, require_known=True)
        if lb is not None:
            return lb
    root = _choose(word)
    if root == word:
        # Nothing of ours applied: Snowball may know a cut we do not (e.g. a particle on
        # a short word); accept it only if it is a known root.
        snow = _snowball(word)
        if snow != word and snow in _KNOWN:
            return snow
    # Loan suffix on the root (ekstremisme -> ekstrem, toleransi -> toleran): analyse
    # the base again so that it meets the key of the bare loan word.
    lb = _loan_base(root, require_known=False)
    if lb is not None and lb not in _KEEP and root not in _KEEP:
        # Not with a bare suffix: the -an of toleran or asuran is part of the loan.
        return _choose(lb, bare_suffix=False) if not _guard(lb) and lb not in _KNOWN else lb
    return root


@functools.lru_cache(maxsize=2**18)
def stem(word: str) -> str:
    """Return the conflation key (root) of one lowercase token.

    >>> stem("menangkap")
    'tangkap'
    """
    if "-" in word:
        # Reduplication that reached us whole (praktik-praktik, memanggil-manggil,
        # berbalas-balasan): one key when both halves share a stem; other compounds
        # (bolak-balik) stay whole.
        parts = [p for p in word.split("-") if p]
        if len(parts) == 2:
            a, b = parts
            sa, sb = stem(a), stem(b)
            if a == b or sa == sb or a.endswith(b) or b.startswith(sa):
                return sa
        return word
    return _stem_simple(word)
