"""YAML anchors and aliases are refused in the store, whatever node they name: a mapping, a list,
and a single value (a scalar) too, wherever it stands — a value, a list item, a key.

An alias of a scalar cannot blow up memory the way nested lists can ("billion laughs"), but it
makes one value silently stand for another: `value: *count` copies a number from another entry,
and an edit of the first changes both. The store's rule is one value, written once, where it is
read (docs/store.md, "What the loader refuses").
"""

from __future__ import annotations

import pytest

from support import assert_refused, line_of, write
from sitrep.source.regularfiles import YamlLoadError
from sitrep.source.yamlsource import parse_yaml_bytes

ALIASES_REFUSED = "YAML anchors and aliases (&name / *name) are not allowed in the store"


@pytest.mark.parametrize("text, line", [
    ("a: &x 5\nb: *x\n", 1),  # a value's alias as a value
    ("a: 1\nb: &x hello\nc: [*x]\n", 2),  # ... as a list item
    ("- &x 1\n- *x\n", 1),  # an item's alias as an item
    ("a: [&x 5, *x]\n", 1),  # in flow style
    ("&x a: 1\nb: *x\n", 1),  # a key's alias as a value
    ("a: &x k\n*x : 2\n", 1),  # a value's alias as a key
    ("x: 1\n&k a: 1\n*k : 2\n", 2),  # a key's alias as a key
    ("a:\n  - {&x k: 1}\n  - [*x]\n", 2),  # a key inside a list's mapping, its alias in another list
], ids=["value-value", "value-item", "item-item", "flow", "key-value", "value-key", "key-key", "nested"])
def test_an_alias_of_a_single_value_is_refused_at_its_anchor(text, line):
    with pytest.raises(YamlLoadError) as refused:
        parse_yaml_bytes(text.encode(), "facts/f.yaml")
    problem = refused.value.problem
    assert (problem.file, problem.line, problem.message) == ("facts/f.yaml", line, ALIASES_REFUSED)
    assert problem.expected == "every value written out in full"


@pytest.mark.parametrize("text", ["a: &x [1, 2]\nb: *x\n", "a: &x {k: 1}\nb: *x\n"], ids=["list", "mapping"])
def test_an_alias_of_a_list_or_mapping_is_refused_too(text):
    with pytest.raises(YamlLoadError) as refused:
        parse_yaml_bytes(text.encode(), "f.yaml")
    assert refused.value.problem.message == ALIASES_REFUSED


def test_the_same_text_written_twice_is_two_values():
    """What the rule asks for instead: every value written out, however often it repeats."""
    assert parse_yaml_bytes(b"a: 5\nb: 5\nc: [k, k]\nk: k\n", "f.yaml").data == {"a": 5, "b": 5, "c": ["k", "k"], "k": "k"}


FIGURES = """\
figures:
  - id: trapped-a
    metric: civilians_trapped
    place: fallujah
    as_of: 2016-06
    value: &count 50000
    unit: people
    cited: [{source: ibtimes, date: 2016-06}]
  - id: trapped-b
    metric: civilians_trapped
    place: fallujah
    as_of: 2016-06
    value: *count
    unit: people
    cited: [{source: ibtimes, date: 2016-06}]
"""


def test_check_refuses_a_figure_whose_value_is_another_figures_alias(workspace, sitrep_cli, monkeypatch):
    monkeypatch.chdir(workspace)
    write(workspace / "facts/zz-aliases.yaml", FIGURES)
    result = sitrep_cli("check")
    assert_refused(result, "facts/zz-aliases.yaml", line_of(FIGURES, "&count"), ALIASES_REFUSED,
                   "(expected every value written out in full)")
