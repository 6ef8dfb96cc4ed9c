"""Greedy decoding under a grammar with the most likely token asked first (summarizer/models/llama_serve.py): the
same answers as llama-cpp-python's own sampler, token for token, on the real llama.cpp runtime (SmolLM2)."""

from __future__ import annotations

import pytest
from test_local_model import needs_runtime, smollm2_gguf

SCHEMAS = {
    "an object": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "count": {"type": "integer"}, "kind": {"enum": ["ward", "commune", "town"]}},
        "required": ["name", "count", "kind"],
    },
    "ids the model would not write": {  # the grammar refuses the most likely token often: the whole vocabulary is asked
        "type": "object",
        "properties": {"choices": {"type": "array", "items": {"enum": ["c7", "c12", "zq-9"]}, "maxItems": 3}},
        "required": ["choices"],
    },
    "sentences": {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "text": {"type": "string"}}}}},
        "required": ["items"],
    },
}
ARTICLE = "Đảng bộ Phường 6 hiện có 8 chi bộ với 327 đảng viên. Năm 2023, phường kết nạp 12 đảng viên mới."


@pytest.mark.local_model
@needs_runtime
@pytest.mark.parametrize("schema", sorted(SCHEMAS))
def test_greedy_decoding_under_a_grammar_answers_the_same_when_the_most_likely_token_is_asked_first(schema, monkeypatch):
    from llama_cpp import Llama

    from summarizer.models import llama_serve

    llm = Llama(model_path=str(smollm2_gguf()), n_ctx=1024, verbose=False)

    def answer() -> str:
        messages = [{"role": "user", "content": f"{ARTICLE}\nAnswer in JSON: the organisation, its figures and the sentences."}]
        completion = llm.create_chat_completion(
            messages=messages, response_format={"type": "json_object", "schema": SCHEMAS[schema]}, temperature=0, repeat_penalty=1.1, max_tokens=96
        )
        return completion["choices"][0]["message"]["content"]

    whole_vocabulary = answer()
    built, chain = [], llama_serve._greedy_grammar_sampler

    def counted(*args):
        built.append(args)
        return chain(*args)

    monkeypatch.setattr(llama_serve, "_greedy_grammar_sampler", counted)
    monkeypatch.setattr(Llama, "_init_sampler", llama_serve._sampler)
    assert answer() == whole_vocabulary
    assert len(built) == 1  # the answer came from the chain that asks the most likely token first
