"""Writing a fixed file without losing anything but the finding.

Before writing, the file is read again and compared with what was linted: an edit made
while the run went on (in an editor, by another tool) is never overwritten; that file is
skipped and reported. The write goes to the symlink's target (the link stays a link), keeps
the mode, and refuses read-only files (no write permission bit: someone meant it).

A file with one name is replaced atomically: written beside itself, then renamed over it,
so a crash leaves the old text intact. A file with several hard links is rewritten in place
instead, because a rename would split the link; that write is not atomic (a crash in the
middle leaves a truncated file), the price of keeping the link.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .sources import SourceReadError, digest, read_bytes


class WriteRefused(Exception):
    """The fix was not written; the message says why (reported, the run goes on)."""


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied ({exc.strerror})"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    return exc.strerror or str(exc)


def write_fixed(path: Path, new: bytes, expected_digest: str) -> None:
    """Write ``new`` to ``path`` if the file still holds the bytes that were linted.

    Raises ``WriteRefused`` with the reason otherwise; never leaves a temporary file behind.
    """
    target = Path(os.path.realpath(path))
    try:
        info = target.stat()
    except OSError as exc:
        raise WriteRefused(f"cannot stat {target}: {_reason(exc)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused("not a regular file any more")
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WriteRefused(f"read-only file (mode {stat.S_IMODE(info.st_mode):04o}): not fixed")
    try:
        current = read_bytes(str(target))
    except SourceReadError as exc:
        raise WriteRefused(f"cannot re-read before writing: {exc}") from None
    if digest(current) != expected_digest:
        raise WriteRefused("changed on disk while the run went on: not fixed, run again")
    try:
        if info.st_nlink > 1:
            _write_in_place(target, new)
        else:
            _replace_atomically(target, new, info)
    except OSError as exc:
        raise WriteRefused(_reason(exc)) from None


def _write_in_place(target: Path, new: bytes) -> None:
    with open(target, "r+b") as handle:
        handle.write(new)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


def _replace_atomically(target: Path, new: bytes, info: os.stat_result) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".bybit-lint", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
            try:  # keep the owner when allowed to (root fixing another user's tree)
                os.chown(tmp, info.st_uid, info.st_gid)
            except OSError:
                pass
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
