"""`casefile new`: start a record with its required fields and a comment for each.

Placeholders are written so that the checker rejects them (`YYYY-MM-DD` is not a date,
`SOURCE-ID` is not an id) until they are filled in: a half-made record cannot slip through.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import models
from .checker import id_key
from .models import ACTOR_KINDS, SOURCE_KINDS, STATUSES, suggest_id

_HEADER = "# yaml-language-server: $schema=../../schema/{kind}.schema.json\n"

TEMPLATES: dict[str, str] = {
    "event": """title: {title}
# When it happened, as precisely as known: 2022-07-27, 2022-07, 2022-06~ (about),
# 2022-06? (uncertain), 2022-06/2022-07-27 (between), ../2022-07-27 (on or before).
date: YYYY-MM-DD
# How the date was established, e.g. "The article, dated 28 July, says 'on Wednesday'".
date_note: FILL IN
# One of: {statuses}
status: reported
# Who took part: actor ids, or {{actor: id, role: what they did}}.
actors:
  - ACTOR-ID
# At least one citation; an excerpt must be copied exactly from the source's text.
sources:
  - source: SOURCE-ID
    locator: paragraph 1
# Markdown; link another record with [[its-id]].
summary: |
  What happened, in a sentence or two.
""",
    "actor": """name: {title}
# One of: {actor_kinds}
kind: person
aliases: []
description: |
  Who they are, in a sentence or two.
# roles:
#   - title: Spokesperson
#     organization: ORGANIZATION-ID
#     start: 2020-01
""",
    "quote": """# The words exactly as the source has them; '...' marks words left out.
text: {title}
# Who said it (an actor id) and where it is recorded (a source id).
speaker: ACTOR-ID
source:
  source: SOURCE-ID
  locator: paragraph 1
# When it was said, and the event it was said at (optional).
# date: 2022-07-28
# event: EVENT-ID
""",
    "source": """title: {title}
# One of: {source_kinds}
kind: article
publisher: FILL IN
# The address, and an archived copy (https://web.archive.org/...).
url: FILL IN
# published: 2022-07-28
text_public: false
# The full text may go beside this file as <id>.txt (paragraphs separated by blank
# lines); quotes and excerpts are then checked against it.
""",
}


class ScaffoldError(Exception):
    pass


def new_record(root: Path, kind: str, title: str) -> Path:
    """Write a new record of `kind` titled `title` into the case file at `root`."""
    if kind not in TEMPLATES:
        raise ScaffoldError(f"unknown kind '{kind}'; choose one of {', '.join(TEMPLATES)}")
    if not title.strip():
        raise ScaffoldError('give a title or name, e.g. casefile new event "Talks begin"')
    if not (root / "case.yml").is_file():
        raise ScaffoldError(f"{root} is not a case file (it has no case.yml)")
    record_id = suggest_id(title)
    for folder in models.FOLDER:
        for existing in (root / folder).glob("*.y*ml"):
            if id_key(existing.stem) == id_key(record_id):
                same = "the id" if existing.stem == record_id else "an id that looks like"
                raise ScaffoldError(
                    f"{existing} already has {same} '{record_id}'; nothing was written "
                    "(choose another title, or rename the file afterwards)"
                )
    path = root / models.KIND[kind].folder / f"{record_id}.yml"
    body = TEMPLATES[kind].format(
        title=json.dumps(title.strip(), ensure_ascii=False),
        statuses=", ".join(STATUSES),
        actor_kinds=", ".join(ACTOR_KINDS),
        source_kinds=", ".join(SOURCE_KINDS),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:  # "x": never overwrite
        out.write(_HEADER.format(kind=kind) + body)
    return path
