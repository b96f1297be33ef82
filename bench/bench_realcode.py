"""Precision and recall of bybit-lint on public bot repositories. Prints figures; not a timed test.

Run: python bench/bench_realcode.py SNAPSHOT_DIR [--rebuild MIRRORS_DIR]

The third-party code is never kept in this repository: ``bench/realcode/manifest.toml`` names
each repository, the commit and the files used, and ``--rebuild`` recreates
``SNAPSHOT_DIR/<owner>__<name>/<path>`` from git clones or mirrors found in MIRRORS_DIR
(``git show COMMIT:PATH``). Each repository's snapshot is then linted as a project of its own
(its directory is the root), by the ``lint_rules`` the running interpreter imports, so the
script measures whichever checkout is installed in the active virtualenv.

``bench/realcode/labels.toml`` holds the reviewer's verdicts: ``[[expected]]`` entries are
defects the linter should report, ``[[fine]]`` entries are look-alikes it should leave alone
(reporting one is a false positive). A finding matches a label of the same file and code
whose line is within ``--tolerance`` lines. Precision counts every finding: one that no label
judges counts against it and is printed in full so that someone can judge it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

HERE = Path(__file__).resolve().parent / "realcode"
MANIFEST = HERE / "manifest.toml"
LABELS = HERE / "labels.toml"


class BenchError(Exception):
    """A problem with the inputs, said in a way that tells the user what to do."""


@dataclass(frozen=True)
class Repo:
    name: str
    url: str
    commit: str
    paths: tuple[str, ...]

    @property
    def slug(self) -> str:
        """The snapshot directory name: owner__name (a slash cannot be a directory name)."""
        return self.name.replace("/", "__")


@dataclass(frozen=True)
class Label:
    repo: str
    path: str
    line: int
    code: str
    reason: str
    expected: bool


@dataclass(frozen=True)
class Finding:
    repo: str
    path: str
    line: int
    column: int
    code: str
    message: str


@dataclass
class Score:
    true_positives: list[tuple[Finding, Label]] = field(default_factory=list)
    false_positives: list[tuple[Finding, Label]] = field(default_factory=list)
    unjudged: list[Finding] = field(default_factory=list)
    misses: list[Label] = field(default_factory=list)
    quiet_lookalikes: list[Label] = field(default_factory=list)


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise BenchError(f"{path}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise BenchError(f"{path}: not valid TOML: {exc}") from None


def load_manifest(path: Path = MANIFEST) -> list[Repo]:
    data = _read_toml(path)
    repos = []
    for index, entry in enumerate(data.get("repo", []), start=1):
        missing = [key for key in ("name", "url", "commit", "paths") if key not in entry]
        if missing:
            raise BenchError(f"{path}: repo #{index} lacks {', '.join(missing)}: give name, url, commit and paths")
        repos.append(Repo(entry["name"], entry["url"], entry["commit"], tuple(entry["paths"])))
    if not repos:
        raise BenchError(f"{path}: no [[repo]] entries")
    return repos


def load_labels(path: Path = LABELS) -> list[Label]:
    data = _read_toml(path)
    labels = []
    for table, expected, reason_key in (("expected", True, "why"), ("fine", False, "why_not")):
        for index, entry in enumerate(data.get(table, []), start=1):
            missing = [key for key in ("repo", "path", "line", "code", reason_key) if key not in entry]
            if missing:
                raise BenchError(
                    f"{path}: [[{table}]] #{index} lacks {', '.join(missing)}: "
                    f"every label needs repo, path, line, code and {reason_key}"
                )
            labels.append(
                Label(entry["repo"], entry["path"], int(entry["line"]), entry["code"], entry[reason_key], expected)
            )
    return labels


# --- snapshots -------------------------------------------------------------------------------


def _git(git_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True)


def find_git_dir(mirrors: Path, repo: Repo) -> Path | None:
    """The clone or bare mirror of ``repo`` under ``mirrors`` that holds its commit, if any."""
    owner, name = repo.name.split("/", 1)
    bases = [mirrors / f"{owner}+{name}", mirrors / repo.slug, mirrors / owner / name, mirrors / name]
    candidates = []
    for base in bases:
        candidates += [base / "repo" / ".git", base / "repo", base / ".git", base, base.with_name(base.name + ".git")]
    for candidate in candidates:
        if candidate.is_dir() and _git(candidate, "cat-file", "-e", f"{repo.commit}^{{commit}}").returncode == 0:
            return candidate
    return None


def rebuild(snapshot_dir: Path, mirrors: Path, repos: list[Repo]) -> None:
    """Write every manifest file from its repository's commit; the old snapshot of a repo is replaced."""
    problems = []
    for repo in repos:
        git_dir = find_git_dir(mirrors, repo)
        if git_dir is None:
            problems.append(
                f"{repo.name}: no clone holding commit {repo.commit[:12]} under {mirrors} "
                f"(looked for {repo.name.replace('/', '+')}/, {repo.slug}/, {repo.name}/): clone {repo.url} there"
            )
            continue
        target = snapshot_dir / repo.slug
        for old in sorted(target.rglob("*"), reverse=True) if target.exists() else ():
            old.unlink() if old.is_file() or old.is_symlink() else old.rmdir()
        for rel in repo.paths:
            shown = _git(git_dir, "show", f"{repo.commit}:{rel}")
            if shown.returncode != 0:
                problems.append(f"{repo.name}: {rel} is not in commit {repo.commit[:12]}: fix the manifest path")
                continue
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(shown.stdout)
    if problems:
        raise BenchError("rebuild incomplete:\n  " + "\n  ".join(problems))


