"""JUnit XML for CI test reports (`--format junit`): one testsuite per subject (compat) or per
contract file (lint), one testcase per finding, failing unless an override accepted it (then
skipped, with the override's reason); a suite without findings holds one passing testcase."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gate.findings import Finding


def _suite_of(f: Finding) -> str:
    return f.subject or f.file


def _case(suite: ET.Element, name: str, f: Finding) -> None:
    where = (
        f"introduced in {f.introduced}" if f.introduced else f.against and f"against {f.against}"
    )
    case = ET.SubElement(
        suite,
        "testcase",
        classname=name,
        name=f"{f.rule} {f.file}:{f.line}:{f.col}",
        file=f.file,
        line=str(f.line),
    )
    if f.is_error:
        failure = ET.SubElement(case, "failure", type=f.rule, message=f.headline)
        body = [f"{f.file}:{f.line}:{f.col}: {f.rule} {f.headline}"]
        body += [f"{where}"] if where else []
        body += [f"subjects: {', '.join(f.affected)}"] if len(f.affected) > 1 else []
        failure.text = "\n".join([*body, f"fix: {f.fix}"])
    else:
        ET.SubElement(case, "skipped", message=f"override applied: {f.override}")


def render(
    findings: Sequence[Finding],
    name: str,
    summary: str,
    notes: Sequence[str] = (),
    suites: Sequence[str] = (),
) -> str:
    """`suites`: every subject (or file) checked, so clean ones show as passed."""
    names = list(dict.fromkeys([*suites, *map(_suite_of, findings)]))
    root = ET.Element("testsuites", name=name)
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite_name in names:
        mine = [f for f in findings if _suite_of(f) == suite_name]
        counts = {
            "tests": max(len(mine), 1),
            "failures": sum(f.is_error for f in mine),
            "skipped": sum(not f.is_error for f in mine),
        }
        attrs = {"name": suite_name, "errors": "0", **{k: str(v) for k, v in counts.items()}}
        suite = ET.SubElement(root, "testsuite", attrs)
        for f in mine:
            _case(suite, suite_name, f)
        if not mine:
            ET.SubElement(suite, "testcase", classname=suite_name, name=f"{name}: no findings")
        own = [n for n in notes if n.startswith(f"{suite_name}:")]
        if own:
            ET.SubElement(suite, "system-out").text = "\n".join(own)
        totals = {k: totals[k] + counts[k] for k in totals}
    root.attrib.update({k: str(v) for k, v in totals.items()}, errors="0")
    root.append(ET.Comment(f" {summary} "))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
