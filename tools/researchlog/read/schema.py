"""The front-matter contract, declared once.

Validation, the JSON Schema printed by `researchlog schema` and the reference table in the README
all come from FIELDS below, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STATUSES: tuple[str, ...] = (
    "planned",
    "running",
    "success",
    "dead-end",
    "inconclusive",
    "superseded",
)
FINISHED: frozenset[str] = frozenset({"success", "dead-end", "inconclusive", "superseded"})
KINDS: tuple[str, ...] = ("markdown", "notebook", "scope")
# A project card (`kind: project`) describes a bet, not an experiment: its own statuses,
# and the decisions the team took on it.
PROJECT_KIND = "project"
PROJECT_STATUSES: tuple[str, ...] = ("active", "paused", "stopped", "shipped")
DECISIONS: tuple[str, ...] = ("continue", "pivot", "stop", "ship")
DIRECTIONS: tuple[str, ...] = ("higher", "lower")

PROJECT_STATUS_LABELS: Mapping[str, str] = {
    "active": "Active",
    "paused": "Paused",
    "stopped": "Stopped",
    "shipped": "Shipped",
}
DECISION_LABELS: Mapping[str, str] = {
    "continue": "Continue",
    "pivot": "Pivot",
    "stop": "Stop",
    "ship": "Ship",
}

STATUS_LABELS: Mapping[str, str] = {
    "planned": "Planned",
    "running": "Running",
    "success": "Success",
    "dead-end": "Dead end",
    "inconclusive": "Inconclusive",
    "superseded": "Superseded",
}


@dataclass(frozen=True)
class Issue:
    """What is wrong with one value, and how to fix it."""

    message: str
    hint: str
    key: str | None = None  # a sub-key (a metric name) when the issue is about one item
    warning: bool = False  # shown, but the value is still usable
    kind: str | None = None  # the problem code, when the message does not tell it

    @property
    def code(self) -> str:
        """The problem code of this kind of issue (core.problems.CODES)."""
        if self.kind:
            return self.kind
        if self.message.startswith("unknown field"):
            return "field-unknown"
        if self.message.startswith("missing"):
            return "field-missing"
        if self.message.startswith("unknown value"):
            return "field-choice"
        return "field-invalid"


@dataclass
class Checked:
    value: Any
    issues: list[Issue] = field(default_factory=list)


def closest(word: str, options: tuple[str, ...] | list[str]) -> str | None:
    """The option a typo most likely meant ("dead_end" -> "dead-end")."""
    normal = word.strip().lower().replace("_", "-").replace(" ", "-")
    if normal in options:
        return normal
    match = difflib.get_close_matches(normal, options, n=1, cutoff=0.6)
    return match[0] if match else None


def describe(value: Any) -> str:
    """A short, human name for the type of a YAML value."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the text "{value[:40]}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return type(value).__name__


class FieldType:
    """How one field's YAML value is checked and converted."""

    def check(self, value: Any) -> Checked:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def example_hint(self, name: str) -> str:
        return ""


class Text(FieldType):
    def __init__(self, max_length: int = 0) -> None:
        self.max_length = max_length

    def check(self, value: Any) -> Checked:
        if isinstance(value, str):
            text = value.strip()
        elif isinstance(value, dt.date):
            text = value.isoformat()
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = str(value)
        else:
            return Checked(
                None,
                [Issue(f"must be text, not {describe(value)}", "write it as one line of text")],
            )
        if self.max_length and len(text) > self.max_length:
            return Checked(
                text[: self.max_length].rstrip() + "…",
                [
                    Issue(
                        f"is {len(text):,} characters long (at most {self.max_length:,} are shown)",
                        "shorten it and move the detail into the body",
                        warning=True,
                    )
                ],
            )
        return Checked(text or None)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if self.max_length:
            schema["maxLength"] = self.max_length
        return schema


