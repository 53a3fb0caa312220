"""Reads of the public landing pages: the running program a page's address names, and its copy.

A page's address is the tenant's slug and the program's tracking code (any case). An unknown slug,
an unknown code and a program that is not running all read as None: the page answers the same 404
for each, so nobody learns from it which tenants or codes exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from accounts.models import Program
from partnerhub.tenancy.models import Tenant

# A list item of the copy: "1. text", "2) text", "- text", "* text" or a bullet character.
LIST_ITEM = re.compile(r"^\s*(?:(?P<number>\d+)[.)]|[-*\u2022])\s+(?P<text>\S.*)$")


def landing_tenant(*, slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).first()


def landing_program(*, tenant: Tenant, code: str) -> Program | None:
    """The running program of `tenant` with the tracking code `code`, in any case, with its partner."""
    return (
        Program.objects.filter(tenant=tenant, tracking_code__iexact=code, status=Program.Status.RUNNING)
        .select_related("partner")
        .first()
    )


@dataclass
class CopyBlock:
    """A paragraph (`kind` "p", one line) or a list ("ul", "ol": one line per item)."""

    kind: str
    lines: list[str] = field(default_factory=list)


def landing_copy(program: Program) -> list[CopyBlock]:
    """The package's landing-page text pinned on the program, as paragraphs and lists: plain text,
    never markup (the template escapes every line)."""
    text = program.components.get("landing_page") if isinstance(program.components, dict) else None
    blocks: list[CopyBlock] = []
    for raw in text.splitlines() if isinstance(text, str) else []:
        line = raw.strip()
        if not line:
            blocks.append(CopyBlock("break"))
            continue
        item = LIST_ITEM.match(line)
        kind = ("ol" if item["number"] else "ul") if item else "p"
        if kind != "p" and blocks and blocks[-1].kind == kind:
            blocks[-1].lines.append(item["text"])
        else:
            blocks.append(CopyBlock(kind, [item["text"] if item else line]))
    return [block for block in blocks if block.kind != "break"]
