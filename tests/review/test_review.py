"""Cutting an article into highlighted segments (the review page's marks), for spans that may overlap."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from summarizer.review.page import Span, segments


@st.composite
def text_and_spans(draw):
    text = draw(st.text(min_size=1, max_size=60))
    bounds = st.integers(min_value=0, max_value=len(text))
    spans = []
    for n in range(draw(st.integers(min_value=0, max_value=6))):
        a, b = sorted((draw(bounds), draw(bounds)))
        if a < b:
            spans.append(Span(f"k{n}", a, b, "fact", "label", {}))
    return text, spans


@given(text_and_spans())
def test_segments_cover_the_text_once_and_each_span_exactly(case):
    text, spans = case
    pieces = segments(text, spans)
    assert "".join(piece.text for piece in pieces) == text
    for span in spans:
        assert "".join(piece.text for piece in pieces if span in piece.spans) == text[span.start : span.end]
        assert sum(1 for piece in pieces if span in piece.opens) == 1  # one anchor per span, where it starts
        first = next(piece for piece in pieces if span in piece.spans)
        assert span in first.opens


def test_overlapping_spans_share_the_overlap():
    text = "Đảng bộ có 8 chi bộ với 327 đảng viên"
    a, b = Span("a", 0, 19, "fact", "", {}), Span("b", 11, 37, "field", "", {})
    pieces = segments(text, [a, b])
    assert [(p.text, tuple(s.key for s in p.spans)) for p in pieces] == [("Đảng bộ có ", ("a",)), ("8 chi bộ", ("a", "b")), (" với 327 đảng viên", ("b",))]
