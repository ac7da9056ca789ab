"""The index folder on disk: metadata and versions, the write lock, the live Whoosh index.

Layout of an index folder:

- ``bnptsearch.json`` — format, parser and analyzer versions, and the name of the live
  Whoosh index; replaced atomically, so a rebuild switches over in one step or not at all.
- the Whoosh files of that index (``_<name>_<gen>.toc``; each segment as separate files
  ``<name>_<segment>.<part>``, or one compound ``<name>_<segment>.seg`` in indexes
  written before segments were separate files: both are read).
- ``_<name>_<gen>.sums`` — the manifest of generation ``<gen>``: size and CRC32 of its TOC and
  of every segment file, written by the committing writer before the TOC makes that
  generation visible (:func:`_record_generation`), so a reader that opens generation N always
  finds N's manifest (:func:`_verify_generation`; ``bnptsearch check`` reads every byte).
- ``acronyms.json`` — a cache of the mined acronyms, keyed by index generation, with a
  checksum: a cache that does not match it is recomputed, never trusted.
- ``filestats.json`` — the stat cache: each corpus file's hash as an update found it, with
  the file's stat then (see :class:`bnptsearch.update._FileHashes`); damaged or missing,
  every file is hashed, and the next update writes it anew.
- ``segmentfiles.json`` — what each segment holds of each corpus file (see
  :class:`bnptsearch.update._FolderLookup`), by segment id and deletion count: read again
  where it is missing, damaged or of another segment.

An index folder is code: Whoosh unpickles the TOC and stored fields, and a crafted pickle runs
whatever it likes. So, as git does with ``safe.directory``, a folder owned by another user
or writable by others is refused unless trusted (:func:`_check_trusted`).

Every article has one ``kind=article`` document holding its content hash, the file it came
from and that file's hash, committed in the same Whoosh transaction as its passages: the
index never disagrees with itself about what it holds (see :mod:`bnptsearch.update`).

>>> with _write_lock(Path("index"), timeout=10):     # doctest: +SKIP
...     name, ix, generation = _open_live(Path("index"))
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import stat
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex

from .analysis import ANALYZER_VERSION
from .corpus import PARSER_VERSION
from .errors import (
    BnptSearchError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    IndexOutdatedError,
    IndexWriteError,
    UntrustedIndexError,
)
from .schema import passage_schema
from .whoosh_compat import toc_filename

__all__ = ["DEFAULT_LOCK_TIMEOUT", "FORMAT_VERSION", "META_FILE", "SAFE_INDEX_ENV", "CheckReport", "DamagedFile"]

# 5: metadata and acronym cache carry a checksum; every generation has a manifest.
# 6: article documents record where each article was added from (``origin``).
# 7: passages store their article's author.
FORMAT_VERSION = 7
META_FILE = "bnptsearch.json"
ACRONYM_CACHE = "acronyms.json"
STAT_CACHE = "filestats.json"
SEGMENT_FILES = "segmentfiles.json"
_LOCK_NAME = "bnptsearch_WRITELOCK"
DEFAULT_LOCK_TIMEOUT = 10.0
_WHOOSH_FILE = re.compile(r"_?(passages[0-9a-f]{8})_")
_WHOOSH_TEMP = re.compile(r"passages[0-9a-f]{8}\.tmp")
_TOC_FILE = re.compile(r"_(passages[0-9a-f]{8})_([0-9]+)\.toc")
SAFE_INDEX_ENV = "BNPTSEARCH_SAFE_INDEX"


def _versions() -> dict[str, Any]:
    """What an index must have been built with to be read by this code."""
    return {"format": FORMAT_VERSION, "parser": PARSER_VERSION, "analyzer": ANALYZER_VERSION}


def _read_meta(path: Path) -> dict[str, Any] | None:
    """The folder's metadata, or None if it holds no index.

    >>> _read_meta(Path("index"))["indexname"]        # doctest: +SKIP
    'passages1a2b3c4d'
    """
    try:
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        if _holds_index_files(path):
            raise IndexDamagedError((META_FILE,)) from None
        return None
    except OSError as error:  # not damage: permissions, a folder in its place, …
        raise BnptSearchError(f"cannot read {path / META_FILE}: {error.strerror or error}") from None
    except ValueError:
        raise IndexDamagedError((META_FILE,)) from None
    if not isinstance(meta, dict):
        raise IndexDamagedError((META_FILE,))
    return meta


def _holds_index_files(path: Path) -> bool:
    """True if ``path`` holds a Whoosh index's TOC (whether its metadata is there or not)."""
    try:
        return any(_TOC_FILE.fullmatch(name) for name in os.listdir(path))
    except OSError:
        return False