class TextList(FieldType):
    """A list of short texts; a single text is taken as a list of one."""

    def __init__(self, item: Text | None = None) -> None:
        self.item = item or Text(max_length=200)

    def check(self, value: Any) -> Checked:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return Checked(
                (), [Issue(f"must be a list, not {describe(value)}", "write it as [first, second]")]
            )
        items: list[str] = []
        issues: list[Issue] = []
        for item in value:
            checked = self.item.check(item)
            issues.extend(checked.issues)
            if checked.value and checked.value not in items:
                items.append(checked.value)
        return Checked(tuple(items), issues)

    def json_schema(self) -> dict[str, Any]:
        return {
            "oneOf": [
                {"type": "array", "items": self.item.json_schema()},
                self.item.json_schema(),
            ]
        }


class Choice(FieldType):
    def __init__(self, options: tuple[str, ...]) -> None:
        self.options = options

    def check(self, value: Any) -> Checked:
        if isinstance(value, str) and value.strip() in self.options:
            return Checked(value.strip())
        guess = closest(value, self.options) if isinstance(value, str) else None
        shown = f'"{value}"' if isinstance(value, str) else describe(value)
        message = f"unknown value {shown}"
        message += (
            f'; did you mean "{guess}"?' if guess else f" (not one of {', '.join(self.options)})"
        )
        return Checked(None, [Issue(message, f"use one of: {', '.join(self.options)}")])

    def json_schema(self) -> dict[str, Any]:
        return {"enum": list(self.options)}


class Number(FieldType):
    def __init__(self, minimum: float | None = None) -> None:
        self.minimum = minimum

    def check(self, value: Any) -> Checked:
        if isinstance(value, bool) or not isinstance(value, int | float):
            hint = "write a plain number such as 0.81, without quotes or units"
            if isinstance(value, str) and _looks_numeric(value):
                return Checked(None, [Issue(f'is the text "{value}", not a number', hint)])
            return Checked(None, [Issue(f"must be a number, not {describe(value)}", hint)])
        if not math.isfinite(value):
            return Checked(
                None,
                [
                    Issue(
                        f"is {value}, which cannot be compared or charted",
                        "record a finite number, or leave the field out and explain in the body",
                    )
                ],
            )
        if self.minimum is not None and value < self.minimum:
            return Checked(
                None, [Issue(f"must be at least {self.minimum}", "use a positive number")]
            )
        return Checked(value)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        return schema


def _looks_numeric(text: str) -> bool:
    try:
        float(text.strip().rstrip("%"))
    except ValueError:
        return False
    return True


class Metrics(FieldType):
    """A mapping of metric name to number; bad items are dropped one by one."""

    def check(self, value: Any) -> Checked:
        if not isinstance(value, dict):
            return Checked(
                {},
                [
                    Issue(
                        f"must be a mapping of metric name to number, not {describe(value)}",
                        "write it as {val_f1: 0.81, latency_ms: 41}",
                    )
                ],
            )
        metrics: dict[str, float] = {}
        issues: list[Issue] = []
        for name, number in value.items():
            checked = Number().check(number)
            if checked.issues:
                issues.extend(
                    Issue(f'metric "{name}" {i.message}', i.hint, key=str(name))
                    for i in checked.issues
                )
            else:
                metrics[str(name)] = checked.value
        return Checked(metrics, issues)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": {"type": "number"}}


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")


class Date(FieldType):
    def check(self, value: Any) -> Checked:
        if isinstance(value, dt.datetime):
            return Checked(value.date())
        if isinstance(value, dt.date):
            return Checked(value)
        if isinstance(value, str):
            for fmt in _DATE_FORMATS:
                try:
                    return Checked(dt.datetime.strptime(value.strip(), fmt).date())
                except ValueError:
                    continue
        return Checked(
            None,
            [
                Issue(
                    f"is {describe(value)}, not a date in the form YYYY-MM-DD",
                    "write the date as 2026-11-20 (year-month-day), or leave it out to use the"
                    " date of the first commit",
                )
            ],
        )

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class Boolean(FieldType):
    def check(self, value: Any) -> Checked:
        if isinstance(value, bool):
            return Checked(value)
        return Checked(
            None, [Issue(f"must be true or false, not {describe(value)}", "write true or false")]
        )

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


