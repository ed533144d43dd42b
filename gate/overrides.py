"""`contracts/compat-overrides.yaml`: reviewed, deliberate breaks the gate lets through.

    overrides:
      - subject: order_created-value       # a subject the finding affects
        rule: WIRE_FIELD_MISSING_DEFAULT
        path: shop.events.OrderCreated.gift_wrap   # the finding's field path, as printed
        commit: 1a2b3c4                     # the commit that makes the break, or
        # range: 1a2b3c4..                  # any commit after 1a2b3c4 (and the working tree)
        reason: every consumer of order_created was upgraded in release 42
        approved_by: alice (platform lead)

One entry approves one finding (subject, rule, path) made at the stated commit or in the stated
range (`A..B` as git reads it; `A..` runs to HEAD and covers uncommitted changes). History mode
judges each step by the overrides file as it was from that step's commit on, so an entry can be
deleted once its break is merged: the history keeps the approval. The gate reports entries whose
commit is no longer in the history (expired: rebased or squashed away) and entries that match no
finding of the run.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field

from avrokit.yamlfile import InputError, load_model, validation_lines
from gate.baseline import Baseline
from gate.findings import Finding
from gate.history import rev_parse
from gate.rules import RULES

PATH = "contracts/compat-overrides.yaml"
EXPECTED = "a mapping with one key, overrides: a list of entries"


class OverrideError(InputError):
    pass


class Override(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: str = Field(min_length=1, description="A registry subject the finding affects.")
    rule: str = Field(min_length=1, description="The finding's rule id.")
    path: str = Field(
        min_length=1,
        description="The finding's field path, as printed: shop.events.OrderCreated.gift_wrap.",
    )
    commit: str | None = Field(None, min_length=4, description="The commit that makes the break.")
    range: str | None = Field(
        None, description="Commits A..B (git's meaning); A.. runs to HEAD and the working tree."
    )
    reason: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)

    @pydantic.model_validator(mode="before")
    @classmethod
    def _renamed_keys(cls, data: object) -> object:
        if isinstance(data, dict) and "field" in data:
            raise ValueError(
                "`field` is now `path`: the finding's full field path as the gate prints it "
                "(e.g. shop.events.OrderCreated.gift_wrap), and the entry states a commit or range"
            )
        return data

    @pydantic.field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        if value not in RULES:
            raise ValueError(f"unknown rule id {value!r} (see gate/RULES.md)")
        return value

    @pydantic.field_validator("commit", mode="before")
    @classmethod
    def _commit_text(cls, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(
                f"YAML read this commit as the number {value!r} (a hash of digits only is a"
                " number to YAML, with a leading 0 an octal one); quote it: commit: '0123456'"
            )
        return value

    @pydantic.field_validator("range")
    @classmethod
    def _range_shape(cls, value: str | None) -> str | None:
        if value is not None and (".." not in value or value.startswith("..")):
            raise ValueError(f"expected A..B or A.., got {value!r}")
        return value

    @pydantic.model_validator(mode="after")
    def _one_scope(self) -> Override:
        if (self.commit is None) == (self.range is None):
            raise ValueError(
                "state exactly one of commit (the commit that makes the break) or range (A..B, "
                "or A.. for a branch not merged yet)"
            )
        return self

    @property
    def scope(self) -> str:
        return f"commit {self.commit}" if self.commit else f"range {self.range}"

    def describe(self) -> str:
        return f"{self.subject} {self.rule} {self.path} at {self.scope}"

    def note(self) -> str:
        return f"{self.reason} (approved by {self.approved_by})"


class OverridesFile(BaseModel):
    """contracts/compat-overrides.yaml."""

    model_config = ConfigDict(extra="forbid", title="gate compat overrides")

    overrides: list[Override] = Field(default_factory=list)

    @pydantic.field_validator("overrides", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value  # `overrides:` with every entry deleted


def load(path: Path) -> list[Override]:
    """The entries of `path` ([] if it does not exist); OverrideError naming file, line and key."""
    try:
        loaded = load_model(path, OverridesFile, EXPECTED, missing_ok=True, empty_ok=True)
    except InputError as exc:
        raise OverrideError(str(exc)) from None
    return loaded.overrides if loaded else []


def parse(text: str, where: Path) -> list[Override]:
    raw = yaml.safe_load(text) or {}
    try:
        return OverridesFile.model_validate(raw).overrides
    except pydantic.ValidationError as exc:
        raise OverrideError(validation_lines(where, text, exc)) from None


@dataclass
class _Scopes:
    """Which commits an entry's commit or range names (resolved once per run)."""

    root: Path | None
    head: str | None
    cache: dict[str, frozenset[str] | None] = field(default_factory=dict)

    def commits(self, o: Override) -> frozenset[str] | None:
        """The commits `o` covers ("" stands for the working tree); None if it names commits
        that are not in the history of HEAD."""
        key = o.scope
        if key not in self.cache:
            self.cache[key] = self._resolve(o)
        return self.cache[key]

    def _resolve(self, o: Override) -> frozenset[str] | None:
        if self.root is None or self.head is None:
            return frozenset({""}) if o.range and o.range.endswith("..") else None
        if o.commit:
            sha = rev_parse(self.root, o.commit)
            return frozenset({sha}) if sha and self._in_history(sha) else None
        start, _, end = (o.range or "").partition("..")
        a, b = rev_parse(self.root, start), rev_parse(self.root, end or "HEAD")
        if a is None or b is None or not self._in_history(b):
            return None
        out = subprocess.run(
            ["git", "rev-list", f"{a}..{b}"], cwd=self.root, capture_output=True, text=True
        ).stdout.split()
        return frozenset(out) | ({""} if not end else frozenset())

    def _in_history(self, sha: str) -> bool:
        assert self.root is not None and self.head is not None
        proc = subprocess.run(["git", "merge-base", "--is-ancestor", sha, self.head], cwd=self.root)
        return proc.returncode == 0


