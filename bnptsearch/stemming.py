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
   Clitics and reduplication: -ku/-mu/-nya need two syllables or one closed syllable before
   them (rompiku, tasku; not bangku); -lah needs three syllables, or two ending in a
   consonant (datanglah; masalah, sekolah stay); a particle cut from a word is not read
   again inside a root under a prefix (diamlah is not di + amlah); a clitic after a hyphen
   is dropped (bnpt-nya); a reduplication carrying an affix of the whole word gets that
   word's key (menakut-nakuti -> takut); se- is cut before a measure word (sebuah -> buah);
   di- before an s-cluster needs a suffix, else it is the dis- of a loan (distorsi,
   distabilkan -> stabil); ku-/kau-, se-...-nya and fossil infixes (telunjuk) only onto
   known roots. A remainder in e + vowel or e + cluster is no root but the r-root of a re-
   loan after be-/te-/pe- (bereaksi -> reaksi); meng+e+consonant is a melted k unless the
   root has five syllables or more, which only loans have (mengeliminasi -> eliminasi).
3. Choice between the candidate roots: a candidate that is a known root (our curated
   list in ``data/stem_exceptions.tsv``, plus an optional user lexicon, see below) wins,
   in Nazief-Adriani order (suffixes before prefixes, so ``berikan`` -> ``beri``, not
   ``ikan``). Otherwise the deepest analysis whose root is phonotactically plausible
   wins, with the more frequent recoding as the default (t, p, s; vowel or k by shape).
4. Controlled loan suffixes: -isme, -isasi and -is (radikalisme, radikalisasi, teroris)
   go back to their base; -nsi after n (toleransi -> toleran).
5. Snowball is the fallback when our analysis finds nothing to strip but Snowball's
   result passes the same plausibility checks and is a known root.

Known roots and words kept whole are parameters of :class:`IndonesianStemmer` (as Lucene's
``IndonesianAnalyzer`` takes its ``stemExclusionSet``); :func:`stem` is the default
stemmer, built on first use from ``data/stem_exceptions.tsv`` plus, when the environment
variable ``BNPTSEARCH_STEM_LEXICON`` names a hunspell ``.dic`` or a plain word list, that
lexicon's words as extra known roots. Measured, Debian's hunspell-id as that lexicon makes
things slightly worse (conflation-dev 35 -> 31 of 35 lines, sastrawi-dev 98 -> 81 of 103
pairs, TyDi nDCG@10 -0.0013), so none is used by default; :data:`STEMMER_VERSION` does not
record one, so rebuild an index after setting or changing it.

Example::

    >>> stem("penangkapan"), stem("ditangkap"), stem("teroris"), stem("bnpt")
    ('tangkap', 'tangkap', 'teror', 'bnpt')
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import Stemmer

from .data import rows

__all__ = [
    "CLITICS",
    "STEMMER_VERSION",
    "IndonesianStemmer",
    "default_stemmer",
    "read_lexicon",
    "reduplication_ending",
    "stem",
]

#: Version of the stemming rules and data; an index records it to notice stale keys.
#: Editing the rules or ``data/stem_exceptions.tsv`` changes keys: bump it.
STEMMER_VERSION: str = "bnpt-id-9"

_VOWELS = frozenset("aeiou")
_HAS_VOWEL = re.compile("[aeiou]").search
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
# Root endings after which a bare -i is the suffix (see IndonesianStemmer.is_valid_analysis).
_BARE_I_AFTER = ("h", "ng", "u")
# Syllables an unknown word must keep for a particle to be cut (None: known roots only);
# see IndonesianStemmer.remove_particle.
_PARTICLE_MIN_SYLLABLES = {"lah": 3, "kah": 2, "tah": None, "pun": 3}
_POSSESSIVES = ("nya", "ku", "mu")
#: Enclitics a word may carry, also written after a hyphen ("BNPT-nya", "rahmat-Mu"): the
#: tokenizer and :meth:`IndonesianStemmer.stem` drop them there.
CLITICS: frozenset[str] = frozenset(_PARTICLES + _POSSESSIVES)
# What the second half of a reduplication may end in beyond the repeated base: a suffix of
# the whole word and/or a clitic (menakut-nakuti, mengait-ngaitkan, sebesar-besarnya).
# Longest first: menakut-nakutinya ends in -i plus -nya.
_REDUPLICATION_ENDINGS = tuple(
    sorted(
        {sfx + clitic for sfx in ("", "kan", "an", "i") for clitic in ("", *_PARTICLES, *_POSSESSIVES)} - {""},
        key=len,
        reverse=True,
    )
)
# Fossil infixes, after a root's first consonant (telunjuk, gemuruh, temurun).
_INFIXES = ("el", "em", "er")
# Proclitic pronouns (kubaca, kauambil): they weigh half a prefix, like an inflection.
_PROCLITICS = ("ku", "kau")