def _checksum(data: Any) -> int:
    """CRC32 of ``data`` as canonical JSON: the checksum a JSON file carries of its content."""
    return zlib.crc32(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Writes ``data`` atomically: readers see the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a half-written copy on a full disk would keep it full
        raise


def _switch_to(path: Path, indexname: str, stale: Iterable[str] = ()) -> None:
    """Makes ``indexname`` the live index, in one atomic metadata write."""
    meta = _versions() | {"indexname": indexname, "stale": sorted(stale)}
    _write_json(path / META_FILE, meta | {"crc32": _checksum(meta)})


def _stale_files(path: Path) -> set[str]:
    """Corpus files the next update must read again even if their hash is unchanged: a file
    one of whose articles was removed (so it comes back, as a rebuild would bring it back),
    or one with an article that lost its id to another file (it may win it later)."""
    stale = (_read_meta(path) or {}).get("stale", [])
    return {entry for entry in stale if isinstance(entry, str)} if isinstance(stale, list) else set()


def _set_stale_files(path: Path, stale: Iterable[str]) -> None:
    """Records ``stale`` (see :func:`_stale_files`) in the metadata, atomically."""
    meta = {key: value for key, value in (_read_meta(path) or {}).items() if key != "crc32"}
    if set(meta.get("stale", [])) != set(stale):
        meta |= {"stale": sorted(stale)}
        _write_json(path / META_FILE, meta | {"crc32": _checksum(meta)})


def _check_meta(path: Path, meta: dict[str, Any]) -> str:
    """The live index's name, if ``meta`` was written by this version and is intact."""
    content = {key: value for key, value in meta.items() if key != "crc32"}
    if "crc32" in meta and meta["crc32"] != _checksum(content):
        raise IndexDamagedError((META_FILE,))
    found = {key: meta.get(key) for key in _versions()}
    if found != _versions() or not isinstance(meta.get("indexname"), str):
        raise IndexOutdatedError(
            f"index at {path} was built by another bnptsearch version ({found}; this version "
            f"needs {_versions()}); run `bnptsearch index --rebuild`"
        )
    if "crc32" not in meta:
        raise IndexDamagedError((META_FILE,))
    return meta["indexname"]


def _remove_other_indexes(path: Path, keep: str) -> None:
    """Deletes the files of every Whoosh index but ``keep``: the one a rebuild replaced, or
    a half-written one left by a rebuild that was killed."""
    for file in path.iterdir():
        match = _WHOOSH_FILE.match(file.name)
        if (match and match.group(1) != keep) or (file.name.startswith(".") and file.name.endswith(".tmp")):
            file.unlink(missing_ok=True)
        elif _WHOOSH_TEMP.fullmatch(file.name) and file.name != f"{keep}.tmp":
            shutil.rmtree(file, ignore_errors=True)  # the temporary folder of that index's writer


def _new_index(path: Path) -> tuple[str, FileIndex]:
    """(name, Whoosh index) of a new, empty index beside the live one (not yet live)."""
    indexname = f"passages{secrets.token_hex(4)}"
    ix = whoosh_index.create_in(str(path), passage_schema(), indexname=indexname)
    name = toc_filename(indexname, 0)
    _record_generation(path, indexname, 0, {name: name})
    return indexname, ix


# Tries at opening while writers commit or rebuild: each retry means another commit landed
# in the few milliseconds between listing and opening, so ten are far more than needed.
_OPEN_TRIES = 10


def _open_live(path: Path, remember: bool = False) -> tuple[str, FileIndex, int]:
    """(name, Whoosh index, the generation verified) of the index the metadata names now;
    ``remember``: see :func:`_verify_generation`.

    A rebuild in another process may switch the metadata and delete the old files between
    our reading the name and opening it, and a commit may delete the TOC Whoosh found: then
    the name and generation are read again.
    """
    _check_trusted(path)
    for _ in range(_OPEN_TRIES):
        indexname = _check_meta(path, _read_meta(path) or {})
        generation = _latest_generation(path, indexname)
        if generation is None:
            if _check_meta(path, _read_meta(path) or {}) == indexname:  # not just replaced by a rebuild
                raise IndexDamagedError((_missing_toc(path, indexname),))
            continue
        try:
            # Verified before Whoosh reads a byte of it; with the schema given, Whoosh skips
            # the TOC's pickled schema (its pickled segment list is still read).
            if _verify_generation(path, indexname, generation, remember=remember):
                ix = whoosh_index.open_dir(str(path), indexname=indexname, schema=passage_schema())
                return indexname, ix, generation
        except whoosh_index.EmptyIndexError:
            continue
        except FileNotFoundError:
            # Whoosh lists the TOCs again and opens the latest; a commit may delete it in
            # between (it writes the next one first). Only a generation still latest is damage.
            if _latest_generation(path, indexname) == generation:
                raise
    raise IndexNotFoundError(f"index at {path} keeps changing under us; try again")


@contextmanager
def _write_lock(path: Path, timeout: float) -> Iterator[None]:
    """The index-wide write lock: one writer at a time, waiting at most ``timeout`` seconds.

    It is an OS file lock (``flock``), so the kernel releases it when a writer dies: a
    killed ``bnptsearch index`` leaves no stale lock behind.
    """
    lock = FileStorage(str(path)).lock(_LOCK_NAME)
    deadline = time.monotonic() + timeout
    while not _try_lock(lock, path / _LOCK_NAME):
        if time.monotonic() > deadline:
            raise IndexLockedError(
                f"index at {path} is being written by another process (waited {timeout:g} s); try again later"
            )
        time.sleep(0.1)
    try:
        yield
    finally:
        lock.release()


def _try_lock(lock: Any, file: Path) -> bool:
    """Takes ``lock`` if it is free; a lock file that cannot be opened is a one-line error."""
    try:
        return bool(lock.acquire(blocking=False))
    except IsADirectoryError:
        raise IndexWriteError(
            f"{file} is a directory, not bnptsearch's lock file; remove it (rmdir) and try again"
        ) from None
    except OSError as error:
        raise _write_error(error, file) from None


def _write_error(error: OSError, path: Path) -> IndexWriteError:
    """The one-line error for a write that failed with ``error`` (``path``: where it wrote,
    when the error does not name the file itself).

    >>> _write_error(OSError(errno.ENOSPC, "No space left on device"), Path("index"))
    IndexWriteError('no space left on device while writing index')
    """
    where = error.filename or path
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return IndexWriteError(f"no space left on device while writing {where}")
    if error.errno in (errno.EACCES, errno.EPERM):
        return IndexWriteError(f"permission denied: cannot write {where}")
    if error.errno == errno.EROFS:
        return IndexWriteError(f"permission denied: cannot write {where} (read-only file system)")
    return IndexWriteError(f"cannot write {where}: {error.strerror or error}")


@contextmanager
def _writes_to(path: Path) -> Iterator[None]:
    """Turns an ``OSError`` of the writes made inside into an :class:`IndexWriteError`
    naming ``path`` (or the file, when the error names one).

    >>> with _writes_to(Path("index")):                  # doctest: +SKIP
    ...     _switch_to(Path("index"), "passages1a2b3c4d")
    """
    try:
        yield
    except OSError as error:
        raise _write_error(error, path) from None


def _read_acronym_cache(path: Path, key: list[Any]) -> list[list[str]] | None:
    """The cached acronym pairs of index generation ``key``, or None if not cached (or if the
    cache does not match its checksum: it is recomputed, not trusted)."""
    cached = _read_checked(path, ACRONYM_CACHE)
    return cached["acronyms"] if cached.get("key") == key and isinstance(cached.get("acronyms"), list) else None


def _write_acronym_cache(path: Path, key: list[Any], pairs: list[list[str]]) -> None:
    """Caches ``pairs`` for generation ``key``; a read-only index just goes without (it
    recomputes them next time)."""
    _write_checked(path, ACRONYM_CACHE, {"key": key, "acronyms": pairs})


def _read_checked(path: Path, name: str) -> dict[str, Any]:
    """The entries of the cache file ``name`` (:data:`ACRONYM_CACHE`, :data:`STAT_CACHE`,
    :data:`SEGMENT_FILES`), or {} if there is none or it does not match its checksum (then
    what it caches is read or computed again, with no error)."""
    try:
        cached = json.loads((path / name).read_text(encoding="utf-8"))
        entries = cached["entries"]
        return entries if isinstance(entries, dict) and cached["crc32"] == _checksum(entries) else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _write_checked(path: Path, name: str, entries: dict[str, Any]) -> None:
    """Writes the cache file ``name`` atomically, with its checksum; best effort, as a cache."""
    try:
        _write_json(path / name, {"entries": entries, "crc32": _checksum(entries)})
    except OSError:
        pass  # a read-only index folder: what it caches is read or computed again next time


# -- trust: whose index folder is this? ------------------------------------------------------


def _check_trusted(path: Path) -> None:
    """Refuses an index folder someone else could have written, before anything is unpickled.

    The folder and every file in it must be owned by this user and writable by no one else
    (group-writable is fine when the group is this user's private group), unless the folder
    is listed in ``$BNPTSEARCH_SAFE_INDEX`` (folders separated by ``:``; ``*`` trusts all).

    >>> _check_trusted(Path("index"))                    # doctest: +SKIP
    """
    if not hasattr(os, "geteuid"):
        return  # not POSIX: ownership and modes mean something else there (Windows ACLs)
    trusted = [entry for entry in os.environ.get(SAFE_INDEX_ENV, "").split(os.pathsep) if entry]
    if "*" in trusted or any(_same_folder(Path(entry), path) for entry in trusted):
        return
    try:
        targets = [path, *(path / name for name in os.listdir(path))]
    except OSError:
        return  # nothing to open: the caller reports the missing index
    for target in targets:
        try:
            info = os.stat(target)
        except OSError:
            continue  # removed meanwhile
        problem = _untrusted(info)
        if problem:
            where = "" if target == path else f" ({target.name})"
            raise UntrustedIndexError(
                f"index at {path} {problem}{where}; an index folder can run code when opened "
                f"— if you trust it, set {SAFE_INDEX_ENV}={path}"
            )


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _untrusted(info: os.stat_result) -> str | None:
    """Why a file or folder with ``info`` could hold someone else's code, or None."""
    if info.st_uid != os.geteuid():
        return f"is owned by uid {info.st_uid}"
    if info.st_mode & stat.S_IWOTH:
        return "is writable by others"
    if info.st_mode & stat.S_IWGRP and not _private_group(info.st_gid):
        return f"is writable by group {info.st_gid}"
    return None


def _private_group(gid: int) -> bool:
    """True if ``gid`` is this user's own group: named after them, with no other members
    (the user-private-group scheme that makes umask 002 common)."""
    import grp  # POSIX only, like the check itself
    import pwd

    try:
        user = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(gid)
    except KeyError:
        return False
    return gid == os.getegid() and group.gr_name == user and set(group.gr_mem) <= {user}


# -- checksums: a manifest per generation ------------------------------------------------------


@dataclass(frozen=True)
class DamagedFile:
    """An index file that is missing or differs from what was written, and how."""

    name: str
    problem: str


@dataclass(frozen=True)
class CheckReport:
    """What :meth:`bnptsearch.Index.check` found: the files verified and the damaged ones.

    >>> CheckReport("index", 3, ("_passages1a2b3c4d_3.toc",), 14042, ()).ok
    True
    """

    path: str
    generation: int | None
    checked: tuple[str, ...]
    size: int
    damaged: tuple[DamagedFile, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.damaged


def _manifest_name(indexname: str, generation: int) -> str:
    # The "_<name>_" prefix makes it one of the index's files for _remove_other_indexes;
    # Whoosh's own clean-up matches neither its TOC nor its segment pattern.
    return f"_{indexname}_{generation}.sums"


def _stamp(info: os.stat_result) -> list[int]:
    """What changes whenever a file is written, copied or replaced: while a file's stamp is
    as recorded, its bytes are as recorded too (a full check reads them anyway)."""
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _crc_of_file(file: Path) -> int:
    crc = 0
    with file.open("rb") as stream:
        while block := stream.read(1 << 20):
            crc = zlib.crc32(block, crc)
    return crc


def _record_generation(path: Path, indexname: str, generation: int, files: Mapping[str, str]) -> None:
    """Writes generation ``generation``'s manifest: size, CRC32 and stamp of each of ``files``
    ({name once committed: name now}). Called before that generation becomes visible.

    The TOC is renamed after this, which changes its stamp: it is small, and always re-read.
    A segment file carried over unchanged from the previous generation (its stamp as recorded
    there) keeps its recorded checksum: a commit reads only the files it wrote.
    """
    try:
        previous = _manifest_entries(path / _manifest_name(indexname, generation - 1))
    except (OSError, ValueError, KeyError, TypeError):
        previous = {}
    entries = {}
    for final, current in files.items():
        file = path / current
        info = os.stat(file)
        stamp = None if final != current else _stamp(info)
        known = previous.get(final)
        if stamp is not None and isinstance(known, dict) and known.get("stamp") == stamp:
            crc = known["crc32"]
        else:
            crc = _crc_of_file(file)
        entries[final] = {"size": info.st_size, "crc32": crc, "stamp": stamp}
    _write_manifest(path, indexname, generation, entries)
    # The previous generation's manifest stays: it is live until the TOC is renamed.
    for name in os.listdir(path):
        match = re.fullmatch(rf"_{indexname}_([0-9]+)\.sums", name)
        if match and int(match.group(1)) < generation - 1:
            (path / name).unlink(missing_ok=True)


def _manifest_entries(file: Path) -> dict[str, Any]:
    """A manifest's entries ({file name: size, crc32, stamp}); ValueError if it fails its checksum."""
    manifest = json.loads(file.read_text(encoding="utf-8"))
    entries = manifest["files"]
    if manifest["crc32"] != _checksum(entries) or not isinstance(entries, dict):
        raise ValueError(f"{file.name} does not match its checksum")
    return entries


def _latest_generation(path: Path, indexname: str) -> int | None:
    """The newest generation of ``indexname`` that has a TOC, or None."""
    found = [int(m.group(2)) for name in os.listdir(path) if (m := _TOC_FILE.fullmatch(name)) and m.group(1) == indexname]
    return max(found, default=None)


def _missing_toc(path: Path, indexname: str) -> str:
    """The name of the TOC that the newest manifest of ``indexname`` describes (its TOC is gone)."""
    manifests = [int(m.group(1)) for name in os.listdir(path) if (m := re.fullmatch(rf"_{indexname}_([0-9]+)\.sums", name))]
    return toc_filename(indexname, max(manifests, default=0))


def _generation_damage(
    path: Path, indexname: str, generation: int, full: bool
) -> tuple[list[str], list[DamagedFile], dict[str, list[int]]]:
    """(files verified, damaged files, restamped) of generation ``generation``: restamped
    are the files whose stamp differs from a recorded one but whose bytes are as recorded
    (a copied index), with their stamps as found before reading them.

    Without ``full``, a file whose stamp is as recorded is taken as intact; only sizes are
    compared and the others' bytes read. With ``full`` every byte is read.
    """
    manifest_name = _manifest_name(indexname, generation)
    try:
        entries = _manifest_entries(path / manifest_name)
    except FileNotFoundError:
        return [], [DamagedFile(manifest_name, "missing")], {}
    except (OSError, ValueError, KeyError, TypeError):
        return [], [DamagedFile(manifest_name, "does not match its checksum")], {}
    checked, damaged, restamped = [manifest_name], [], {}
    for name, entry in sorted(entries.items()):
        file = path / name
        try:
            info = os.stat(file)
            if not (_WHOOSH_FILE.match(name) and file.name == name and stat.S_ISREG(info.st_mode)):
                # Only the folder's own regular files are read: a crafted manifest cannot
                # point a check at /dev/zero or outside the folder.
                damaged.append(DamagedFile(name, "not an index file"))
            elif info.st_size != entry["size"]:
                damaged.append(DamagedFile(name, f"{info.st_size} bytes, {entry['size']} recorded"))
            elif full or entry["stamp"] != _stamp(info):
                if _crc_of_file(file) != entry["crc32"]:
                    damaged.append(DamagedFile(name, "does not match its checksum"))
                elif entry["stamp"] not in (None, _stamp(info)):  # the TOC has none: renamed after
                    restamped[name] = _stamp(info)
            checked.append(name)
        except FileNotFoundError:
            damaged.append(DamagedFile(name, "missing"))
        except OSError as error:
            damaged.append(DamagedFile(name, f"unreadable ({error.strerror or error})"))
        except (KeyError, TypeError):
            damaged.append(DamagedFile(manifest_name, f"has no valid entry for {name}"))
    return checked, damaged, restamped


def _verify_generation(path: Path, indexname: str, generation: int, *, remember: bool = False) -> bool:
    """Cheaply checks generation ``generation`` before it is read: True if intact, False if a
    writer has moved on meanwhile (its files may be gone: read the new one); raises
    :class:`IndexDamagedError` otherwise.

    A copied index has new inodes and change times, so its files' stamps differ from the
    recorded ones and their bytes are read; with ``remember`` the stamps they had when
    found intact are recorded (:func:`_restamp`), so the next open reads them no more.
    """
    _, damaged, restamped = _generation_damage(path, indexname, generation, full=False)
    if not damaged:
        if remember and restamped:
            _restamp(path, indexname, generation, restamped)
        return True
    if _latest_generation(path, indexname) != generation:
        return False
    raise IndexDamagedError(tuple(file.name for file in damaged))


def _write_manifest(path: Path, indexname: str, generation: int, entries: dict[str, Any]) -> None:
    """Writes (atomically) generation ``generation``'s manifest of ``entries``, with their checksum."""
    _write_json(path / _manifest_name(indexname, generation), {"files": entries, "crc32": _checksum(entries)})


def _restamp(path: Path, indexname: str, generation: int, stamps: Mapping[str, list[int]]) -> None:
    """Records ``stamps`` in generation ``generation``'s manifest, in place of the stamps
    its files had when written; their sizes and checksums stay as recorded.

    Only while no writer holds the lock (a commit reads this manifest to write the next
    one) and while the generation is the latest; best effort: a folder that cannot be
    written keeps its stamps, and each open reads the copied files again. A file changed
    after this changes its stamp again (its change time at least), so it is read again.
    """
    lock = FileStorage(str(path)).lock(_LOCK_NAME)
    try:
        if not _try_lock(lock, path / _LOCK_NAME):
            return
    except IndexWriteError:
        return
    try:
        if _latest_generation(path, indexname) != generation:
            return
        entries = _manifest_entries(path / _manifest_name(indexname, generation))
        for name, stamp in stamps.items():
            entries[name]["stamp"] = stamp
        _write_manifest(path, indexname, generation, entries)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # nothing was changed: the next open checks those files by their bytes again
    finally:
        lock.release()


def _check_folder(path: Path) -> CheckReport:
    """Reads every file of the live index and compares it with its manifest.

    Bytes and JSON only: nothing is unpickled, so checking a folder runs none of its code.
    A damaged acronym cache is removed (it is rebuilt on the next query) and noted.
    """
    if not path.is_dir():
        raise IndexNotFoundError(f"no index at {path}")
    try:
        meta = _read_meta(path)
        if meta is None:
            raise IndexNotFoundError(f"no index at {path}")
        indexname = _check_meta(path, meta)
    except IndexDamagedError as error:
        return CheckReport(str(path), None, (), 0, tuple(DamagedFile(name, "unreadable or altered") for name in error.files))
    generation = _latest_generation(path, indexname)
    if generation is None:
        return CheckReport(str(path), None, (META_FILE,), 0, (DamagedFile(_missing_toc(path, indexname), "missing"),))
    checked, damaged, _ = _generation_damage(path, indexname, generation, full=True)
    latest = _latest_generation(path, indexname)
    if damaged and latest is not None and latest != generation:  # a writer committed meanwhile
        generation = latest
        checked, damaged, _ = _generation_damage(path, indexname, generation, full=True)
    notes = []
    try:
        _check_trusted(path)
    except UntrustedIndexError as error:
        notes.append(str(error))  # checking reads no pickle; opening would be refused
    if (path / ACRONYM_CACHE).exists() and not _read_checked(path, ACRONYM_CACHE):
        (path / ACRONYM_CACHE).unlink(missing_ok=True)
        notes.append(f"{ACRONYM_CACHE}: damaged cache removed; it is rebuilt on the next query")
    size = sum((path / name).stat().st_size for name in checked if (path / name).exists())
    return CheckReport(str(path), generation, (META_FILE, *checked), size, tuple(damaged), tuple(notes))
