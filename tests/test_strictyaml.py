"""strictyaml.parse: one pass from the parser's events to plain data and positions.

The reference is PyYAML itself: `BaseLoader` (every scalar a string) for the data, and the
nodes `yaml.compose` makes for where each value and key starts.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts.strictyaml import Document, PathKey, parse

HERE = Path("x.yml")

# Control and format characters are refused (bidi controls among them): text without them.
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs", "Cf")), max_size=12)
SCALARS = st.none() | st.booleans() | st.integers() | TEXT
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=25,
)


def composed(node: yaml.Node, loc: PathKey, values: dict, keys: dict, quoted: set) -> None:
    """What a Document's positions should hold, from PyYAML's own node tree."""
    mark = node.start_mark
    values[loc] = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"'):
        quoted.add(loc)
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            composed(item, (*loc, i), values, keys, quoted)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            keys[(*loc, key.value)] = (key.start_mark.line + 1, key.start_mark.column + 1)
            composed(value, (*loc, key.value), values, keys, quoted)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=TREES, flow=st.sampled_from([False, True, None]))
def test_data_and_positions_are_what_pyyaml_reads(tree: object, flow: bool | None) -> None:
    text = yaml.safe_dump(tree, allow_unicode=True, default_flow_style=flow)
    document = parse(text, HERE)
    assert document.data == yaml.load(text, Loader=yaml.BaseLoader)
    values: dict = {}
    keys: dict = {}
    quoted: set = set()
    composed(yaml.compose(text, Loader=yaml.SafeLoader), (), values, keys, quoted)
    assert (document.values, document.keys, document.quoted) == (values, keys, quoted)
    assert document.empty == []  # safe_dump quotes an empty string


def test_an_empty_unquoted_value_is_left_out_and_listed_where_it_was_written() -> None:
    text = "a:\nb:\n  - x\n  -\n  - ''\n  - y\nc: 1\n"
    document = parse(text, HERE)
    assert document == Document(
        {"b": ["x", "", "y"], "c": "1"},
        values={
            (): (1, 1),
            ("a",): (1, 3),
            ("b",): (3, 3),
            ("b", 0): (3, 5),
            ("b", 1): (4, 4),
            ("b", 2): (5, 5),
            ("b", 3): (6, 5),  # indexes as written, the empty item counted
            ("c",): (7, 4),
        },
        keys={("a",): (1, 1), ("b",): (2, 1), ("c",): (7, 1)},
        quoted={("b", 2)},
        empty=[("a",), ("b", 1)],
    )


def test_a_document_that_is_an_empty_value_is_none() -> None:
    document = parse("---\n", HERE)
    assert (document.data, document.empty, list(document.values)) == (None, [()], [()])