_URL = re.compile(r"^(https?://|mailto:)[^\s<>\"]+$", re.IGNORECASE)


class Url(FieldType):
    """A web address; anything else (javascript:, data:) is refused so it cannot run."""

    def check(self, value: Any) -> Checked:
        if isinstance(value, str) and _URL.match(value.strip()):
            return Checked(value.strip())
        return Checked(
            None,
            [
                Issue(
                    f"is {describe(value)}, not a web address",
                    "use a full address starting with https://",
                )
            ],
        )

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": "^(https?://|mailto:)"}


class Samples(FieldType):
    """Sample predictions: a list of mappings, or a path to a JSONL/CSV file beside the entry."""

    def check(self, value: Any) -> Checked:
        if isinstance(value, str) and value.strip():
            return Checked(value.strip())
        if isinstance(value, list):
            return Checked(value)  # rows are checked one by one in samples.py, with lines
        return Checked(
            None,
            [
                Issue(
                    f"must be a list of {{id, input, expected, prediction}} or a file name,"
                    f" not {describe(value)}",
                    "write samples: samples.jsonl, or a list of mappings",
                )
            ],
        )

    def json_schema(self) -> dict[str, Any]:
        properties: dict[str, Any] = {
            key: {"type": ["string", "number", "boolean", "null"]}
            for key in ("id", "input", "expected", "prediction", "note")
        }
        properties["correct"] = {"type": "boolean"}
        row = {
            "type": "object",
            "required": ["id", "input", "prediction"],
            "properties": properties,
        }
        return {"oneOf": [{"type": "string"}, {"type": "array", "items": row}]}


class Decisions(FieldType):
    """The decision log of a project card: a list of {date, decision, why}. Each decision is
    checked on its own; a bad one is left out and the others are kept."""

    KEYS = ("date", "decision", "why")

    def check(self, value: Any) -> Checked:
        if not isinstance(value, list):
            return Checked(
                (),
                [
                    Issue(
                        f"must be a list of decisions, not {describe(value)}",
                        "write one decision per line:"
                        " - {date: 2026-03-02, decision: pivot, why: …}",
                    )
                ],
            )
        kept: list[tuple[dt.date, str, str, int]] = []
        issues: list[Issue] = []
        for index, item in enumerate(value):
            number = index + 1
            if not isinstance(item, dict):
                issues.append(
                    Issue(
                        f"decision {number} must be a mapping, not {describe(item)}",
                        "write it as {date: 2026-03-02, decision: continue, why: …}",
                        key=str(index),
                    )
                )
                continue
            found: list[Issue] = []
            for name in item:
                if str(name) not in self.KEYS:
                    found.append(
                        Issue(
                            f'decision {number} has an unknown key "{name}"',
                            f"a decision has only {', '.join(self.KEYS)}",
                            key=str(index),
                            warning=True,
                            kind="field-unknown",
                        )
                    )
            missing = [k for k in self.KEYS if item.get(k) in (None, "")]
            for name in missing:
                found.append(
                    Issue(
                        f'decision {number} is missing "{name}"',
                        _DECISION_EXAMPLES[name],
                        key=str(index),
                        kind="field-missing",
                    )
                )
            day = None if "date" in missing else Date().check(item["date"])
            if day is not None:
                found.extend(
                    Issue(f"decision {number}: the date {i.message}", i.hint, key=str(index))
                    for i in day.issues
                )
            choice = None
            if "decision" not in missing:
                choice = Choice(DECISIONS).check(item["decision"])
                found.extend(
                    Issue(
                        f"decision {number} is "
                        + i.message.replace("unknown value", "an unknown decision", 1),
                        i.hint,
                        key=str(index),
                        kind="field-choice",
                    )
                    for i in choice.issues
                )
            why = None if "why" in missing else Text(max_length=1000).check(item["why"])
            if why is not None:
                found.extend(
                    Issue(f'decision {number}: "why" {i.message}', i.hint, key=str(index))
                    for i in why.issues
                    if not i.warning
                )
            issues.extend(found)
            if day is None or choice is None or why is None:
                continue
            if day.value is None or choice.value is None or why.value is None:
                continue
            kept.append((day.value, choice.value, why.value, index))
        return Checked(tuple(kept), issues)

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {
                "type": "object",
                "required": list(self.KEYS),
                "properties": {
                    "date": Date().json_schema(),
                    "decision": {"enum": list(DECISIONS)},
                    "why": {"type": "string"},
                },
                "additionalProperties": False,
            },
        }


