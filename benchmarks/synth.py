"""A deterministic synthetic case file, for benchmarks and scale tests.

`generate(root, n, seed)` writes a case file of about `n` records into an empty folder:
about 10% actors, 15% sources, 35% events and 40% quotes, with every feature of the record
format a real case file uses (all kinds of dates, citations with locators and excerpts,
`[[id]]` links, tags, roles, full texts). About 30% of the sources have a full text; quotes
and excerpts citing them are copied from it verbatim, with the typesetting differences and
elisions the checker forgives, so the verbatim check does real work. The result passes
`casefile check --strict`: every actor is mentioned and every source is cited.

The same `n` and `seed` always give byte-identical files (one `random.Random(seed)`, a fixed
word list, no set or hash ordering).

    python -m benchmarks.synth OUT --records N [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from build_scripts.textmatch import dropped_negation

# fmt: off
WORDS = (
    "the", "of", "and", "to", "in", "a", "that", "for", "on", "with", "as", "by", "at", "from",
    "it", "was", "said", "would", "not", "this", "but", "have", "had", "has", "been", "were",
    "which", "their", "they", "its", "after", "before", "about", "over", "under", "between",
    "government", "ministry", "officials", "official", "talks", "agreement", "proposal",
    "exchange", "prisoner", "prisoners", "release", "negotiations", "sanctions", "meeting",
    "statement", "briefing", "report", "reports", "source", "sources", "minister", "president",
    "spokesman", "spokeswoman", "embassy", "ambassador", "court", "trial", "verdict", "sentence",
    "appeal", "lawyer", "lawyers", "family", "families", "detained", "detention", "charges",
    "evidence", "investigation", "public", "private", "channel", "channels", "offer", "response",
    "substantive", "serious", "weeks", "months", "days", "year", "earlier", "later", "recently",
    "again", "still", "already", "never", "always", "soon", "now", "then", "today", "yesterday",
    "administration", "kremlin", "white", "house", "state", "department", "foreign", "national",
    "security", "council", "council's", "committee", "parliament", "senate", "press", "media",
    "journalists", "reporters", "interview", "comment", "comments", "declined", "confirmed",
    "denied", "claimed", "disputed", "announced", "discussed", "rejected", "accepted",
    "demanded", "expected", "planned", "offered", "asked", "told", "called", "warned",
    "insisted", "suggested", "added", "noted", "stressed", "welcomed", "criticised", "urged",
    "deal", "deals", "plan", "plans", "issue", "issues", "question", "questions", "answer",
    "position", "progress", "delay", "delays", "pressure", "concern", "concerns", "interest",
    "people", "person", "citizen", "citizens", "country", "countries", "side", "sides", "both",
    "each", "other", "another", "several", "many", "few", "some", "any", "no", "more", "most",
    "less", "new", "old", "first", "last", "next", "second", "long", "short", "high", "low",
    "clear", "direct", "indirect", "formal", "informal", "quiet", "open", "closed", "final",
    "possible", "likely", "unlikely", "important", "difficult", "necessary", "humanitarian",
    "diplomatic", "political", "legal", "military", "economic", "regional", "international",
    "don't", "it's", "we're", "they're", "there's", "won't", "didn't", "government's",
    "country's", "minister's", "week", "month", "morning", "evening", "night", "phone",
    "call", "calls", "letter", "letters", "document", "documents", "record", "records",
    "terms", "conditions", "framework", "swap", "release", "return", "visit", "trip",
)
FIRST_NAMES = (
    "Anna", "Boris", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Irina", "James",
    "Kira", "Lukas", "Maria", "Nikolai", "Olga", "Pavel", "Quentin", "Rosa", "Sergei", "Tara",
    "Umar", "Vera", "William", "Xenia", "Yuri", "Zoe", "Amir", "Beatrice", "Chen", "Dmitri",
    "Esther", "Felix", "Gustav", "Hannah", "Igor", "Julia", "Karim", "Lena", "Marco", "Nadia",
)
LAST_NAMES = (
    "Abbott", "Baranov", "Castillo", "Dubois", "Egorov", "Fischer", "Garcia", "Hoffmann",
    "Ivanova", "Jensen", "Kowalski", "Lebedev", "Moreau", "Novak", "Orlov", "Petrova",
    "Quinn", "Romanov", "Schmidt", "Tanaka", "Usmanov", "Volkov", "Walker", "Xu", "Yilmaz",
    "Zaitsev", "Andersen", "Bianchi", "Costa", "Dimitrov", "Eriksen", "Fontaine", "Gromov",
    "Haddad", "Ibrahim", "Jovanovic", "Kuznetsov", "Larsen", "Mikhailov", "Nielsen",
)
PLACES = (
    "Moscow", "Washington", "Geneva", "Vienna", "Istanbul", "Abu Dhabi", "Riyadh", "Helsinki",
    "Berlin", "Paris", "London", "Warsaw", "Minsk", "Kyiv", "Ankara", "Doha", "Oslo", "Rome",
)
ORG_SUFFIXES = (
    "Institute", "Agency", "Foundation", "Council", "Office", "Committee", "Service", "Group",
)
PUBLISHERS = (
    "CNN", "Reuters", "Associated Press", "BBC News", "The Guardian", "Le Monde", "TASS",
    "RIA Novosti", "Interfax", "The New York Times", "The Washington Post", "Al Jazeera",
    "Deutsche Welle", "Meduza", "Kommersant", "Politico", "Bloomberg", "Financial Times",
    "NPR", "ABC News", "White House", "State Department", "Kremlin press office",
    "Ministry of Foreign Affairs",
)
# fmt: on

ACTOR_KINDS = (
    ("person", 55),
    ("organization", 15),
    ("government", 10),
    ("group", 5),
    ("anonymous", 10),
    ("other", 5),
)
SOURCE_KINDS = (
    ("article", 45),
    ("report", 10),
    ("transcript", 8),
    ("statement", 10),
    ("briefing", 8),
    ("interview", 6),
    ("document", 5),
    ("post", 4),
    ("video", 2),
    ("other", 2),
)
STATUSES = (
    ("confirmed", 35),
    ("reported", 35),
    ("claimed", 12),
    ("disputed", 8),
    ("denied", 6),
    ("retracted", 4),
)
ORGANISATIONS = ("organization", "government", "group")
ELISIONS = (" ... ", " [...] ", " … ", " […] ")
FIRST_YEAR, LAST_YEAR = 2014, 2024

# Values written without quotes: words, dates and the generator's own URLs.
_PLAIN = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9 ,.'()\-]*|\.\./[0-9-]+|[0-9][0-9/.~?%-]*|https://[\w./:-]+"
)


def _wrap(tokens: Sequence[str], width: int) -> str:
    """Tokens joined by spaces, broken into lines of at most `width` characters (a longer
    token gets a line of its own). Never breaks inside a token: a `[[link|its label]]` is one."""
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and len(line) + 1 + len(token) > width:
            lines.append(line)
            line = token
        else:
            line = f"{line} {token}" if line else token
    if line:
        lines.append(line)
    return "\n".join(lines)


# -- YAML --------------------------------------------------------------------------------------


def _scalar(value: str) -> str:
    """A one-line YAML scalar: plain when that is unambiguous, else double-quoted (JSON)."""
    if _PLAIN.fullmatch(value) and not value.endswith(" ") and "  " not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def _emit(value: object, indent: int) -> list[str]:
    """Block-style YAML lines for a mapping or list of the values the generator makes."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and "\n" in item:
                lines.append(f"{pad}{key}: |")
                lines.extend(
                    f"{pad}  {line}" if line else "" for line in item.rstrip("\n").split("\n")
                )
            elif isinstance(item, str):
                lines.append(f"{pad}{key}: {_scalar(item)}")
            else:
                lines.append(f"{pad}{key}:")
                lines.extend(_emit(item, indent + 2))
        return lines
    assert isinstance(value, list)
    for item in value:
        if isinstance(item, dict):
            inner = _emit(item, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        else:
            assert isinstance(item, str)
            lines.append(f"{pad}- {_scalar(item)}")
    return lines


def to_yaml(record: dict[str, object]) -> str:
    return "\n".join(_emit(record, 0)) + "\n"


# -- text --------------------------------------------------------------------------------------


@dataclass(slots=True)
class FullText:
    """A source's full text as paragraphs of tokens, in their printed spelling."""

    paragraphs: list[list[str]]

    def render(self) -> str:
        return "\n\n".join(_wrap(tokens, 96) for tokens in self.paragraphs) + "\n"


def _plain_token(token: str) -> str:
    """How a quote copies a printed token: straight apostrophes, a hyphen for a dash."""
    return token.replace("\u2019", "'").replace("\u2014", "-")


@dataclass(slots=True)
class Generator:
    rng: random.Random
    n: int
    ids: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    actor_kind: dict[str, str] = field(default_factory=dict)
    texts: dict[str, FullText] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    # Records not yet mentioned or cited, handed out first so that --strict passes.
    pending_actors: list[str] = field(default_factory=list)
    pending_sources: list[str] = field(default_factory=list)
    event_actors: dict[str, list[str]] = field(default_factory=dict)

    # -- small pieces ----------------------------------------------------------------------
    def weighted(self, options: Sequence[tuple[str, int]]) -> str:
        values = [v for v, _ in options]
        weights = [w for _, w in options]
        return self.rng.choices(values, weights)[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def words(self, low: int, high: int) -> list[str]:
        return [self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high))]

    def sentence(self, low: int = 8, high: int = 22) -> str:
        words = self.words(low, high)
        if len(words) > 8 and self.chance(0.4):
            at = self.rng.randint(3, len(words) - 3)
            words[at] += ","
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def title(self, low: int = 5, high: int = 11) -> str:
        words = self.words(low, high)
        words[0] = words[0].capitalize()
        return " ".join(words)

    def slug(self, text: str, number: int, words: int = 5) -> str:
        parts = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()[:words]
        return "-".join([*parts, str(number)])

    def pick_tags(self, low: int, high: int) -> list[str]:
        count = self.rng.randint(low, high)
        return self.rng.sample(self.tags, min(count, len(self.tags)))

    def link(self, record_id: str) -> str:
        if self.chance(0.3):
            return f"[[{record_id}|{self.names[record_id].lower()}]]"
        return f"[[{record_id}]]"

    def markdown(self, sentences: tuple[int, int], links: Sequence[str] = ()) -> str:
        """A Markdown paragraph or two, wrapped like a hand-written one, with [[links]]."""
        parts = [self.sentence().split() for _ in range(self.rng.randint(*sentences))]
        for target in links:
            words = self.rng.choice(parts)
            words[-1] = words[-1].removesuffix(".") + ","
            words += ["according", "to", self.link(target) + "."]
        if self.chance(0.15):
            words = self.rng.choice(parts)
            words[0] = f"*{words[0]}*"
        paragraphs = [parts]
        if len(parts) > 3 and self.chance(0.5):
            paragraphs = [parts[:2], parts[2:]]
        text = "\n\n".join(_wrap([w for s in p for w in s], 92) for p in paragraphs)
        if self.chance(0.1):
            text += "\n\n" + "\n".join(f"- {self.title(3, 7)}" for _ in range(3))
        return text + "\n"

    def any_record(self) -> str:
        kind = self.rng.choice(("actor", "source", "event", "quote"))
        return self.rng.choice(self.ids[kind])

    def some_links(self, p: float, pool: Sequence[str] | None = None) -> list[str]:
        if not self.chance(p):
            return []
        count = self.rng.randint(1, 2)
        return [self.rng.choice(pool) if pool else self.any_record() for _ in range(count)]

    def take_actor(self) -> str:
        if self.pending_actors:
            return self.pending_actors.pop()
        return self.rng.choice(self.ids["actor"])

    def take_source(self, *, with_text: bool = False) -> str:
        """A source not cited yet, else any; `with_text`: one with a full text (a quote cites
        only those, since a quote that cannot be checked is a warning)."""
        if self.pending_sources and (not with_text or self.pending_sources[-1] in self.texts):
            return self.pending_sources.pop()
        if with_text:
            return self.rng.choice([s for s in self.ids["source"] if s in self.texts])
        return self.rng.choice(self.ids["source"])

    # -- dates -----------------------------------------------------------------------------
    def day(self, year: int | None = None) -> tuple[int, int, int]:
        year = year or self.rng.randint(FIRST_YEAR, LAST_YEAR)
        return year, self.rng.randint(1, 12), self.rng.randint(1, 28)

    def event_date(self) -> str:
        y, m, d = self.day()
        form = self.weighted(
            (
                ("day", 40),
                ("approximate", 8),
                ("month", 14),
                ("month~", 4),
                ("year", 5),
                ("uncertain", 5),
                ("both", 2),
                ("interval", 12),
                ("before", 5),
                ("after", 5),
            )
        )
        if form == "day":
            return f"{y}-{m:02d}-{d:02d}"
        if form == "approximate":
            return f"{y}-{m:02d}-{d:02d}~"
        if form == "month":
            return f"{y}-{m:02d}"
        if form == "month~":
            return f"{y}-{m:02d}~"
        if form == "year":
            return f"{y}"
        if form == "uncertain":
            return f"{y}-{m:02d}-{d:02d}?"
        if form == "both":
            return f"{y}-{m:02d}%"
        if form == "before":
            return f"../{y}-{m:02d}-{d:02d}"
        if form == "after":
            return f"{y}-{m:02d}-{d:02d}/.."
        # An interval of a few days to a few months, sometimes month-precise at the start.
        m2 = min(12, m + self.rng.randint(0, 3))
        d2 = self.rng.randint(d if m2 == m else 1, 28)
        start = f"{y}-{m:02d}" if self.chance(0.3) else f"{y}-{m:02d}-{d:02d}"
        return f"{start}/{y}-{m2:02d}-{d2:02d}"

    def exact_day(self) -> str:
        y, m, d = self.day()
        return f"{y}-{m:02d}-{d:02d}"

    # -- passages from full texts ------------------------------------------------------------
    def full_text(self) -> FullText:
        paragraphs = []
        for _ in range(self.rng.randint(4, 12)):
            tokens: list[str] = []
            for _ in range(self.rng.randint(2, 6)):
                words = self.sentence().split()
                if len(words) > 10 and self.chance(0.2):
                    words.insert(self.rng.randint(4, len(words) - 4), "\u2014")
                tokens.extend(
                    w.replace("'", "\u2019") if "'" in w and self.chance(0.5) else w for w in words
                )
            # Real reporting attributes what it quotes; random words do not, and the checker
            # warns about a quote whose paragraph names no speaker (quote-speaker-not-in-passage).
            tokens.extend(("He", "said."))
            paragraphs.append(tokens)
        return FullText(paragraphs)

    def _span(self, tokens: list[str], length: int, lo: int, hi: int) -> tuple[int, int]:
        """[a, b) within tokens[lo:hi], about `length` long, not starting or ending on a dash."""
        length = max(1, min(length, hi - lo))
        a = self.rng.randint(lo, hi - length)
        b = a + length
        while a < b and tokens[a] == "\u2014":
            a += 1
        while b > a and tokens[b - 1] == "\u2014":
            b -= 1
        return a, b

    def passage(self, source_id: str, low: int, high: int) -> tuple[int, str]:
        """(paragraph number, a verbatim passage from the source's text), maybe with an
        elision: the words as a quote copies them, so the checker's normalising is exercised."""
        text = self.texts[source_id]
        index = self.rng.randrange(len(text.paragraphs))
        tokens = text.paragraphs[index]
        length = self.rng.randint(low, high)
        if len(tokens) >= 2 * length + 2 and self.chance(0.2):
            half = len(tokens) // 2
            a, b = self._span(tokens, length // 2 + 1, 0, half)
            c, d = self._span(tokens, length // 2 + 1, half + 1, len(tokens))
            if a < b and c < d:
                first = " ".join(_plain_token(t) for t in tokens[a:b])
                second = " ".join(_plain_token(t) for t in tokens[c:d])
                elided = first + self.rng.choice(ELISIONS) + second
                # An elision that leaves out a negation is a warning; a real quote avoids it.
                if dropped_negation(" ".join(tokens), elided, None) is None:
                    return index + 1, elided
        a, b = self._span(tokens, length, 0, len(tokens))
        if a == b:  # a paragraph of dashes cannot happen, but never write an empty passage
            a, b = 0, len(tokens)
        return index + 1, " ".join(_plain_token(t) for t in tokens[a:b])

    # -- records ---------------------------------------------------------------------------
    def plan(self) -> None:
        n_actors = max(6, round(self.n * 0.10))
        n_sources = max(2, round(self.n * 0.15))
        n_events = max(2, round(self.n * 0.35))
        n_quotes = max(1, self.n - n_actors - n_sources - n_events)
        tag_count = max(8, self.n // 40)
        tags: list[str] = []
        while len(tags) < tag_count:
            words = [w for w in self.words(1, 2) if w.isalpha()]
            tag = "-".join(words)
            if tag and tag not in tags:
                tags.append(tag)
        self.tags = tags

        actors = []
        for i in range(n_actors):
            kind = self.weighted(ACTOR_KINDS)
            if kind == "person":
                name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            elif kind == "anonymous":
                name = f"A senior {self.rng.choice(WORDS).rstrip(',')} official"
            elif kind == "government":
                name = f"Government of {self.rng.choice(PLACES)}"
            else:
                word = self.rng.choice(WORDS).replace("'", "").capitalize()
                name = f"{self.rng.choice(PLACES)} {word} {self.rng.choice(ORG_SUFFIXES)}"
            record_id = self.slug(name, i + 1)
            actors.append(record_id)
            self.names[record_id] = name
            self.actor_kind[record_id] = kind
        self.ids["actor"] = actors
        for kind, count in (("source", n_sources), ("event", n_events), ("quote", n_quotes)):
            ids = []
            for i in range(count):
                name = self.title()
                record_id = self.slug(name, i + 1)
                ids.append(record_id)
                self.names[record_id] = name
            self.ids[kind] = ids
        for i, source_id in enumerate(self.ids["source"]):
            if self.chance(0.3) or i == 0:  # at least one, for the quotes to cite
                self.texts[source_id] = self.full_text()
        # Handed out from the end: shuffled so coverage does not follow file order.
        self.pending_actors = self.rng.sample(actors, len(actors))
        self.pending_sources = self.rng.sample(self.ids["source"], len(self.ids["source"]))

    def actor(self, record_id: str) -> dict[str, object]:
        kind = self.actor_kind[record_id]
        out: dict[str, object] = {"name": self.names[record_id], "kind": kind}
        if self.chance(0.2):
            out["aliases"] = [self.title(1, 3) for _ in range(self.rng.randint(1, 2))]
        if self.chance(0.7):
            out["description"] = self.markdown((1, 4), self.some_links(0.2, self.ids["actor"]))
        if kind in ("person", "anonymous") and self.chance(0.5):
            organisations = [
                a
                for a in self.rng.sample(self.ids["actor"], min(8, len(self.ids["actor"])))
                if self.actor_kind[a] in ORGANISATIONS and a != record_id
            ]
            roles = []
            for _ in range(self.rng.randint(1, 2)):
                word = self.rng.choice(WORDS).replace("'", "").capitalize()
                role: dict[str, object] = {"title": f"{word} director"}
                if organisations and self.chance(0.7):
                    role["organization"] = self.rng.choice(organisations)
                if self.chance(0.7):
                    year = self.rng.randint(FIRST_YEAR - 10, LAST_YEAR - 2)
                    role["start"] = str(year) if self.chance(0.4) else f"{year}-{self.day()[1]:02d}"
                    if self.chance(0.4):
                        role["end"] = f"{self.rng.randint(year + 1, LAST_YEAR)}"
                roles.append(role)
            out["roles"] = roles
        if kind != "anonymous" and self.chance(0.3):
            slug = record_id.rsplit("-", 1)[0]
            links: dict[str, object] = {"website": f"https://www.{slug}.example/"}
            if self.chance(0.6):
                links["wikipedia"] = f"https://en.wikipedia.org/wiki/{slug.replace('-', '_')}"
            if self.chance(0.5):
                links["wikidata"] = f"Q{self.rng.randint(1, 99_999_999)}"
            out["links"] = links
        if self.chance(0.5):
            out["tags"] = self.pick_tags(1, 2)
        if self.chance(0.1):
            out["notes"] = self.markdown((1, 2), self.some_links(0.3))
        return out

    def source(self, record_id: str) -> dict[str, object]:
        out: dict[str, object] = {
            "title": self.names[record_id],
            "kind": self.weighted(SOURCE_KINDS),
        }
        publisher = self.rng.choice(PUBLISHERS)
        if self.chance(0.9):
            out["publisher"] = publisher
        if self.chance(0.6):
            out["authors"] = [
                f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
                for _ in range(self.rng.randint(1, 3))
            ]
        y, m, d = self.day()
        if self.chance(0.85):
            host = re.sub(r"[^a-z0-9]+", "", publisher.lower())
            out["url"] = f"https://www.{host}.example/{y}/{m:02d}/{record_id}"
            if self.chance(0.3):
                out["archive_url"] = f"https://web.archive.org/web/{y}{m:02d}{d:02d}/{out['url']}"
        if self.chance(0.9):
            out["published"] = f"{y}-{m:02d}-{d:02d}" if self.chance(0.8) else f"{y}-{m:02d}"
        if self.chance(0.4):
            out["accessed"] = f"{min(y + 1, LAST_YEAR + 1)}-01-15"
        if self.chance(0.3):
            out["language"] = "en"
        if record_id in self.texts:
            out["text_public"] = "true" if self.chance(0.5) else "false"
        if self.chance(0.4):
            out["tags"] = self.pick_tags(1, 2)
        if self.chance(0.2):
            out["notes"] = self.markdown((1, 3), self.some_links(0.3))
        return out

    def citation(self, source_id: str) -> str | dict[str, object]:
        """An event's citation: the bare id, or a mapping with a locator and an excerpt."""
        if source_id in self.texts and self.chance(0.6):
            paragraph, excerpt = self.passage(source_id, 6, 25)
            detail: dict[str, object] = {"source": source_id}
            if self.chance(0.7):
                detail["locator"] = f"paragraph {paragraph}"
            detail["excerpt"] = excerpt
            return detail
        if self.chance(0.2):
            return {"source": source_id, "locator": f"p. {self.rng.randint(1, 40)}"}
        return source_id

    def event(self, index: int, record_id: str) -> dict[str, object]:
        out: dict[str, object] = {"title": self.names[record_id], "date": self.event_date()}
        if self.chance(0.2):
            out["date_note"] = self.sentence(10, 30)
        out["status"] = self.weighted(STATUSES)
        actor_ids: list[str] = []
        wanted = self.rng.randint(2, 6)
        while len(actor_ids) < wanted:
            candidate = self.take_actor()
            if candidate not in actor_ids:
                actor_ids.append(candidate)
        if self.chance(0.9):
            out["summary"] = self.markdown((2, 5), self.some_links(0.35, actor_ids))
        out["actors"] = [
            {"actor": a, "role": f"{self.rng.choice(WORDS)} {self.rng.choice(WORDS)}"}
            if self.chance(0.25)
            else a
            for a in actor_ids
        ]
        source_ids: list[str] = []
        wanted = min(self.rng.randint(1, 4), len(self.ids["source"]))
        while len(source_ids) < wanted:
            candidate = self.take_source()
            if candidate not in source_ids:
                source_ids.append(candidate)
        out["sources"] = [self.citation(s) for s in source_ids]
        if self.chance(0.5):
            out["location"] = self.rng.choice(PLACES)
        if index > 0 and self.chance(0.2):
            earlier = self.ids["event"][:index]
            out["related"] = self.rng.sample(earlier, min(len(earlier), self.rng.randint(1, 2)))
        if self.chance(0.8):
            out["tags"] = self.pick_tags(1, 3)
        if self.chance(0.15):
            out["notes"] = self.markdown((1, 3), self.some_links(0.4))
        self.event_actors[record_id] = actor_ids
        return out

    def quote(self, record_id: str) -> dict[str, object]:
        event_id = self.rng.choice(self.ids["event"]) if self.chance(0.5) else None
        if self.pending_actors:
            speaker = self.take_actor()
        elif event_id is not None and self.chance(0.7):
            speaker = self.rng.choice(self.event_actors[event_id])
        else:
            speaker = self.rng.choice(self.ids["actor"])
        source_id = self.take_source(with_text=True)
        source: str | dict[str, object] = source_id
        if source_id in self.texts:
            paragraph, text = self.passage(source_id, 8, 40)
            if self.chance(0.1):  # an excerpt besides the quote: the passage pages link to
                paragraph, excerpt = self.passage(source_id, 6, 20)
                source = {"source": source_id, "locator": f"paragraph {paragraph}"}
                source["excerpt"] = excerpt
            elif self.chance(0.5):
                source = {"source": source_id, "locator": f"paragraph {paragraph}"}
        else:
            text = " ".join(self.sentence() for _ in range(self.rng.randint(1, 3)))
            if self.chance(0.2):
                source = {"source": source_id, "locator": f"p. {self.rng.randint(1, 40)}"}
        out: dict[str, object] = {"text": text, "speaker": speaker, "source": source}
        if (event_id is None or self.chance(0.2)) and self.chance(0.8):
            out["date"] = self.exact_day() if self.chance(0.8) else self.event_date()
        if event_id is not None:
            out["event"] = event_id
        if self.chance(0.4):
            out["context"] = self.sentence(6, 18)
        if self.chance(0.03):
            out["language"] = "de"
            out["translation"] = self.sentence(8, 30)
        if self.chance(0.25):
            others = [a for a in self.rng.sample(self.ids["actor"], 3) if a != speaker]
            out["about"] = others[: self.rng.randint(1, 2)]
        if self.chance(0.5):
            out["tags"] = self.pick_tags(1, 2)
        if self.chance(0.1):
            out["notes"] = self.markdown((1, 2), self.some_links(0.3))
        return out

    def case(self, seed: int) -> dict[str, object]:
        links = [self.rng.choice(self.ids[k]) for k in ("actor", "event", "source", "actor")]
        return {
            "title": f"Synthetic case file ({self.n:,} records, seed {seed})",
            "summary": self.markdown((3, 6), links),
            "language": "en",
            "license": "CC BY 4.0",
            "publisher": "The casefile benchmark",
        }


def generate(root: Path, n: int, seed: int = 1) -> None:
    """Write a synthetic case file of about `n` records into `root` (created, or empty)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise ValueError(f"{root} is not empty")
    gen = Generator(random.Random(seed), n)
    gen.plan()
    records: dict[str, dict[str, object]] = {}
    # Events first: they take the pending actors and sources; quotes take what is left.
    for index, record_id in enumerate(gen.ids["event"]):
        records[f"events/{record_id}.yml"] = gen.event(index, record_id)
    for record_id in gen.ids["quote"]:
        records[f"quotes/{record_id}.yml"] = gen.quote(record_id)
    # Whatever is still unmentioned (only in tiny case files) joins the last event.
    last = records[f"events/{gen.ids['event'][-1]}.yml"]
    assert isinstance(last["actors"], list) and isinstance(last["sources"], list)
    last["actors"] += reversed(gen.pending_actors)
    last["sources"] += reversed(gen.pending_sources)
    for record_id in gen.ids["actor"]:
        records[f"actors/{record_id}.yml"] = gen.actor(record_id)
    for record_id in gen.ids["source"]:
        records[f"sources/{record_id}.yml"] = gen.source(record_id)
    records["case.yml"] = gen.case(seed)
    files = {path: to_yaml(record) for path, record in records.items()}
    for record_id, text in gen.texts.items():
        files[f"sources/{record_id}.txt"] = text.render()
    for folder in ("actors", "sources", "events", "quotes"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        (root / relative).write_text(content, encoding="utf-8", newline="\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.synth",
        description="Write a deterministic synthetic case file (for benchmarks and tests).",
    )
    parser.add_argument("out", help="output folder (created; must be empty)")
    parser.add_argument("--records", type=int, default=1000, help="about how many records")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args(argv)
    try:
        generate(Path(args.out), args.records, args.seed)
    except ValueError as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return 1
    print(f"wrote about {args.records} records to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