# What a word must start or end with for any rule below to cut it (the prefixes and ku-/kau-;
# the suffixes -kan -an -i, particles, possessives and the loan endings -is/-isme/-isasi/-nsi):
# a word with neither, and without an infix's shape, is its own key. Most names and roots are
# such words, and this spares them the candidate search (half the stemmer's time).
_AFFIX_STARTS = ("di", "ke", "se", "me", "pe", "be", "te", *_PROCLITICS)
_AFFIX_ENDS = ("an", "i", "is", "isme", *_PARTICLES, *_POSSESSIVES)

# A candidate root: (root, affixes cut, outer prefix class, inner prefix class, suffix).
# Inflections count 0.5: they weigh less than a derivational cut.
_Candidate = tuple[str, float, str | None, str | None, str | None]


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
    if not s.isalpha() or _HAS_VOWEL(s) is None:
        return False
    if s[0] not in _VOWELS and s[1:2] not in _VOWELS:
        two = s[:2]
        if two not in _ONSETS and s[:3] not in ("str", "spr", "skr", "skl"):
            return False
    if s[-1] not in _VOWELS and s[-2:-1] not in _VOWELS and len(s) > 2:
        if s[-2:] not in _CODAS:
            return False
    return True


def _lost_r(root: str) -> bool:
    """Is ``root`` an r-root whose r a be-/te-/pe-(r) reading took (eaksi, eproduksi)?

    No root begins with e before a, i or o, nor with an open syllable e- before an onset
    cluster in r or l (pr, kl, tr ...): such a remainder is the re- of a Latin loan whose r
    went with ber-/ter-/per- (bereaksi, terealisasi -> reaksi, realisasi; bereproduksi,
    tereklamasi -> reproduksi, reklamasi). ``eu`` is left alone (euforia); e before one
    consonant is both (edar, efek; reformasi): it stays the vowel root.

    >>> _lost_r("eaksi"), _lost_r("eproduksi"), _lost_r("edar")
    (True, True, False)
    """
    return root[:1] == "e" and (root[1:2] in ("a", "i", "o") or (root[1:3] in _ONSETS and root[2:3] in ("r", "l")))


def _closed_monosyllable(rest: str, possessive: str) -> bool:
    """Is ``rest`` one closed syllable (tas, hak, sel, skor) that ``possessive`` may follow?

    The roots that end in -ku, -mu or -nya have an open syllable before it (bu-ku, ta-mu,
    ta-nya); a closed one is a word of its own (tasku, haknya, selnya), except where a nasal
    before -ku or -mu belongs to the root (bangku, tungku, tengku; jammu).
    """
    if len(rest) < 3 or rest[-1] in _VOWELS or _syllables(rest) != 1 or not _shape_ok(rest):
        return False
    return not ((possessive == "ku" and rest[-1] in "ng") or (possessive == "mu" and rest[-1] == "m"))


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
    "ku": {"per", "ber"},
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
    ("ku", "an"),
}



def reduplication_ending(a: str, b: str) -> str | None:
    """What the second half of the hyphenated word ``a-b`` adds to a repeat of the first:
    ``""`` for a plain repeat (praktik-praktik, memanggil-manggil), a suffix or clitic of the
    whole word (menakut-nakuti: ``"i"``), or None when ``b`` repeats no end of ``a``.
    By shape only; reduplication with a prefix on the second half (tembak-menembak) needs
    the stemmer.

    >>> reduplication_ending("praktik", "praktik"), reduplication_ending("sebesar", "besarnya")
    ('', 'nya')
    """
    if a == b or (len(b) > 2 and a.endswith(b)):
        return ""
    for ending in _REDUPLICATION_ENDINGS:
        core = b[: -len(ending)]
        if b.endswith(ending) and len(core) > 2 and a.endswith(core):
            return ending
    return None


# --------------------------------------------------------------------------------------
# The stemmer