_DECISION_EXAMPLES = {
    "date": "add the day it was decided: date: 2026-03-02",
    "decision": f"add what was decided, one of: {', '.join(DECISIONS)}",
    "why": "add why, in a sentence: why: the curve flattened after three attempts",
}


class KillIf(FieldType):
    """The measurable part of a bet's kill criteria: the main metric has not reached a value
    after so many days of effort."""

    KEYS = ("not_reached", "after_effort_days")

    def check(self, value: Any) -> Checked:
        hint = "write it as {not_reached: 0.80, after_effort_days: 20}"
        if not isinstance(value, dict):
            return Checked(None, [Issue(f"must be a mapping, not {describe(value)}", hint)])
        issues: list[Issue] = []
        kept: dict[str, float] = {}
        for name, raw in value.items():
            if str(name) not in self.KEYS:
                issues.append(
                    Issue(
                        f'has an unknown key "{name}"',
                        f"kill_if has only {', '.join(self.KEYS)}",
                        key=str(name),
                        warning=True,
                        kind="field-unknown",
                    )
                )
                continue
            minimum = 0 if name == "after_effort_days" else None
            checked = Number(minimum=minimum).check(raw)
            issues.extend(
                Issue(f'"{name}" {i.message}', i.hint, key=str(name)) for i in checked.issues
            )
            if checked.value is not None:
                kept[str(name)] = checked.value
        if "after_effort_days" not in value:
            issues.append(
                Issue(
                    'is missing "after_effort_days"',
                    "say after how many days of effort the criteria apply: " + hint,
                    kind="field-missing",
                )
            )
        if "after_effort_days" not in kept:
            return Checked(None, issues)
        return Checked(kept, issues)

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["after_effort_days"],
            "properties": {
                "not_reached": {"type": "number"},
                "after_effort_days": {"type": "number", "minimum": 0},
            },
            "additionalProperties": False,
        }


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    description: str
    example: Any = None
    required: bool = False
    # Required only for entries with one of these statuses (never for scope documents).
    required_for: frozenset[str] = frozenset()


FIELDS: tuple[Field, ...] = (
    Field(
        "title",
        Text(max_length=300),
        "What the experiment tried, in a few words.",
        "Focal loss for the defect detector",
        required=True,
    ),
    Field("status", Choice(STATUSES), "Where the work stands.", "dead-end", required=True),
    Field(
        "question",
        Text(max_length=1000),
        "The question the experiment answers.",
        "Does focal loss beat weighted BCE at 1:200 imbalance?",
        required_for=frozenset(STATUSES) - {"planned"},
    ),
    Field(
        "outcome",
        Text(max_length=1000),
        "The answer, in one line, once the work is finished.",
        "No gain (F1 0.81 vs 0.82) and 3x slower to converge.",
        required_for=FINISHED,
    ),
    Field(
        "project",
        Text(max_length=100),
        "The line of work (bet) this belongs to.",
        "defect-detector",
    ),
    Field("tags", TextList(), "Topics, for browsing and search.", ["detection", "loss-functions"]),
    Field(
        "authors", TextList(), "Who did the work; defaults to the file's git authors.", ["Ana Lima"]
    ),
    Field(
        "date", Date(), "When the work started; defaults to the file's first commit.", "2026-11-20"
    ),
    Field(
        "metrics",
        Metrics(),
        "Results as numbers, by metric name.",
        {"val_f1": 0.81, "latency_ms": 41},
    ),
    Field(
        "dataset", Text(max_length=100), "The dataset the metrics were measured on.", "defects-v3"
    ),
    Field("effort_days", Number(minimum=0), "Time spent, in working days.", 2),
    Field(
        "superseded_by",
        Text(max_length=200),
        "The slug of the entry that replaces this one.",
        "2026-11-22-class-balanced-sampling",
        required_for=frozenset({"superseded"}),
    ),
    Field(
        "lessons",
        TextList(),
        "Playbook pages (file names without .md) this entry illustrates.",
        ["build-fast"],
    ),
    Field(
        "links",
        TextList(Text(max_length=2000)),
        "Related runs, dashboards or papers.",
        ["https://example.org/run/123"],
    ),
    Field("highlight", Boolean(), "Essential reading for new team members.", True),
    Field("kind", Choice(("scope",)), "Set to scope for a scoping document.", "scope"),
    Field("execute", Boolean(), "Run this notebook at build time (notebooks only).", False),
    Field(
        "samples",
        Samples(),
        "Sample predictions, inline or as a JSONL/CSV file name.",
        "samples.jsonl",
    ),
    Field("demo", Url(), "A link to a live demo.", "https://demo.example.org/defects"),
    Field(
        "imported_from",
        Text(max_length=500),
        "The source an imported entry came from; `researchlog import` skips it next time.",
        "mlflow:3f5dd738f5e646e685e2cb56e4c530a3",
    ),
)
FIELDS_BY_NAME: Mapping[str, Field] = {f.name: f for f in FIELDS}