@dataclass
class Applied:
    findings: list[Finding]
    warnings: list[str]  # expired entries, entries that match nothing, unreadable old files


def apply(
    findings: Sequence[Finding],
    current: list[Override],
    baseline: Baseline | None = None,
    path: str = PATH,
) -> Applied:
    """Mark the findings an override approves; warn about the entries of `current` that have
    expired or match nothing. With a history-mode `baseline`, a finding made in commit C is also
    approved by the entries the file held at C or at any later commit."""
    scopes = _Scopes(baseline.root if baseline else None, baseline.head if baseline else None)
    history = _History(baseline, path) if baseline and baseline.every_step else None
    used: set[Override] = set()
    out = []
    for f in findings:
        candidates = history.entries_since(f.commit, current) if history else current
        hit = next((o for o in candidates if _matches(o, f, scopes)), None)
        if hit:
            used.add(hit)
        out.append(f.overridden(hit.note()) if hit else f)
    warnings = list(history.warnings) if history else []
    for i, o in enumerate(current, 1):
        if scopes.commits(o) is None:
            warnings.append(
                f"{path}: override #{i} ({o.describe()}) has expired: {o.scope} is not in the "
                "history of HEAD (rebased or squashed away?); delete it, or state the commit "
                "that makes the break now"
            )
        elif o not in used:
            warnings.append(
                f"{path}: override #{i} ({o.describe()}) matches no finding: delete it "
                "(the history keeps the approvals it made)"
            )
    return Applied(out, warnings)


def _matches(o: Override, f: Finding, scopes: _Scopes) -> bool:
    if o.rule != f.rule or o.path != f.field or o.subject not in f.affected:
        return False
    commits = scopes.commits(o)
    return commits is not None and f.commit in commits


@dataclass
class _History:
    """The overrides file as it was from a commit on: that commit's version and every later one."""

    baseline: Baseline
    path: str
    warnings: list[str] = field(default_factory=list)
    _at: dict[str, list[Override]] = field(default_factory=dict)
    _since: dict[str, list[Override]] = field(default_factory=dict)

    def entries_since(self, commit: str, current: list[Override]) -> list[Override]:
        if not commit:
            return current
        if commit not in self._since:
            later = subprocess.run(
                ["git", "log", "--format=%H", f"{commit}..HEAD", "--", self.path],
                cwd=self.baseline.root,
                capture_output=True,
                text=True,
            ).stdout.split()
            entries = list(current)
            for rev in [commit, *later]:
                entries += [o for o in self._read(rev) if o not in entries]
            self._since[commit] = entries
        return self._since[commit]

    def _read(self, rev: str) -> list[Override]:
        if rev not in self._at:
            text = self.baseline.blobs.read(rev, self.path)
            try:
                self._at[rev] = parse(text, Path(self.path)) if text else []
            except (OverrideError, yaml.YAMLError) as exc:
                first = str(exc).splitlines()[0]
                self.warnings.append(f"{self.path} at {rev[:7]} ignored: {first}")
                self._at[rev] = []
        return self._at[rev]
