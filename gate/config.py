"""`contracts/gate.yaml`: which rules `gate lint` and `gate compat` run, and where, as buf.yaml
does it for buf.

    version: 1
    lint:
      use: [LINT]                 # rule ids or categories (default: all of the command's rules)
      except: [LINT_MONEY_NOT_FLOAT]
      ignore: [contracts/legacy]  # files or folders whose findings are not reported
      ignore_only:                # a rule -> files or folders where only it is not reported
        LINT_FIELD_DOC: [contracts/shop/events/order_created.avsc]
    compat:
      use: [WIRE, CODEGEN, SEMANTIC, INTEROP]

Validated like the catalog: unknown keys, rule ids, categories of the other command and paths
that do not exist are errors naming the file, the line and the key. A missing file selects
everything. Deliberate single breaks belong in compat-overrides.yaml, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from avrokit.yamlfile import InputError, key_path, load_model, locate_yaml, read_text
from gate.findings import Finding
from gate.rules import CATEGORIES, RULES

PATH = "contracts/gate.yaml"
EXPECTED = "a mapping with keys version, lint and compat"
LINT_CATEGORIES = ("LINT",)
COMPAT_CATEGORIES = ("WIRE", "CODEGEN", "SEMANTIC", "INTEROP")


class Selection(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    use: list[str] = Field(
        default_factory=list, description="Rule ids or categories to run (empty: all)."
    )
    except_: list[str] = Field(
        default_factory=list, alias="except", description="Rule ids or categories to leave out."
    )
    ignore: list[str] = Field(
        default_factory=list, description="Files or folders whose findings are not reported."
    )
    ignore_only: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Rule id -> files or folders where only that rule is not reported.",
    )

    def runs(self, rule: str) -> bool:
        category = RULES[rule].category if rule in RULES else ""
        chosen = not self.use or rule in self.use or category in self.use
        return chosen and rule not in self.except_ and category not in self.except_

    def keeps(self, f: Finding) -> bool:
        if not self.runs(f.rule):
            return False
        return not _under(f.file, self.ignore) and not _under(
            f.file, self.ignore_only.get(f.rule, [])
        )


def _under(file: str, paths: Sequence[str]) -> bool:
    f = PurePosixPath(file)
    return any(f == PurePosixPath(p) or PurePosixPath(p) in f.parents for p in paths)


class GateConfig(BaseModel):
    """contracts/gate.yaml."""

    model_config = ConfigDict(extra="forbid", title="gate configuration")

    version: Literal[1] = 1
    lint: Selection = Field(default_factory=Selection)
    compat: Selection = Field(default_factory=Selection)


@dataclass(frozen=True)
class Filtered:
    findings: list[Finding]
    note: str  # "" when the configuration left every finding in


def load(root: Path) -> GateConfig:
    """The configuration of the repository at `root` (defaults if the file does not exist)."""
    path = root / PATH
    config = load_model(path, GateConfig, EXPECTED, missing_ok=True, empty_ok=True)
    if config is None:
        return GateConfig()
    problems = _problems(root, config)
    if problems:
        text = read_text(path)
        lines = []
        for keys, what in problems:
            line, col = locate_yaml(text, keys)
            lines.append(f"{PATH}:{line}:{col}: {key_path(keys)}: {what}")
        raise InputError("\n".join(lines))
    return config


def _problems(root: Path, config: GateConfig) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    for command, allowed in (("lint", LINT_CATEGORIES), ("compat", COMPAT_CATEGORIES)):
        sel: Selection = getattr(config, command)
        names = {r for r, rule in RULES.items() if rule.category in allowed} | set(allowed)
        for key, values in (("use", sel.use), ("except", sel.except_)):
            for i, value in enumerate(values):
                if value not in names:
                    known = value in RULES or value in CATEGORIES
                    what = "is not a rule or category of" if known else "is no rule id or category;"
                    out.append(
                        (
                            (command, key, i),
                            f"{value!r} {what} `gate {command}` runs {', '.join(allowed)} "
                            "(categories or their rule ids)",
                        )
                    )
        for i, p in enumerate(sel.ignore):
            if not (root / p).exists():
                out.append(((command, "ignore", i), f"{p!r} does not exist"))
        for rule, paths in sel.ignore_only.items():
            if rule not in names - set(allowed):
                out.append(((command, "ignore_only", rule), f"{rule!r} is no rule of {command}"))
            for i, p in enumerate(paths):
                if not (root / p).exists():
                    out.append(((command, "ignore_only", rule, i), f"{p!r} does not exist"))
    return out


def apply(selection: Selection, findings: list[Finding]) -> Filtered:
    kept = [f for f in findings if selection.keeps(f)]
    dropped = len(findings) - len(kept)
    note = f"{PATH}: {dropped} finding{'s' if dropped != 1 else ''} not reported" if dropped else ""
    return Filtered(kept, note)