PROJECT_FIELDS: tuple[Field, ...] = (
    Field(
        "title",
        Text(max_length=300),
        "The bet, in a few words.",
        "Ticket routing",
        required=True,
    ),
    Field(
        "kind",
        Choice((PROJECT_KIND,)),
        "Always project: this file is a project card, not an entry.",
        PROJECT_KIND,
        required=True,
    ),
    Field(
        "status",
        Choice(PROJECT_STATUSES),
        "Where the bet stands: active, paused, stopped or shipped.",
        "active",
        required=True,
    ),
    Field(
        "hypothesis",
        Text(max_length=1000),
        "What we bet, and why we think it will pay.",
        "A classifier can route 80% of tickets to the right queue, halving first-response time.",
        required=True,
    ),
    Field(
        "owners",
        TextList(),
        "Who answers for the bet.",
        ["Tomás Ortega"],
        required=True,
    ),
    Field("started", Date(), "When the bet was placed.", "2025-01-20"),
    Field(
        "metric",
        Text(max_length=100),
        "The main metric the bet is judged by, as entries report it.",
        "val_macro_f1",
    ),
    Field(
        "dataset",
        Text(max_length=100),
        "The dataset the main metric is measured on.",
        "tickets-v4",
    ),
    Field(
        "direction",
        Choice(DIRECTIONS),
        "Which way the main metric is better: higher or lower.",
        "higher",
    ),
    Field("target", Number(), "The value of the main metric that wins the bet.", 0.85),
    Field("budget_days", Number(minimum=0), "Effort the bet may take, in working days.", 30),
    Field(
        "kill_criteria",
        Text(max_length=1000),
        "When we stop, in a sentence.",
        "Stop if macro F1 has not reached 0.80 after 20 days of effort.",
    ),
    Field(
        "kill_if",
        KillIf(),
        "The measurable part of the kill criteria.",
        {"not_reached": 0.80, "after_effort_days": 20},
    ),
    Field(
        "decisions",
        Decisions(),
        "The decision log: {date, decision: continue, pivot, stop or ship, why}.",
        [{"date": "2025-03-10", "decision": "continue", "why": "F1 0.79 beats the baseline"}],
    ),
)

PLAYBOOK_FIELDS: tuple[Field, ...] = (
    Field("title", Text(max_length=300), "The principle, in a few words.", required=True),
    Field("order", Number(), "Position in the reading order.", 1),
    Field("summary", Text(max_length=500), "One sentence shown in the reading order.", ""),
)


@dataclass
class Validated:
    """Values that passed, and what was wrong, keyed by the field it concerns."""

    values: dict[str, Any]
    unknown: dict[str, Any]
    issues: list[tuple[str, Issue]]  # (field name, issue)