class IndonesianStemmer:
    """Affix stripping with nasal recoding, choosing between candidate roots with a lexicon.

    ``lexicon`` holds the known roots (evidence between candidate roots, and words returned
    as they are); ``keep`` the words returned unchanged (names, acronyms, loans that look
    affixed); ``measures`` the classifiers, units and numerals that se- ("one") attaches to
    (sebuah, sekilo, setahun, sejam), known roots after se- only. Each rule is one method;
    :meth:`stem` combines them.

    >>> IndonesianStemmer()("menangkap"), IndonesianStemmer(lexicon={"nangkap"})("menangkap")
    ('tangkap', 'nangkap')
    """

    def __init__(self, lexicon: Iterable[str] = (), keep: Iterable[str] = (), measures: Iterable[str] = ()) -> None:
        self.lexicon = frozenset(lexicon)
        self.keep = frozenset(keep)
        self.measures = frozenset(measures)

    def __repr__(self) -> str:
        return f"IndonesianStemmer(<{len(self.lexicon)} roots>, <{len(self.keep)} kept>)"

    def __call__(self, word: str) -> str:
        return self.stem(word)

    # -- guards and evidence ----------------------------------------------------------

    def is_guarded(self, word: str) -> bool:
        """True if ``word`` must be returned as is (acronyms, codes, names, short tokens)."""
        if len(word) <= 3 or word in self.keep or not word.isalpha():
            return True
        return not _shape_ok(word)

    def is_plausible_root(self, root: str) -> bool:
        """Can ``root`` be a root? Known roots always; others need two syllables and a shape.

        A one-syllable remainder (ber+as, se+rang, per+ban) is almost always a false cut of
        an unprefixed word (beras, serangan, perban), so only known monosyllables (bom,
        bank) pass. Roots do not end in w or y (relaw+an is relawan, not a suffixed *relaw).
        """
        if root in self.lexicon:
            return True
        if len(root) < 3 or _syllables(root) < 2 or not _shape_ok(root):
            return False
        if root[0] == "e" and _lost_r(root):  # the test first: few roots start with e
            return False
        return root[-1] not in "wyjcqvx"

    def _may_cut(self, base: str, min_syllables: int | None) -> bool:
        """May an inflection be cut, leaving ``base``? Known roots always, else by length."""
        if base in self.lexicon:
            return True
        return min_syllables is not None and _syllables(base) >= min_syllables

    # -- inflections --------------------------------------------------------------------

    def remove_particle(self, w: str) -> str | None:
        """``w`` without its particle (-lah -kah -tah -pun), or None.

        Particles are rare in news and end many roots (masalah, sekolah, abdullah), so one
        is cut when what remains is a known root or has three syllables or more; -lah also
        after two syllables ending in a consonant (datanglah), never after an l (the names
        built on Allah). -kah is the exception: it marks the focus of a question on any word
        ("berapa persenkah", "orangkah"), and the roots it ends leave one syllable (langkah,
        naskah, nafkah), so it is cut down to two. -tah is archaic: known roots only.

        >>> IndonesianStemmer().remove_particle("datanglah"), IndonesianStemmer().remove_particle("masalah")
        ('datang', None)
        """
        if not w.endswith(_PARTICLES):  # most words: spare them the loop
            return None
        for p in _PARTICLES:
            if not w.endswith(p) or len(w) - len(p) < 3:
                continue
            base = w[: -len(p)]
            if base in self.lexicon:
                return base
            if p == "lah" and base[-1] == "l":
                # -llah ends the names built on Allah (abdullah, hizbullah, ubaidillah).
                continue
            if self._may_cut(base, _PARTICLE_MIN_SYLLABLES[p]) or (p == "lah" and self._closed_two_syllables(base)):
                return base
        return None

    @staticmethod
    def _closed_two_syllables(base: str) -> bool:
        """Does ``base`` have two syllables and end in a consonant? The roots that end in -lah
        have one syllable before it (jum-lah, ka-lah, ce-lah) or end in a vowel before it
        (masa-lah, seko-lah, isti-lah), so -lah after such a base is the particle (datanglah,
        tenanglah, cepatlah)."""
        return base[-1] not in _VOWELS and _syllables(base) == 2

    def remove_possessive(self, w: str, min_length: int = 3) -> str | None:
        """``w`` without its possessive (-nya -ku -mu), or None.

        A possessive is cut when a known root, two syllables or one closed syllable remain
        (rumahnya, rompiku, gurumu, tasku): the roots that end in -nya, -ku or -mu have one
        open syllable before it (tanya, punya, buku, tamu; see :func:`_closed_monosyllable`).
        Before a particle no ``min_length`` applies (``min_length=0``).

        >>> IndonesianStemmer().remove_possessive("rompiku"), IndonesianStemmer().remove_possessive("ilmu")
        ('rompi', None)
        """
        for q in _POSSESSIVES:
            if w.endswith(q):
                rest = w[: -len(q)]
                if len(rest) >= min_length and (self._may_cut(rest, 2) or _closed_monosyllable(rest, q)):
                    return rest
        return None

    def inflection_variants(self, w: str) -> list[str]:
        """``w`` without particle and/or possessive, most stripped first, ``w`` last.

        >>> IndonesianStemmer().inflection_variants("rumahnyalah")
        ['rumah', 'rumahnya', 'rumahnyalah']
        """
        out = []
        base = self.remove_particle(w)
        if base is not None:
            bare = self.remove_possessive(base, min_length=0)
            if bare is not None:
                out.append(bare)
            out.append(base)
        # Particles and possessives end differently: after a particle no possessive is left.
        bare = self.remove_possessive(w)
        if bare is not None:
            out.append(bare)
        out.append(w)
        return out

    # -- derivational suffixes ----------------------------------------------------------

    @staticmethod
    def suffix_options(w: str) -> list[tuple[str, str]]:
        """(suffix, remainder) options; ``-kan`` before ``-an`` (berdasarkan -> dasar).

        >>> IndonesianStemmer.suffix_options("berdasarkan")
        [('kan', 'berdasar'), ('an', 'berdasark')]
        """
        out = []
        if w.endswith("kan"):
            out.append(("kan", w[:-3]))
        if w.endswith("an"):
            out.append(("an", w[:-2]))
        if w.endswith("i"):
            out.append(("i", w[:-1]))
        return [(s, r) for s, r in out if len(r) >= 2]

    def loan_base(self, w: str, require_known: bool) -> str | None:
        """Base of a loan with -isme, -isasi, -is or -nsi, or None.

        -isme and -isasi only ever come with loans (radikalisme, radikalisasi -> radikal);
        -is is also the end of many native roots (tulis, tangis, habis), so it is only cut
        after a consonant-final base of two or more syllables that is not an -ng word (so
        menangis does not become menang); -nsi is the loan ending of -nce/-ncy nouns
        (toleransi -> toleran) but not -ngsi (fungsi).
        """
        if not w.endswith(("i", "is", "isme")):  # what every ending below ends with
            return None
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
            return base if base in self.lexicon else None
        return base if _shape_ok(base) else None

    # -- prefixes: each rule gives (prefix class, remainder) alternatives, default first --

    @staticmethod
    def nasal_options(w: str, base: str) -> list[tuple[str, str]]:
        """Alternatives for meN-/peN- (``base`` is 'me' or 'pe'), most likely first.

        The nasal assimilates to the root's first sound and swallows voiceless t, p, k, s,
        so the remainder after the nasal is recoded: this is what Snowball does not do.

        >>> IndonesianStemmer.nasal_options("menangkap", "me")
        [('me', 'tangkap'), ('me-plain', 'nangkap')]
        """
        out: list[tuple[str, str]] = []
        cls = base  # 'me' or 'pe'
        plain = "me-plain" if cls == "me" else "pe-plain"
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
        elif rest.startswith(("ngeks", "ngev")):
            # meng+eks/ev is a loan with ex-/ev- (mengekspor, mengekspansi, mengevaluasi): no
            # k-root starts with keks or kev.
            out.append((cls, rest[2:]))
        elif rest.startswith("nge") and rest[3:4] and rest[3:4] not in _VOWELS:
            # meng+e+consonant: native roots hardly start with e, so the e belongs to a
            # k-root whose k melted: mengelola, mengembangkan, mengecam (kelola, kembang).
            # Except for roots of five syllables or more: native roots have at most four
            # (kelola, kerucut, kecuali, kelelawar), so such a root is a loan in e-
            # (mengeliminasi, mengelaborasi -> eliminasi, elaborasi).
            k_root, e_root = (cls, "k" + rest[2:]), (cls, rest[2:])
            out.extend((e_root, k_root) if _syllables(rest) >= 5 else (k_root, e_root))
        elif rest.startswith("ng") and rest[2:3] in _VOWELS:
            # meng+vowel: a vowel root (mengambil) or a k-root (mengirim); vowel by default,
            # k when the k-root is known; ng-roots (menganga -> nganga) only when known.
            out.append((cls, rest[2:]))
            out.append((cls, "k" + rest[2:]))
            out.append((plain, rest))
        elif rest.startswith("ng") and rest[2:3] in ("g", "h", "k", "q", "x"):
            # meng before g, h and (in loans, mengkritik, mengklaim) k keeps the consonant.
            out.append((cls, rest[2:]))
        elif rest.startswith("ng") and rest[2:3] in ("r", "l"):
            # peng- before r and l, the everyday form of pe-/per- (pengrusakan, pengrajin,
            # penglihatan): no root starts with ngr or ngl.
            out.append((cls, rest[2:]))
        elif rest.startswith("ny") and rest[2:3] in _VOWELS:
            # meny+vowel: s-root (menyerang -> serang) or, when known, ny-root (menyanyi).
            out.append((cls, "s" + rest[2:]))
            out.append((plain, rest))
        elif rest.startswith("n") and rest[1:2] in _VOWELS:
            # men+vowel: t-root (menangkap -> tangkap) or, when known, n-root (menanti).
            out.append((cls, "t" + rest[1:]))
            out.append((plain, rest))
        elif rest.startswith("n") and rest[1:2] in ("c", "d", "j", "z", "t", "s"):
            # men before c, d, j, z; loans keep t and s (mentaati, mentransfer, mensyaratkan,
            # penstabilan, and the unmelted s of mensosialisasikan, mensubsidi).
            out.append((cls, rest[1:]))
        elif rest.startswith("m") and rest[1:2] in _VOWELS:
            # mem+vowel: p-root (memukul -> pukul) or, when known, m-root (memakan -> makan).
            # Roots of three syllables or more are mostly loans, and m-loans (monitor,
            # maksimal, motivasi, manipulasi) outnumber the p-loans (publikasi, posisi), which
            # news often writes with their p (mempublikasikan): there the m-root comes first.
            # Except before e: the long native p-roots are pe-/per- fossils (periksa, percaya,
            # pengaruh, pelihara, penjara, pesona), so memeriksa is p + eriksa.
            p_root, m_root = (cls, "p" + rest[1:]), (plain, rest)
            m_first = _syllables(rest) >= 3 and rest[1] != "e"
            out.extend((m_root, p_root) if m_first else (p_root, m_root))
        elif rest.startswith("m") and rest[1:2] in ("b", "f", "v", "p"):
            # mem before b, f, v; p kept in loans and before per- (memproses, memperkuat).
            out.append((cls, rest[1:]))
        elif rest.startswith("mr"):
            # The p of a pr- loan melted (pemrosesan, pemrograman, pemrakarsa): no root
            # starts with mr.
            out.append((cls, "p" + rest[1:]))
        elif rest[:1] in ("l", "r", "w", "y", "m", "n"):
            # me-/pe- before sonorants: melihat, merusak, mewujudkan, meyakinkan.
            out.append((plain, rest))
        if base == "pe" and rest[:1] and rest[:1] not in _VOWELS and rest[:1] not in "lrwymn":
            # Plain pe- (agent nouns without a nasal): pekerja, petarung, peserta, pedagang.
            out.append(("pe-plain", rest))
        return out

    @classmethod
    def prefix_options(cls, w: str) -> list[tuple[str, str]]:
        """All (prefix class, remainder) splits of ``w``, most likely first.

        >>> IndonesianStemmer.prefix_options("berperan")
        [('ber', 'peran'), ('ber', 'rperan')]
        """
        out: list[tuple[str, str]] = []
        # Every prefix is told by the word's first two letters: one branch per word.
        head = w[:2]
        if head in ("di", "ke", "se"):
            out.append((head, w[2:]))
        elif head == "me":
            out.extend(cls.nasal_options(w, "me"))
        elif head == "pe":
            if w.startswith("per"):
                # per+vowel root before pe+r-root: peralatan is alat, not ralat; known
                # r-roots (perawatan -> rawat) still win through the lexicon.
                out.append(("per", w[3:]))
            out.extend(cls.nasal_options(w, "pe"))
            if w.startswith("pelajar"):
                out.append(("per", w[3:]))  # pel- before ajar only: pelajar, mempelajari
        elif head == "be":
            if w.startswith(("ber", "belajar")):
                out.append(("ber", w[3:]))  # bel- before ajar only: belajar
            rest = w[2:]
            # be- before an r-root (berambut = ber + rambut) or a C-er- syllable (bekerja).
            if rest.startswith("r") or (rest[:1] not in _VOWELS and rest[1:3] == "er"):
                out.append(("ber", rest))
        elif head == "te":
            if w.startswith("ter"):
                out.append(("ter", w[3:]))
            rest = w[2:]
            # te- before r-roots (terasa = ter + rasa) and C-er- (tepercaya).
            if rest.startswith("r") or (rest[:1] not in _VOWELS and rest[1:3] == "er"):
                out.append(("ter", rest))
        elif head in ("ku", "ka"):
            for proclitic in _PROCLITICS:
                if w.startswith(proclitic):
                    out.append((proclitic, w[len(proclitic) :]))  # kubaca, kauambil
        # Dedupe, keep order.
        return [item for item in dict.fromkeys(out) if item[1]]

    @classmethod
    def prefix_chains(
        cls, w: str, prev: str | None, depth: int, suffix: str | None
    ) -> Iterator[tuple[str, int, tuple[str | None, str]]]:
        """Yield (root, n_prefixes, (outer class, inner class)) for every valid prefix stripping of ``w``."""
        if depth >= 3:
            return
        for prefix, rest in cls.prefix_options(w):
            if prev is not None and prefix not in _MAY_FOLLOW.get(prev, ()):
                continue
            if suffix is not None and (prefix, suffix) in _FORBIDDEN and prev is None:
                continue
            yield rest, depth + 1, (prev, prefix)
            yield from cls.prefix_chains(rest, prefix, depth + 1, suffix)


    # -- choosing the root --------------------------------------------------------------

    def candidates(self, w: str, variants: list[str] | None = None) -> Iterator[_Candidate]:
        """Yield (root, n_affixes, outer_prefix, inner_prefix, suffix) in Nazief-Adriani order;
        ``variants``: :meth:`inflection_variants` of ``w`` when already known."""
        for base in self.inflection_variants(w) if variants is None else variants:
            n_infl = 0 if base == w else 0.5  # weighs less than a derivational cut
            yield base, n_infl, None, None, None
            for sfx, rest in self.suffix_options(base):
                yield rest, n_infl + 1, None, None, sfx
                for root, npre, (prev, cls) in self.prefix_chains(rest, None, 0, sfx):
                    yield root, n_infl + 1 + npre, prev, cls, sfx
            for root, npre, (prev, cls) in self.prefix_chains(base, None, 0, None):
                yield root, n_infl + npre, prev, cls, None

    @staticmethod
    def is_valid_analysis(
        root: str,
        naffix: float,
        outer: str | None,
        cls: str | None,
        sfx: str | None,
        known: bool,
        measure: bool = False,
    ) -> bool:
        """Structural constraints a candidate must meet (beyond root plausibility); ``measure``:
        ``root`` is a measure word."""
        first = outer if outer is not None else cls
        if sfx is not None and first is not None and (first, sfx) in _FORBIDDEN:
            return False
        if sfx == "i" and first is None and not known and not root.endswith(_BARE_I_AFTER):
            # A bare -i is an imperative that news hardly uses; taking it would cut names
            # and nouns (bekasi -> bekas, pantai -> panta, bali -> bal, polisi, terapi).
            # Known roots, and roots ending where hardly an -i noun does: jauhi, datangi,
            # temui (tinggi would leave tingg, which ends in g).
            return False
        if first == "ke" and sfx not in ("an",) and cls == "ke" and outer is None:
            # Bare ke- is not productive outside ke-...-an (ketua is not ke+tua, kepala is
            # not ke+pala); keter-/keber- and diketahui are handled through the chain.
            return False
        if cls == "ke" and outer in ("me", "pe") and not known:
            # meN-/peN- + ke- is fossil (mengetahui, pengetahuan, mengemukakan): known roots
            # only, else mengemudi would be me + ke + mudi, not kemudi.
            return False
        if "se" in (outer, cls) and (outer is None or not known) and not (outer is None and measure):
            # se- words are mostly function words or roots (sejarah, selatan, senjata,
            # sekolah, sekarang is not se+karang): se- ("one") is cut before a measure word
            # (sebuah, sesendok, setahun), inside a longer chain onto a known root
            # (persemakmuran -> makmur, keseluruhan), and in se-...-nya (se_confix).
            return False
        if cls == "di" and outer is None and not known and root[:1] == "s" and root[1:2] not in _VOWELS \
                and root[1:2] != "y" and not (sfx == "kan" or (sfx == "i" and not root.endswith("s"))):
            # di- before an s-cluster without a suffix is the Latin dis- of a loan (distorsi,
            # diskriminasi, dispersi, distributor); the passive of a loan verb carries its
            # suffix (distabilkan, disponsori, diswastakan). sy is one sound (disyukuri).
            return False
        if cls in _PROCLITICS and not known:
            # The pronouns ku-/kau- (kubaca, kauambil) are rare in news and encyclopaedic
            # text, words and names starting with ku/kau common (kudeta, kuliner,
            # kurikulum, kurator, kusuma): known roots only.
            return False
        if sfx == "i" and not known and (
            root.endswith(("d", "e")) or (root.endswith("s") and (_syllables(root) >= 3 or root[-2:-1] not in "aiu"))
        ):
            # Loans in -si, -di and -ei end in an i that is not the suffix (didominasi,
            # terinspirasi, diadopsi, terdistorsi, disubsidi, disurvei); the native -s roots
            # that take -i have two syllables and end in -as, -is or -us (batasi, awasi,
            # habisi, urusi).
            return False
        return True

    def choose_root(self, w: str, bare_suffix: bool = True, variants: list[str] | None = None) -> str:
        """The root of ``w``: the first known one in Nazief-Adriani order, else the deepest
        plausible analysis, else ``w``. ``bare_suffix=False`` skips suffix-only analyses;
        ``variants`` as for :meth:`candidates`."""
        best = None
        best_score = -1.0
        cut = self.remove_particle(w)
        particle = w[len(cut) :] if cut is not None else None
        for root, naffix, outer, cls, sfx in self.candidates(w, variants):
            # A keep word reached by stripping is a known root too (didiskusikan -> diskusi).
            measure = outer is None and cls == "se" and root in self.measures
            known = root in self.lexicon or root in self.keep or measure
            if not self.is_valid_analysis(root, naffix, outer, cls, sfx, known, measure):
                continue
            if not bare_suffix and sfx is not None and outer is None and cls is None:
                continue
            if known:
                return root
            if particle is not None and naffix > 0 and root.endswith(particle):
                # The particle is cut from this word (persenkah, diamlah, terbitlah): an
                # analysis that keeps it in an unknown root while cutting a prefix
                # (per+senkah, di+amlah, ter+bitlah) reads the word twice. The true -kah and
                # -lah roots (langkah, nikah, jumlah) are listed.
                continue
            # A bare inflection cut was vetted where it was made (remove_possessive: tasku,
            # one syllable); it still needs a word's shape (not the typo keindahann+nya).
            inflection_only = outer is None and cls is None and sfx is None
            if naffix > 0 and ((inflection_only and _shape_ok(root)) or self.is_plausible_root(root)):
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
                if (outer or cls) in _PROCLITICS:
                    score -= 0.5  # a pronoun, not a derivation: kuningan is kuning + an
                elif cls == "per" and outer is None and sfx is None:
                    # A bare pe(r)- noun is an agent: pe- before an r-root (perokok, peracik,
                    # perakit), not per- before a vowel root; per+vowel comes with -an
                    # (peralatan, perairan) or inside a chain (memperoleh).
                    score -= 0.1
                if score > best_score:
                    best, best_score = root, score
        return best if best is not None else w

    def se_confix(self, w: str) -> str | None:
        """The root of an adverb in se-...-nya (secepatnya, sebaiknya, sepenuhnya: "as X as
        possible"), or None. Known roots only: se- begins many roots (sejarahnya is not
        se + jarah + nya).

        >>> IndonesianStemmer(lexicon={"cepat"}).se_confix("secepatnya")
        'cepat'
        """
        root = w[2:-3]
        if not (w.startswith("se") and w.endswith("nya")) or w[:-3] in self.lexicon or w[:-3] in self.keep:
            return None  # sejarahnya is sejarah + nya
        return root if root in self.lexicon and _syllables(root) >= 2 else None

    def remove_infix(self, w: str) -> str | None:
        """The root of a word with a fossil infix -el-, -em- or -er- after its first consonant
        (telunjuk -> tunjuk, gemuruh -> guruh, temurun -> turun), or None.

        The infixes are no longer productive and their shape is that of countless roots
        (berita, selamat, kemarin, telinga), so the root must be known, of two syllables or
        more, and the infixed word unknown; and se- words are se- plus a root (selama,
        seluruh, selebar, semangka), so s-initial words are left alone (seruling too).

        >>> IndonesianStemmer(lexicon={"tunjuk"}).remove_infix("telunjuk")
        'tunjuk'
        """
        if w[1:3] in _INFIXES and w[0] not in _VOWELS and w[0] != "s" and w[3:4] in _VOWELS:
            root = w[0] + w[3:]
            if root in self.lexicon and _syllables(root) >= 2:
                return root
        return None

    def stem_word(self, word: str) -> str:
        """The root of one lowercase word without hyphens."""
        # No affix shape first: it is cheaper than the guards and gives the same answer.
        if not word.startswith(_AFFIX_STARTS) and not word.endswith(_AFFIX_ENDS) and word[1:3] not in _INFIXES:
            return word
        if self.is_guarded(word) or word in self.lexicon:
            return word
        adverb = self.se_confix(word)
        if adverb is not None:
            return adverb
        # Loan words with -isme/-isasi/-is whose base we know come first: the ter- of
        # teroris and terorisme is not a prefix.
        variants = self.inflection_variants(word)
        for base in variants:
            lb = self.loan_base(base, require_known=True)
            if lb is not None:
                return lb
        root = self.choose_root(word, variants=variants)
        if root == word:
            # Nothing of ours applied: an infix, or Snowball may know a cut we do not (e.g.
            # a particle on a short word); accept it only if it is a known root.
            # (The infix follows the first consonant, so only words with el/em/er there.)
            for base in variants if word[1:3] in _INFIXES else ():
                infixed = self.remove_infix(base)
                if infixed is not None:
                    return infixed
            snow = _snowball(word)
            if snow != word and snow in self.lexicon:
                return snow
        # Loan suffix on the root (ekstremisme -> ekstrem, toleransi -> toleran): analyse
        # the base again so that it meets the key of the bare loan word.
        lb = self.loan_base(root, require_known=False)
        if lb is not None and lb not in self.keep and root not in self.keep:
            # Not with a bare suffix: the -an of toleran or asuran is part of the loan.
            if self.is_guarded(lb) or lb in self.lexicon:
                return lb
            return self.choose_root(lb, bare_suffix=False)
        return root

    def stem(self, word: str) -> str:
        """The conflation key (root) of one lowercase token.

        >>> IndonesianStemmer().stem("praktik-praktik")
        'praktik'
        """
        if "-" in word:
            # Reduplication that reached us whole (praktik-praktik, memanggil-manggil,
            # berbalas-balasan): one key when both halves share a stem; other compounds
            # (bolak-balik) stay whole. A clitic after a hyphen (bnpt-nya) is dropped.
            parts = [p for p in word.split("-") if p]
            if len(parts) > 1 and parts[-1] in CLITICS:
                parts.pop()
            if len(parts) == 1:
                return self.stem(parts[0])
            if len(parts) == 2:
                return self.reduplication_key(*parts) or word
            return word
        return self.stem_word(word)

    def reduplication_key(self, a: str, b: str) -> str | None:
        """The key of the reduplicated word ``a-b``, or None if it is not a reduplication.

        The second half may repeat the first whole (anak-anak), its base (memukul-mukul,
        tembak-menembak), or the base with the nasal and a suffix or clitic that belong to
        the whole word (menakut-nakuti = menakuti, sebesar-besarnya = se-besar-nya).

        >>> IndonesianStemmer(lexicon={"takut"}).reduplication_key("menakut", "nakuti")
        'takut'
        """
        ending = reduplication_ending(a, b)
        if ending:
            core = b[: -len(ending)]
            key = self.stem(a + ending)
            # The whole word may keep a prefix no rule cuts (se- of sebesarnya): then the
            # repeated base is the better key.
            return key if len(key) <= len(core) else self.stem(core)
        sa = self.stem(a)
        if ending == "" or sa == self.stem(b) or b.startswith(sa):  # tembak-menembak
            return sa
        return None


