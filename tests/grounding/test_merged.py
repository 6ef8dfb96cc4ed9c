"""One form field answered from each part of a long document, merged: agreement, conflict, lists, objects, empties."""

from __future__ import annotations

from summarizer.grounding.fields import merged
from summarizer.schema import FieldResult


def filled(value, start: int) -> FieldResult:
    quote = str(value)
    return FieldResult(value=value, quote=quote, start=start, end=start + len(quote), alignment="exact", status="filled")


def test_one_part_is_its_own_answer():
    only = filled(327, 10)
    assert merged([only]) is only


def test_parts_that_agree_give_one_value_with_the_first_evidence():
    result = merged([filled(327, 10), FieldResult(value=None, status="not_in_article"), filled(327, 900)])
    assert (result.status, result.value, result.start) == ("filled", 327, 10)


def test_parts_that_differ_make_the_field_conflicting_with_every_quote_in_document_order():
    result = merged([filled(412, 5000), filled(327, 10)])
    assert result.status == "conflicting" and result.value is None
    assert [(e.value, e.start) for e in result.candidates] == [(327, 10), (412, 5000)]
    assert "327" in result.reason and "412" in result.reason


def test_a_part_in_conflict_and_another_filled_join_their_values():
    conflict = FieldResult(value=None, status="conflicting", candidates=[filled(8, 40), filled(9, 80)], reason="several")
    result = merged([conflict, filled(9, 700)])
    assert result.status == "conflicting" and [e.value for e in result.candidates] == [8, 9]


def test_a_list_takes_every_item_once_in_document_order():
    first = FieldResult(value=None, status="filled", items=[filled("Nguyễn Văn A", 100), filled("Trần Thị B", 200)])
    second = FieldResult(value=None, status="filled", items=[filled("Trần Thị B", 150), filled("Lê Văn C", 5000)])
    result = merged([second, first])
    assert [item.value for item in result.items] == ["Nguyễn Văn A", "Trần Thị B", "Lê Văn C"]


def test_an_object_merges_field_by_field():
    a = FieldResult(value=None, status="filled", fields={"members": filled(327, 10), "cells": FieldResult(value=None, status="not_in_article")})
    b = FieldResult(value=None, status="filled", fields={"members": filled(327, 800), "cells": filled(8, 820)})
    result = merged([a, b])
    assert result.fields["members"].value == 327 and result.fields["cells"].value == 8


def test_no_part_filled_keeps_the_strongest_reason():
    unsupported = FieldResult(value=None, status="unsupported", reason="the article states no number '99'")
    result = merged([FieldResult(value=None, status="not_in_article"), unsupported])
    assert result is unsupported
    assert merged([FieldResult(value=None, status="not_in_article")] * 2).status == "not_in_article"