def validate(data: Mapping[str, Any], fields: tuple[Field, ...] = FIELDS) -> Validated:
    """Check a front-matter mapping against the contract, collecting every issue."""
    by_name = {f.name: f for f in fields}
    values: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    issues: list[tuple[str, Issue]] = []
    for key, raw in data.items():
        name = str(key)
        spec = by_name.get(name)
        if spec is None:
            unknown[name] = raw
            guess = closest(name, list(by_name))
            hint = (
                f'did you mean "{guess}"?'
                if guess
                else "it is kept and shown on the page; remove it if it is a typo"
            )
            issues.append((name, Issue(f'unknown field "{name}"', hint, warning=True)))
            continue
        if raw is None:
            continue
        checked = spec.type.check(raw)
        issues.extend((name, issue) for issue in checked.issues)
        if (checked.value is not None and checked.value != () and checked.value != {}) or (
            checked.value is not None and not checked.issues
        ):
            values[name] = checked.value
    status = values.get("status")
    is_scope = values.get("kind") == "scope"
    for spec in fields:
        if spec.name in values or data.get(spec.name) is not None:
            continue  # present: either valid, or already reported as invalid
        if spec.required or (status in spec.required_for and not is_scope):
            why = "" if spec.required else f' when status is "{status}"'
            example = spec.example if not isinstance(spec.example, list | dict) else "…"
            issues.append(
                (
                    spec.name,
                    Issue(
                        f'missing required field "{spec.name}"{why}',
                        f"add a line such as: {spec.name}: {example}",
                    ),
                )
            )
    return Validated(values, unknown, issues)


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the front matter, for editors: an entry's, or a project
    card's when `kind: project`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "researchlog front matter: an entry, or a project card (kind: project)",
        "type": "object",
        "if": {"properties": {"kind": {"const": PROJECT_KIND}}, "required": ["kind"]},
        "then": {"$ref": "#/$defs/project"},
        "else": {"$ref": "#/$defs/entry"},
        "$defs": {"entry": entry_json_schema(), "project": project_json_schema()},
    }


def _properties(fields: tuple[Field, ...]) -> dict[str, Any]:
    properties = {}
    for spec in fields:
        prop = dict(spec.type.json_schema())
        prop["description"] = spec.description
        if spec.example is not None:
            prop["examples"] = [spec.example]
        properties[spec.name] = prop
    return properties


def entry_json_schema() -> dict[str, Any]:
    """The schema of an entry's front matter."""
    status_rules: list[dict[str, Any]] = []
    for spec in FIELDS:
        if spec.required_for:
            status_rules.append(
                {
                    "if": {
                        "properties": {"status": {"enum": sorted(spec.required_for)}},
                        "not": {"properties": {"kind": {"const": "scope"}}, "required": ["kind"]},
                    },
                    "then": {"required": [spec.name]},
                }
            )
    return {
        "title": "researchlog entry front matter",
        "type": "object",
        "properties": _properties(FIELDS),
        "required": [f.name for f in FIELDS if f.required],
        "allOf": status_rules,
        "additionalProperties": True,
    }


def project_json_schema() -> dict[str, Any]:
    """The schema of a project card's front matter."""
    return {
        "title": "researchlog project card front matter",
        "type": "object",
        "properties": _properties(PROJECT_FIELDS),
        "required": [f.name for f in PROJECT_FIELDS if f.required],
        "additionalProperties": True,
    }


def field_message(name: str, issue: Issue, *, as_is: tuple[str, ...] = ()) -> str:
    """Issue texts are predicates ("must be text"); put the field's name in front. Messages
    that name what they are about already ("missing …", "unknown field …", and those that
    start with `as_is`) stay as they are."""
    if issue.message.startswith(("missing", "unknown field", *as_is)):
        return issue.message
    if issue.message.startswith("unknown value"):
        return issue.message.replace("unknown value", f"unknown {name}", 1)
    return f'field "{name}" {issue.message}'


def plain_value(value: Any) -> Any:
    """A value of a field researchlog does not know, made JSON-safe for the page and
    entries.json: dates as ISO text, NaN as null."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value
