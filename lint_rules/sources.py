"""A file's bytes to source text and back, so a fix changes nothing but the fix.

Python files declare their encoding (PEP 263: a UTF-8 BOM, or a ``coding:`` cookie such as
koi8-r or latin-1); the text is decoded with it and encoded with it again, BOM included.
Line endings are kept as they are (no newline translation). Only regular files are read:
a FIFO or ``/dev/stdin`` given as a path would block the run forever.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import stat
import tokenize
from dataclasses import dataclass

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
