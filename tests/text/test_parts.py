"""Cutting a long document into parts: every sentence owned once, each part within the budget, overlaps as context."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from summarizer.text.parts import OVERLAP, Unit, split_parts


def units_of(costs: list[int], gap: int = 2) -> list[Unit]:
    units, at = [], 0
    for cost in costs:
        units.append(Unit(at, at + cost, cost))
        at += cost + gap
    return units


costs = st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=120)
budgets = st.integers(min_value=50, max_value=3000)


@given(costs, budgets, st.frozensets(st.integers(min_value=0, max_value=119)))
def test_every_sentence_is_owned_by_one_part_in_order(costs, budget, breaks):
    units = units_of(costs)
    parts = split_parts(units, budget, breaks=breaks)
    owned = [i for part in parts for i in range(part.first, part.last + 1)]
    assert owned == list(range(len(units)))
    for unit in units:  # each offset of a sentence belongs to exactly one part
        assert sum(part.owns(unit.start) for part in parts) == 1
    assert all(part.total == len(parts) for part in parts)
    assert [part.index for part in parts] == list(range(1, len(parts) + 1))


@given(costs, budgets, st.frozensets(st.integers(min_value=0, max_value=119)))
def test_each_part_fits_the_budget_unless_one_sentence_alone_does_not(costs, budget, breaks):
    units = units_of(costs)
    for part in split_parts(units, budget, breaks=breaks):
        carried = sum(u.cost for u in units[part.carried_first : part.carried_last + 1])
        if part.first == part.last and units[part.first].cost > budget:
            assert part.carried_first == part.carried_last == part.first  # a sentence too long for any call: alone
        else:
            assert carried <= budget
        assert part.carried_first <= part.first <= part.last <= part.carried_last
        assert part.first - part.carried_first <= OVERLAP and part.carried_last - part.last <= OVERLAP
        assert (part.start, part.end) == (units[part.carried_first].start, units[part.carried_last].end)


@given(costs)
def test_a_document_within_the_budget_is_one_part(costs):
    units = units_of(costs)
    parts = split_parts(units, sum(costs))
    assert len(parts) == 1 and (parts[0].first, parts[0].last) == (0, len(units) - 1)


def test_parts_carry_their_neighbours_sentences_as_context():
    units = units_of([100] * 30)
    parts = split_parts(units, 1000)
    assert len(parts) > 2
    for before, after in zip(parts, parts[1:]):
        assert after.carried_first < after.first and before.carried_last > before.last
        assert after.start < before.end


def test_a_part_ends_before_a_heading_near_its_share():
    units = units_of([100] * 40)
    plain = split_parts(units, 1200)
    headed = split_parts(units, 1200, breaks=frozenset({9, 19, 29}))
    assert [p.first for p in headed][1:] != [p.first for p in plain][1:]
    assert {p.first for p in headed[1:]} <= {9, 19, 29}


def test_no_tail_part_of_a_few_sentences():
    units = units_of([100] * 21)
    parts = split_parts(units, 1000)
    assert parts[-1].last - parts[-1].first + 1 >= 3


def test_no_sentence_is_one_empty_part_owning_everything():
    [part] = split_parts([], 1000)
    assert (part.index, part.total, part.first, part.last) == (1, 1, 0, -1) and part.owns(0) and part.owns(10**9)
