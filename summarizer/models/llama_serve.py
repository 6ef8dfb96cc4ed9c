"""The embedded model's server process: llama-cpp-python's OpenAI-compatible server, with greedy decoding under a
grammar that asks the grammar about one token instead of the whole vocabulary.

At every generated token llama-cpp-python applies the answer's JSON grammar to all ~150,000 tokens of the vocabulary
and then takes the most likely one left. At temperature 0 the same token comes from taking the most likely token
first and asking the grammar about that one alone; only when the grammar refuses it is the grammar applied to the
whole vocabulary (llama.cpp's own tools sample this way). The answers are the same token for token; the time the
grammar took (bench/bench_local.py: llama.cpp's total time less its prompt and generation time) is mostly gone.

Run as `python -m summarizer.models.llama_serve ARGS` with the arguments of `python -m llama_cpp.server`
(LocalServer does); any other sampling (a temperature, logits processors) is llama-cpp-python's own.
"""

from __future__ import annotations

import ctypes
import math

import llama_cpp
import numpy as np
from llama_cpp import _internals
from llama_cpp.llama import Llama

_init_sampler = Llama._init_sampler  # llama-cpp-python's own, for everything but greedy decoding under a grammar


def _greedy_grammar_sampler(llm: Llama, grammar, repeat_penalty: float, frequency_penalty: float, presence_penalty: float) -> _internals.LlamaSampler:
    """The chain llama-cpp-python builds for greedy decoding under a grammar, [penalties, grammar, greedy], with one
    step before the grammar: it leaves only the most likely token when the grammar accepts it, so the grammar then
    checks one token instead of the vocabulary."""
    sampler = _internals.LlamaSampler()
    sampler.add_penalties(
        n_vocab=llm._n_vocab,
        penalty_last_n=llm.last_n_tokens_size,
        penalty_repeat=repeat_penalty,
        penalty_freq=frequency_penalty,
        penalty_present=presence_penalty,
    )
    checked: dict[str, object] = {}  # the chain's grammar sampler, once it is in the chain

    def most_likely_first(cur_p) -> None:
        candidates = cur_p.contents
        size = candidates.size
        if size <= 1:
            return
        rows = (ctypes.c_float * (3 * size)).from_address(ctypes.addressof(candidates.data.contents))
        best = int(np.frombuffer(rows, dtype=np.float32).reshape(size, 3)[:, 1].argmax())  # (id, logit, p) per token
        token = candidates.data[best]
        one = llama_cpp.llama_token_data(token.id, token.logit, token.p)
        alone = llama_cpp.llama_token_data_array(ctypes.pointer(one), 1, -1, False)
        llama_cpp.llama_sampler_apply(checked["grammar"], ctypes.byref(alone))  # asks; accepting is the chain's
        if math.isinf(one.logit):
            return  # refused: the grammar checks the whole vocabulary, as without this step
        candidates.data[0] = llama_cpp.llama_token_data(token.id, token.logit, token.p)
        candidates.size = 1

    sampler.add_custom(most_likely_first)
    sampler.add_grammar(llm._model, grammar)
    checked["grammar"] = llama_cpp.llama_sampler_chain_get(sampler.sampler, 2)
    sampler.add_greedy()
    return sampler


def _sampler(self: Llama, *args, **kwargs) -> _internals.LlamaSampler:
    """Llama._init_sampler: the chain above for greedy decoding under a grammar, llama-cpp-python's own otherwise."""
    greedy_under_grammar = not args and kwargs.get("grammar") is not None and kwargs.get("temp") == 0.0 and not kwargs.get("logits_processor")
    if not greedy_under_grammar:
        return _init_sampler(self, *args, **kwargs)
    penalties = (kwargs.get("repeat_penalty", 1.0), kwargs.get("frequency_penalty", 0.0), kwargs.get("presence_penalty", 0.0))
    return _greedy_grammar_sampler(self, kwargs["grammar"], *penalties)


def install() -> None:
    """Make every Llama of this process decode greedily under a grammar as above."""
    Llama._init_sampler = _sampler


if __name__ == "__main__":
    install()
    from llama_cpp.server.__main__ import main

    main()
