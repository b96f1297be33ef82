"""Which files a run lints and how their bytes become source text and back.

Which files, beyond the walk itself: ``.gitignore``, ``--force-exclude``, stdin.
``.gitignore`` files are read with pathspec (git's own matching rules, negations and
folder-only patterns included) rather than by asking ``git ls-files``: no process to start
on every run (a pre-commit hook runs often), no need for a git binary in a CI image, and
ignored folders are pruned as the walk reaches them instead of listing the whole
repository first. As in git, a ``.gitignore`` applies to its own folder and below, a
deeper file overrides a shallower one, and ``.git/info/exclude`` counts too; only files
inside the repository (or, outside any, below the configuration's folder) are read.

Bytes to text, so a fix changes nothing but the fix: Python files declare their encoding
(PEP 263: a UTF-8 BOM, or a ``coding:`` cookie such as koi8-r or latin-1); the text is
decoded with it and encoded with it again, BOM included. Line endings are kept as they are
(no newline translation). Only regular files are read: a FIFO or ``/dev/stdin`` given as a
path would block the run forever.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .config import Config, is_excluded
from .discovery import SKIPPED_DIRS, _is_virtualenv, iter_python_files

if TYPE_CHECKING:  # pragma: no cover
    from pathspec import GitIgnoreSpec


def _git_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


class GitIgnore:
    """Answers "would git ignore this path?" for the folders a walk visits."""

    def __init__(self, boundary: Path) -> None:
        #: no .gitignore above this folder is read
        self.boundary = boundary
        self._specs: dict[Path, GitIgnoreSpec | None] = {}

    @classmethod
    def for_paths(cls, paths: Sequence[Path], config_root: Path) -> GitIgnore:
        start = Path(os.path.abspath(paths[0] if paths else Path.cwd()))
        start = start if start.is_dir() else start.parent
        root = _git_root(start)
        return cls(root if root is not None else config_root.resolve())

    def _spec(self, directory: Path) -> GitIgnoreSpec | None:
        if directory in self._specs:
            return self._specs[directory]
        lines: list[str] = []
        for name in (".gitignore", ".git/info/exclude") if directory == self.boundary else (".gitignore",):
            try:
                lines += (directory / name).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
        spec = None
        if lines:
            from pathspec import GitIgnoreSpec

            spec = GitIgnoreSpec.from_lines(lines)
        self._specs[directory] = spec
        return spec

    def ignored(self, path: Path, is_dir: bool) -> bool:
        path = Path(os.path.abspath(path))
        try:
            path.relative_to(self.boundary)
        except ValueError:
            return False
        if path.name == ".git":
            return True
        directory = path.parent
        # the deepest .gitignore with a matching pattern decides
        while True:
            spec = self._spec(directory)
            if spec is not None:
                rel = path.relative_to(directory).as_posix() + ("/" if is_dir else "")
                verdict = spec.check_file(rel).include
                if verdict is not None:
                    return bool(verdict)
            if directory == self.boundary or directory.parent == directory:
                return False
            directory = directory.parent


def force_excluded(path: Path, config: Config) -> bool:
    """Whether a walk would have skipped a file named explicitly (pre-commit names them).

    The config's ``exclude`` and the folders never linted (virtualenvs, ``build``, ...)
    apply to the file and to every folder above it, up to the config's folder.
    """
    if is_excluded(path, config.exclude, config.root):
        return True
    absolute = Path(os.path.abspath(path))
    try:
        parents = absolute.parent.relative_to(config.root).parts
    except ValueError:
        return False  # outside the project: only ``exclude`` can name it
    base = config.root
    for part in parents:
        base = base / part
        if part in SKIPPED_DIRS or part.endswith(".egg-info") or _is_virtualenv(base) or is_excluded(base, config.exclude, config.root):
            return True
    return False


def collect(
    paths: Sequence[Path],
    config: Config,
    *,
    respect_gitignore: bool,
    force_exclude: bool,
    skipped: list[str] | None = None,
) -> Iterator[Path]:
    """The files to lint, each once, in a stable order; ``*.py`` that are not regular files
    met in folders are noted in ``skipped`` (see ``discovery.iter_python_files``)."""
    gitignore = GitIgnore.for_paths(paths, config.root) if respect_gitignore else None
    skip = gitignore.ignored if gitignore else None
    for file in iter_python_files(paths, config.exclude, config.root, skip, skipped):
        if force_exclude and file.is_file() and file in paths and force_excluded(file, config):
            continue
        yield file


def read_stdin() -> bytes:
    import sys

    stream: Any = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
    data = stream.read()
    return data.encode("utf-8") if isinstance(data, str) else data


#: Files above this size are refused: nothing that large is hand-written bot code, and
#: reading it whole would exhaust memory before any budget could step in.
MAX_FILE_BYTES = 64 * 1024 * 1024


class SourceReadError(Exception):
    """A path that cannot be linted (not a regular file, unreadable): report it, go on."""


class SourceDecodeError(Exception):
    """Bytes that do not decode with the file's declared encoding (reported as BYB001)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Source:
    """A decoded file: ``text`` plus what is needed to write it back byte-for-byte."""

    text: str
    encoding: str  # a codec name; "utf-8-sig" when the file starts with a BOM
    digest: str  # sha256 of the bytes read, to notice a change on disk before writing

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes(path: str) -> bytes:
    """The file's bytes, refusing anything that is not a regular file without blocking on it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise SourceReadError(f"broken symbolic link (points to {os.readlink(path)!r})") from None
        raise SourceReadError("no such file") from None
    except OSError as exc:
        raise SourceReadError(exc.strerror or str(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SourceReadError(f"{_kind(info.st_mode)}, not a regular file: skipped")
        if info.st_size > MAX_FILE_BYTES:
            raise SourceReadError(f"{info.st_size} bytes, over the {MAX_FILE_BYTES} byte limit: skipped")
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            return handle.read()
    except OSError as exc:
        raise SourceReadError(exc.strerror or str(exc)) from None
    finally:
        if fd >= 0:
            os.close(fd)


def decode(raw: bytes) -> Source:
    """Decode with the encoding the file declares (BOM or PEP 263 cookie), default UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:  # an unknown codec or a cookie that contradicts the BOM
        raise SourceDecodeError(exc.msg, exc.lineno or 1) from None
    try:
        codecs.lookup(encoding)
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceDecodeError(f"cannot decode file as {encoding}: {exc.reason} at byte {exc.start}", line) from None
    except LookupError:
        raise SourceDecodeError(f"unknown encoding {encoding!r}") from None
    return Source(text, encoding, digest(raw))