# --------------------------------------------------------------------------------------
# The default stemmer: shipped data plus the optional user lexicon


def read_lexicon(path: Path) -> frozenset[str]:
    """The words of a hunspell ``.dic`` (affix flags after ``/`` ignored) or a plain word
    list, lowercased; lines that are not one ASCII word (the ``.dic`` count line) skipped."""
    words = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        word = line.split("/", 1)[0].strip().lower()
        if word.isalpha() and word.isascii():
            words.add(word)
    return frozenset(words)


@functools.cache
def default_stemmer() -> IndonesianStemmer:
    """The stemmer behind :func:`stem`: ``data/stem_exceptions.tsv`` plus the lexicon named
    by ``BNPTSEARCH_STEM_LEXICON`` (read now, on first use; an unreadable file is ignored)."""
    roots: set[str] = set()
    keep: set[str] = set()
    measures: set[str] = set()
    for word, kind, _note in rows("stem_exceptions.tsv"):
        if kind == "root":
            roots.add(word)
        elif kind == "keep":
            keep.add(word)
        elif kind == "measure":
            measures.add(word)
        else:  # pragma: no cover - guarded by the tests
            raise ValueError(f"stem_exceptions.tsv: unknown kind {kind!r} for {word!r}")
    setting = os.environ.get("BNPTSEARCH_STEM_LEXICON", "").strip()
    if setting:
        try:
            roots |= read_lexicon(Path(setting))
        except OSError:
            pass
    return IndonesianStemmer(lexicon=roots, keep=keep, measures=measures)


@functools.lru_cache(maxsize=2**18)
def stem(word: str) -> str:
    """Return the conflation key (root) of one lowercase token, with :func:`default_stemmer`.

    A module-level function, not the stemmer's bound method: the Whoosh schema pickles the
    analyzer, and with it this function, by reference.

    >>> stem("menangkap")
    'tangkap'
    """
    return default_stemmer().stem(word)
