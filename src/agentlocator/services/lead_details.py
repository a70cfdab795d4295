"""A lead's name, email and notes: who may change them, and how a change is merged (pure).

The rule the CRM promises: the AI never overwrites what a person edited. A person's value
replaces the field (empty clears it) and marks it human-edited; the AI's empty values are
ignored and its notes are added to its earlier notes. `services.leads` applies these merges to
locked rows and records the events.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from agentlocator.db.models import Lead

Editor = Literal["ai", "human"]
"""Who makes a change: the agent during a call, or a person in the dashboard."""

DETAIL_FIELDS = ("full_name", "email", "notes")
_MAX_LENGTHS = {"full_name": 200, "email": 320}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True)
class DetailsUpdate:
    """What `update_lead_details` did: the fields it changed (new values) and those it left.

    `kept` names the fields the AI asked to change but a person had edited; `previous` holds
    the changed fields' old values.
    """

    lead: Lead
    changed: dict[str, str | None]
    kept: tuple[str, ...]
    previous: dict[str, str | None] = field(default_factory=dict)


def clean_details(values: Mapping[str, str | None], by: Editor) -> dict[str, str | None]:
    """The given (non-None) fields, stripped and checked; empty means "clear" for a person.

    Raises ValueError naming the field for an invalid email or an over-long value.
    """
    cleaned: dict[str, str | None] = {}
    for name, raw in values.items():
        if raw is None:
            continue
        value = raw.strip()
        if not value:
            if by == "human":
                cleaned[name] = None
            continue
        limit = _MAX_LENGTHS.get(name)
        if limit is not None and len(value) > limit:
            raise ValueError(f"{name}: longer than {limit} characters")
        if name == "email" and not _EMAIL.match(value):
            raise ValueError(f"email: not an email address: {value!r}")
        cleaned[name] = value
    return cleaned


def merge_details(lead: Lead, given: Mapping[str, str | None], by: Editor) -> DetailsUpdate:
    """Set cleaned `given` details on `lead` as `by` may; returns what changed and what not."""
    changed: dict[str, str | None] = {}
    previous: dict[str, str | None] = {}
    kept: list[str] = []
    protected = set(lead.human_edited_fields)
    for name, value in given.items():
        current: str | None = getattr(lead, name)
        if by == "ai" and name in protected:
            kept.append(name)
            continue
        if by == "ai" and name == "notes" and current and value is not None:
            value = current if value in current else f"{current}\n{value}"
        if by == "human":
            protected.add(name)
        if value != current:
            setattr(lead, name, value)
            changed[name] = value
            previous[name] = current
    if by == "human" and protected != set(lead.human_edited_fields):
        lead.human_edited_fields = sorted(protected)
    return DetailsUpdate(lead=lead, changed=changed, kept=tuple(kept), previous=previous)


def with_edited_field(fields: list[str], name: str) -> list[str]:
    """`human_edited_fields` once a person has edited `name` too."""
    return sorted({*fields, name})
