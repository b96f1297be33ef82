"""The findings cache: an unchanged file is neither parsed nor is LibCST imported for it.

Like ruff's, the cache lives in a folder beside the configuration
(``.bybit_lint_cache/``, with its own ``.gitignore``), one JSON file per tool version. An
entry is valid for one file content judged by one tool (its version and the text of its
rules) with one configuration (the rules that apply to that file and their options); any
change to one of them is a different key, so there is nothing to invalidate by hand.

Next to a file's findings an entry keeps the file's *summary* (a JSON-able dict of facts a
cross-module analysis can read instead of parsing the file again) and what its findings
were judged on besides the file itself (``depends_on``: each question the file asked of the
project, with the answer it got; see ``project.Project.recording``). When one of those
answers changes, the entry is stale even though its own file is unchanged: ``Entry.fresh``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from . import __version__
from .finding import Finding, Fix

CACHE_DIR_NAME = ".bybit_lint_cache"
_GITIGNORE = "# Automatically created by bybit-lint.\n*\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by bybit-lint.\n"
)
_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The version and the text of every module that can change a finding.

    Hashing the sources (about a millisecond) rather than trusting the version number
    means an edited rule, in a checkout or an editable install, never serves stale findings.
    """
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    sources = sorted(_PACKAGE.rglob("*.py"))
    facts = _PACKAGE.parent / "pytest_bybit" / "facts.py"
    if facts.is_file():
        sources.append(facts)
    for path in sources:
        digest.update(path.relative_to(_PACKAGE.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_digest(codes: Iterable[str], options: Mapping[str, Any]) -> str:
    """The configuration as it applies to one file: its rules and the rule options."""
    text = json.dumps([sorted(codes), sorted(options.items())], default=repr)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def content_digest(content: bytes) -> str:
    """A file's content as judged by this very tool: what its summary follows from."""
    return hashlib.blake2b(content, digest_size=16, key=tool_fingerprint()[:32].encode()).hexdigest()


def file_key(settings: str, content: str) -> str:
    """An entry's key: the content (``content_digest``) with the file's configuration."""
    return hashlib.blake2b(f"{content}\0{settings}".encode(), digest_size=16).hexdigest()


def finding_record(finding: Finding) -> list[Any]:
    fix = finding.fix
    return [
        finding.code,
        finding.name,
        finding.message,
        finding.line,
        finding.column,
        finding.end_line,
        finding.end_column,
        None if fix is None else [fix.safe, fix.description],
    ]


def finding_from_record(record: Sequence[Any], filename: str) -> Finding:
    code, name, message, line, column, end_line, end_column, fix = record
    return Finding(
        code,
        name,
        message,
        filename,
        line,
        column,
        end_line,
        end_column,
        None if fix is None else Fix((), safe=fix[0], description=fix[1]),
    )


@dataclass
class Entry:
    key: str
    findings: list[list[Any]]
    summary: Any = None
    #: question asked of the project while judging the file -> the answer it got
    depends_on: dict[str, str] = field(default_factory=dict)
    #: the ``content_digest`` the summary follows from: lets a run that names only some
    #: files still judge them against the summaries of the rest of the project
    content: str = ""

    def fresh(self, key: str, still_holds: Callable[[Mapping[str, str]], bool]) -> bool:
        """Valid for this content and configuration, and every answer it was judged on
        unchanged (``still_holds``: ``project.Project.still_holds``)."""
        return self.key == key and (not self.depends_on or still_holds(self.depends_on))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "findings": self.findings}
        if self.summary is not None:
            data["summary"] = self.summary
        if self.depends_on:
            data["depends_on"] = self.depends_on
        if self.content:
            data["content"] = self.content
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Entry:
        return cls(
            data["key"], data["findings"], data.get("summary"), dict(data.get("depends_on", {})), data.get("content", "")
        )


def prepare_directory(directory: Path) -> None:
    """Create the cache folder the way ruff does: ignored by git and by backup tools."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
        marker = directory / name
        if not marker.exists():
            marker.write_text(text, encoding="utf-8")


class FindingsCache:
    """Entries by file path relative to ``root`` (so a moved checkout keeps its cache)."""

    def __init__(self, directory: Path, root: Path) -> None:
        self.directory = directory
        self.root = root
        self.path = directory / __version__ / "findings.json"
        self.entries: dict[str, Entry] = {}
        self._updated: dict[str, Entry] = {}
        self._raw = self._read()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def relative(self, path: Path) -> str:
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return absolute.as_posix()

    def get(self, name: str) -> Entry | None:
        entry = self.entries.get(name)
        if entry is None and name in self._raw:
            try:
                entry = self.entries[name] = Entry.from_json(self._raw[name])
            except (KeyError, TypeError, AttributeError):
                return None
        return entry

    def summaries(self) -> dict[str, Any]:
        """Every summary the cache holds, for an analysis that needs the whole project."""
        return {name: entry.summary for name in self._raw if (entry := self.get(name)) and entry.summary is not None}

    def known_files(self, skip: Iterable[str]) -> Iterator[tuple[Path, Entry, bytes]]:
        """The files the cache knows (but ``skip``) that are still regular files, with their
        entry and their content now: the rest of the project, when a run names only some of
        its files (pre-commit, an editor)."""
        from .sources import SourceReadError, read_bytes

        skipped = set(skip)
        for name in self._raw:
            if name in skipped:
                continue
            entry = self.get(name)
            if entry is None:
                continue
            path = self.root / name
            try:
                content = read_bytes(str(path))
            except SourceReadError:
                continue  # gone, or no longer a regular file
            yield path, entry, content

    def put(self, name: str, entry: Entry) -> None:
        self.entries[name] = entry
        self._updated[name] = entry

    def save(self) -> None:
        """Merge this run's entries into the file as it is now, then swap it in atomically.

        Re-reading first keeps what a concurrent run (pre-commit starts one per batch of
        files) wrote meanwhile; entries of files that no longer exist are dropped.
        """
        if not self._updated:
            return
        try:
            prepare_directory(self.directory)
            self.path.parent.mkdir(exist_ok=True)
            merged = {
                name: data
                for name, data in self._read().items()
                if (self.root / name).exists()
            }
            merged.update((name, entry.to_json()) for name, entry in self._updated.items())
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            tmp.write_text(json.dumps(merged, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            return  # a read-only tree still lints, without a cache
        self._updated.clear()