def corpus_size(snapshot_dir: Path, repos: list[Repo]) -> tuple[int, int, int, list[str]]:
    """Repos, files and lines of the snapshot that the manifest names, plus the files it lacks."""
    present_repos, files, lines, missing = 0, 0, 0, []
    for repo in repos:
        seen = 0
        for rel in repo.paths:
            path = snapshot_dir / repo.slug / rel
            if not path.is_file():
                missing.append(f"{repo.slug}/{rel}")
                continue
            seen += 1
            lines += len(path.read_bytes().splitlines())
        files += seen
        present_repos += bool(seen)
    return present_repos, files, lines, missing


# --- linting and scoring ---------------------------------------------------------------------


def lint_repo(snapshot_dir: Path, repo: Repo) -> list[Finding]:
    """Lint one repository's snapshot as a project, with the linter the interpreter imports."""
    root = snapshot_dir / repo.slug
    proc = subprocess.run(
        [sys.executable, "-m", "lint_rules.cli", ".", "--output-format", "json", "--isolated", "--exit-zero"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise BenchError(f"bybit-lint failed on {root} (exit {proc.returncode}):\n{proc.stderr.strip()}")
    findings = []
    for item in json.loads(proc.stdout or "[]"):
        rel = Path(item["filename"]).as_posix()
        rel = rel[2:] if rel.startswith("./") else rel
        findings.append(Finding(repo.name, rel, item["line"], item.get("column", 0), item["code"], item["message"]))
    return findings


def score(findings: list[Finding], labels: list[Label], tolerance: int = 2) -> dict[str, Score]:
    """Match findings to labels one to one: same file and code, closest pairs first.

    Pairing the closest (finding, label) pairs first keeps a finding one line off from taking
    the label that another finding sits exactly on.
    """
    pairs = []
    for fi, finding in enumerate(findings):
        for li, label in enumerate(labels):
            if (label.repo, label.path, label.code) != (finding.repo, finding.path, finding.code):
                continue
            distance = abs(label.line - finding.line)
            if distance <= tolerance:
                pairs.append((distance, not label.expected, fi, li))
    matched_findings: dict[int, int] = {}
    used_labels: set[int] = set()
    for _, _, fi, li in sorted(pairs):
        if fi in matched_findings or li in used_labels:
            continue
        matched_findings[fi] = li
        used_labels.add(li)
    scores: dict[str, Score] = {}
    for fi, finding in enumerate(findings):
        bucket = scores.setdefault(finding.code, Score())
        if fi not in matched_findings:
            bucket.unjudged.append(finding)
            continue
        label = labels[matched_findings[fi]]
        (bucket.true_positives if label.expected else bucket.false_positives).append((finding, label))
    for li, label in enumerate(labels):
        if li in used_labels:
            continue
        bucket = scores.setdefault(label.code, Score())
        (bucket.misses if label.expected else bucket.quiet_lookalikes).append(label)
    return scores


def ratio(num: int, den: int) -> str:
    return f"{num / den:.2f}" if den else "  - "


def table(scores: dict[str, Score]) -> list[str]:
    head = f"{'rule':<8} {'TP':>4} {'FP':>4} {'unjudged':>8} {'miss':>5} {'quiet':>5} {'precision':>9} {'recall':>6}"
    rows = [head, "-" * len(head)]
    totals = Score()
    for code in sorted(scores):
        s = scores[code]
        for name in ("true_positives", "false_positives", "unjudged", "misses", "quiet_lookalikes"):
            getattr(totals, name).extend(getattr(s, name))
        rows.append(_row(code, s))
    rows.append("-" * len(head))
    rows.append(_row("overall", totals))
    return rows


def _row(name: str, s: Score) -> str:
    tp, fp, un, miss = len(s.true_positives), len(s.false_positives), len(s.unjudged), len(s.misses)
    return (
        f"{name:<8} {tp:>4} {fp:>4} {un:>8} {miss:>5} {len(s.quiet_lookalikes):>5} "
        f"{ratio(tp, tp + fp + un):>9} {ratio(tp, tp + miss):>6}"
    )


def _source_line(snapshot_dir: Path, repo: str, path: str, line: int) -> str:
    try:
        text = (snapshot_dir / repo.replace("/", "__") / path).read_text(encoding="utf-8", errors="replace")
        return text.splitlines()[line - 1].strip()
    except (OSError, IndexError):
        return ""


def report(snapshot_dir: Path, scores: dict[str, Score], matched: bool = False) -> list[str]:
    out = []
    for code in sorted(scores):
        s = scores[code]
        for finding, label in s.true_positives if matched else ():
            out.append(f"TRUE POSITIVE  {_where(finding.repo, finding.path, finding.line)} {code}: {label.reason}")
            out.append(f"    {_source_line(snapshot_dir, finding.repo, finding.path, finding.line)}")
        for finding, label in s.false_positives:
            out.append(f"FALSE POSITIVE {_where(finding.repo, finding.path, finding.line)} {code}: {label.reason}")
            out.append(f"    {_source_line(snapshot_dir, finding.repo, finding.path, finding.line)}")
        for label in s.misses:
            out.append(f"MISS           {_where(label.repo, label.path, label.line)} {code}: {label.reason}")
            out.append(f"    {_source_line(snapshot_dir, label.repo, label.path, label.line)}")
    for code in sorted(scores):
        for finding in scores[code].unjudged:
            out.append(
                f"UNJUDGED       {_where(finding.repo, finding.path, finding.line)}:{finding.column} "
                f"{finding.code} {finding.message}"
            )
            out.append(f"    {_source_line(snapshot_dir, finding.repo, finding.path, finding.line)}")
    return out


def as_json(scores: dict[str, Score], size: tuple[int, int, int]) -> dict:
    """The scores in a form two runs (two linter versions) can be diffed by."""

    def where(repo: str, path: str, line: int, code: str) -> dict:
        return {"file": f"{repo.replace('/', '__')}/{path}", "line": line, "code": code}

    rules = {}
    for code, s in sorted(scores.items()):
        tp, fp, un, miss = len(s.true_positives), len(s.false_positives), len(s.unjudged), len(s.misses)
        rules[code] = {
            "true_positives": tp, "false_positives": fp, "unjudged": un, "misses": miss,
            "precision": round(tp / (tp + fp + un), 3) if tp + fp + un else None,
            "recall": round(tp / (tp + miss), 3) if tp + miss else None,
        }
    return {
        "corpus": dict(zip(("repos", "files", "lines"), size)),
        "rules": rules,
        "false_positives": [
            {**where(f.repo, f.path, f.line, f.code), "why_not": lab.reason}
            for s in scores.values() for f, lab in s.false_positives
        ],
        "misses": [{**where(lab.repo, lab.path, lab.line, lab.code), "why": lab.reason} for s in scores.values() for lab in s.misses],
        "unjudged": [{**where(f.repo, f.path, f.line, f.code), "message": f.message} for s in scores.values() for f in s.unjudged],
    }


def _where(repo: str, path: str, line: int) -> str:
    return f"{repo.replace('/', '__')}/{path}:{line}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot_dir", type=Path, help="where the snapshots are (or are rebuilt)")
    parser.add_argument("--rebuild", type=Path, metavar="MIRRORS_DIR", help="recreate the snapshots from clones here")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--tolerance", type=int, default=2, help="lines a finding may be from its label (default 2)")
    parser.add_argument("--quiet", action="store_true", help="print the tables only, not each finding")
    parser.add_argument("--matched", action="store_true", help="also print the true positives")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the scores and every finding as JSON")
    args = parser.parse_args(argv)
    try:
        repos = load_manifest(args.manifest)
        labels = load_labels(args.labels)
        if args.rebuild:
            rebuild(args.snapshot_dir, args.rebuild, repos)
        n_repos, n_files, n_lines, missing = corpus_size(args.snapshot_dir, repos)
        if missing:
            raise BenchError(
                f"{len(missing)} manifest files are missing under {args.snapshot_dir} (first: {missing[0]}): "
                "run with --rebuild MIRRORS_DIR"
            )
        started = time.perf_counter()
        findings = [f for repo in repos for f in lint_repo(args.snapshot_dir, repo)]
        seconds = time.perf_counter() - started
    except BenchError as exc:
        print(f"bench_realcode: {exc}", file=sys.stderr)
        return 2
    scores = score(findings, labels, args.tolerance)
    if not args.quiet:
        print("\n".join(report(args.snapshot_dir, scores, args.matched)))
        print()
    print(f"corpus: {n_repos} repos, {n_files} files, {n_lines} lines; {len(labels)} labels "
          f"({sum(lab.expected for lab in labels)} expected, {sum(not lab.expected for lab in labels)} fine)")
    print(f"linted in {seconds:.1f} s ({len(findings)} findings; one process per repo)")
    print("\n".join(table(scores)))
    if args.json:
        args.json.write_text(json.dumps(as_json(scores, (n_repos, n_files, n_lines)), indent=1), encoding="utf-8")
    print("precision = TP / every finding (unjudged ones count against it); recall = TP / (TP + miss);")
    print("quiet = look-alikes labelled fine that the linter left alone")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # piped into head: the reader has what it wanted
        sys.stderr.close()
        raise SystemExit(0)
