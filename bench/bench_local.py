"""Benchmark 5: the embedded model's path, per seed, against the floor llama.cpp's own timings set.

Run: .venv/bin/python bench/bench_local.py [--seeds 000 001 ...] [--baseline 000] [--long 8192 16384] [--levers] [--decoding]
     [--no-briefs --forms schemas/forms/ward_party_profile.json --after-brief 000] [--sampling] [--builds WHEEL WHEEL]
     [--llama-server BINARY]
Needs the embedded model ([local] extra). Minutes per seed on 2 cores.

1. Each seed is briefed through the pipeline on the real llama.cpp server (the project starts it). From the server's
   log: prompt tokens sent vs evaluated (the rest is the reused prefix: the article, evaluated once per brief),
   generated tokens, the prompt and generation rates, and the floor: the time llama.cpp itself spent evaluating and
   generating. ours / floor is what the program and the HTTP round trips add.
2. `--baseline SEED`: the one-call brief this project used before the brief was split into small steps (the request
   recorded in git at BASELINE_COMMIT), sent raw to the same server in the same run: the before of the split.
3. `--long CONTEXT ...`: the five seeds joined into one long document (tests/long.py), briefed in parts with each
   context setting, beside the five seeds one by one: time and tokens for the whole against the sum of its parts.
4. `--levers`: the prompt rate (one prompt of a seed, max_tokens 1, nothing reused) under server settings, each on a
   freshly started server: the defaults, then each setting alone.
5. `--forms FORM ...`: each form filled from each seed with nothing of it evaluated before, and (`--after-brief
   SEED ...`) right after the seed's brief, as `summarizer brief --form` asks it: the form's own time and tokens
   evaluated (the article, evaluated by the brief, is reused), and the profile form's fields against the reference.
6. `--decoding`: prompt-lookup decoding (llama-cpp-python's draft model that proposes the tokens following the
   last ones seen in the prompt) against the defaults, on the recorded translate and leaders-form requests of the
   first seed, each setting on a fresh server: generation rate, wall time, and whether the greedy answer is the same.
7. `--builds WHEEL ...`: the same prompt (the labels prompt of the first seed, evaluated whole) and the same
   generation (its recorded translate request) on each llama-cpp-python wheel (e.g. the AVX-512 and the AVX2 build
   scripts/install caches in ~/.cache/summarizer/wheels), each unpacked and put first on the server's PYTHONPATH,
   on a fresh server: prompt and generation rates, the ratio to the first wheel, whether the answer is the same.
8. `--llama-server BINARY`: llama.cpp's own server (built from the sources vendored in llama-cpp-python's sdist)
   beside the project's, the same GGUF, context and threads, on the first seed's recorded requests with llama-cpp-
   python's sampling made explicit (repeat penalty 1.1 over 64 tokens): rates from its response's `timings`, wall
   time, and whether the answer is the same.
9. `--sampling`: greedy decoding under the answer's grammar by llama_cpp.server itself (the grammar over the whole
   vocabulary at every token) against the project's server (summarizer/models/llama_serve.py), as in 6.
   `--no-briefs` skips the seed briefs (for measuring the levers alone).
Quality is printed beside the times: statements kept, facts kept, and the reference facts found (../shared/gold).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from summarizer.config import ModelOptions, Settings  # noqa: E402
from summarizer.evaluate import profile_verdicts, score_article  # noqa: E402
from summarizer.models.chain import ModelChain  # noqa: E402
from summarizer.models.local_server import SERVER_MODULE, LocalServer, model_path  # noqa: E402
from summarizer.tasks.brief import brief_article, brief_request  # noqa: E402
from summarizer.text.article import load_article  # noqa: E402

GOLD = ROOT.parent / "shared" / "gold"
BASELINE_COMMIT = "707029b"  # the last commit with the one-call brief (its cassettes hold the request it sent)
CLEAR = {"messages": [{"role": "user", "content": "Xin chào"}], "max_tokens": 1, "temperature": 0}  # another first token
LEVERS = [{}, {"n_ubatch": "256"}, {"n_ubatch": "1024", "n_batch": "1024"}, {"flash_attn": "True"}, {"n_threads": "1", "n_threads_batch": "1"}]
_PROMPT = re.compile(r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")
_EVAL = re.compile(r"\beval time =\s*([\d.]+) ms /\s*(\d+) runs")
_TOTAL = re.compile(r"total time =\s*([\d.]+) ms")


@dataclass
class Timings:
    """What llama.cpp's log says of some completions: tokens evaluated and generated, and the milliseconds of each."""

    prompt_tokens: int = 0
    prompt_ms: float = 0.0
    generated: int = 0
    generate_ms: float = 0.0
    total_ms: float = 0.0  # llama.cpp's total per completion: evaluating, generating, and sampling (the grammar)

    @property
    def floor_s(self) -> float:
        return (self.prompt_ms + self.generate_ms) / 1000

    @property
    def other_s(self) -> float:
        """llama.cpp's time outside evaluating and generating: sampling under the answer's grammar, mostly."""
        return max(0.0, self.total_ms - self.prompt_ms - self.generate_ms) / 1000

    @property
    def prompt_rate(self) -> float:
        return self.prompt_tokens / (self.prompt_ms / 1000) if self.prompt_ms else 0.0

    @property
    def generate_rate(self) -> float:
        return self.generated / (self.generate_ms / 1000) if self.generate_ms else 0.0


def timings(log: str) -> Timings:
    found = Timings()
    for line in log.splitlines():
        if "llama_perf_context_print" not in line:
            continue
        if m := _PROMPT.search(line):
            found.prompt_tokens += int(m.group(2))
            found.prompt_ms += float(m.group(1))
        elif m := _EVAL.search(line):
            found.generated += int(m.group(2))
            found.generate_ms += float(m.group(1))
        elif m := _TOTAL.search(line):
            found.total_ms += float(m.group(1))
    return found


class Log:
    """The server's log, read from where the last read stopped."""

    def __init__(self, path: Path):
        self.path, self.offset = path, 0

    def new(self) -> str:
        data = self.path.read_bytes()
        text, self.offset = data[self.offset :].decode("utf-8", "replace"), len(data)
        return text


def post(api_base: str, body: dict) -> dict:
    answer = httpx.post(f"{api_base}/chat/completions", json=body, timeout=3600, headers={"Authorization": "Bearer sk-no-key-required"})
    answer.raise_for_status()
    return answer.json()


def timed(api_base: str, log: Log, body: dict) -> tuple[dict, float, Timings]:
    """One request with nothing of its prompt evaluated before (CLEAR first): the reply, its wall time, and what
    llama.cpp's log says of it."""
    post(api_base, CLEAR)
    log.new()
    started = time.perf_counter()
    reply = post(api_base, body)
    return reply, time.perf_counter() - started, timings(log.new())


def cpu_line() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor()
    )
    flags = next((line.split(":", 1)[1].split() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")), [])
    wide = [f for f in flags if f.startswith(("avx", "amx", "fma", "f16c"))]
    return f"{model}, {os.cpu_count()} cores, {' '.join(sorted(wide))}"


def seed_path(prefix: str) -> Path:
    return next((ROOT / "seeds").glob(f"{prefix}*.txt"))


def brief_rows(api_base: str, log: Log, seeds: list[str]) -> list[dict]:
    rows = []
    settings = Settings(chain=("local",), options={"local": ModelOptions(api_base=api_base)}, source="bench")
    with ModelChain(settings) as chain:
        for prefix in seeds:
            path = seed_path(prefix)
            article = load_article(path)
            post(api_base, CLEAR)  # nothing of this article is in the server's cache
            log.new()
            started = time.perf_counter()
            brief = asyncio.run(brief_article(article, chain))
            wall = time.perf_counter() - started
            found = timings(log.new())
            english = [s for s in brief.statements if s.field.endswith("en")]
            gold = GOLD / f"{path.stem}.json"
            score = score_article(json.loads(gold.read_text(encoding="utf-8")), brief, path.stem) if gold.is_file() else None
            rows.append(
                {
                    "seed": prefix,
                    "wall": wall,
                    "sent": brief.provenance.usage.prompt_tokens,
                    "timings": found,
                    "calls": len(brief.provenance.calls),
                    "reasked": sum(1 for s in english if s.reasked),
                    "english": f"{sum(s.kept for s in english)}/{len(english)}",
                    "facts": len(brief.facts),
                    "gold": f"{score.found}/{score.gold}" if score else "-",
                }
            )
            print(f"  {prefix}: {wall:.0f} s", file=sys.stderr, flush=True)
    return rows


def baseline_row(api_base: str, log: Log, prefix: str) -> dict:
    """The one-call brief of BASELINE_COMMIT for a seed: its recorded request, sent raw to this run's server."""
    stem = seed_path(prefix).stem
    recorded = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:cassettes/local_{stem}.json"], capture_output=True, check=True, text=True
    ).stdout
    body = json.loads(json.loads(recorded)["interactions"][0]["request"]["body"])
    answer, wall, found = timed(api_base, log, body)
    return {
        "seed": f"{prefix} one call",
        "wall": wall,
        "sent": answer["usage"]["prompt_tokens"],
        "timings": found,
        "calls": 1,
        "reasked": 0,
        "english": "-",
        "facts": "-",
        "gold": "-",
    }


def long_rows(api_base: str, log: Log, contexts: list[int]) -> list[dict]:
    """The long document briefed with each context setting (the parts follow from it)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from long import long_document

    article, rows = long_document(), []
    for context in contexts:
        settings = Settings(chain=("local",), options={"local": ModelOptions(api_base=api_base, context=context)}, source="bench")
        with ModelChain(settings) as chain:
            parts = len(brief_request(article, chain).parts)
            post(api_base, CLEAR)
            log.new()
            started = time.perf_counter()
            brief = asyncio.run(brief_article(article, chain))
            wall = time.perf_counter() - started
        english = [s for s in brief.statements if s.field.endswith("en")]
        rows.append(
            {
                "seed": f"long, context {context}: {parts} parts",
                "wall": wall,
                "sent": brief.provenance.usage.prompt_tokens,
                "timings": timings(log.new()),
                "calls": len(brief.provenance.calls),
                "reasked": sum(1 for s in english if s.reasked),
                "english": f"{sum(s.kept for s in english)}/{len(english)}",
                "facts": len(brief.facts),
                "gold": "-",
            }
        )
        print(f"  long, context {context}: {wall:.0f} s", file=sys.stderr, flush=True)
    return rows


def print_rows(rows: list[dict]) -> None:
    print(
        "| seed | wall s | floor s | ours / floor | llama.cpp other s | prompt tok sent | evaluated | prompt tok/s | generated | gen tok/s | calls | re-asked | English kept | facts | reference found |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        t: Timings = row["timings"]
        print(
            f"| {row['seed']} | {row['wall']:.1f} | {t.floor_s:.1f} | {row['wall'] / t.floor_s:.3f} | {t.other_s:.1f} | {row['sent']} | {t.prompt_tokens} | {t.prompt_rate:.1f} "
            f"| {t.generated} | {t.generate_rate:.2f} | {row['calls']} | {row['reasked']} | {row['english']} | {row['facts']} | {row['gold']} |"
        )
    briefs = [row for row in rows if "one call" not in row["seed"] and not row["seed"].startswith("long")]
    for row in rows:
        if row["seed"].startswith("long") and briefs:
            seeds_wall, seeds_sent = sum(r["wall"] for r in briefs), sum(r["sent"] for r in briefs)
            print(
                f"{row['seed']}: wall {row['wall'] / seeds_wall:.2f} x, prompt tokens sent {row['sent'] / seeds_sent:.2f} x the {len(briefs)} seeds one by one"
            )
    if briefs:
        print(
            f"median wall time per seed: {statistics.median(r['wall'] for r in briefs):.1f} s; median ours / floor: {statistics.median(r['wall'] / r['timings'].floor_s for r in briefs):.3f}"
        )


def lever_rows(prefix: str) -> None:
    """The prompt rate of one prompt under each of LEVERS, each on a freshly started server."""
    article = load_article(seed_path(prefix))
    with ModelChain(Settings(chain=("local",), options={"local": ModelOptions(api_base="http://127.0.0.1:9/v1")}, source="bench")) as chain:
        messages = brief_request(article, chain).parts[0].label_messages
    print(f"\nprompt rate by server setting (seed {prefix}, the labels prompt, evaluated whole, max_tokens 1)")
    print("| setting | prompt tokens | prompt tok/s | ratio to defaults |")
    print("|---|---|---|---|")
    first = None
    for lever in LEVERS:
        with LocalServer(model_path(), settings=lever) as server:
            _, _, found = timed(server.api_base, Log(server.log_path), {"messages": messages, "max_tokens": 1, "temperature": 0})
        first = first or found.prompt_rate
        name = ", ".join(f"{k}={v}" for k, v in lever.items()) or "defaults (n_batch=n_ubatch=512, 2 threads)"
        print(f"| {name} | {found.prompt_tokens} | {found.prompt_rate:.1f} | {found.prompt_rate / first:.2f} |", flush=True)


PROMPT_LOOKUP = {"draft_model": "prompt-lookup-decoding", "draft_model_num_pred_tokens": "10", "logits_all": "True"}  # it needs logits_all


def recorded_requests(prefix: str) -> list[tuple[str, dict]]:
    """Requests the embedded model was recorded answering for a seed: the brief's translate step (English written
    anew) and the leaders form (quotes copied from the article), as (what, body)."""
    stem = seed_path(prefix).stem
    found = []
    for cassette, what, words in ((f"local_{stem}", "brief: translate", "Task: translate"), (f"fill_leaders_{stem}", "form: leaders", "")):
        path = ROOT / "cassettes" / f"{cassette}.json"
        if not path.is_file():
            continue
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            body = json.loads(interaction["request"]["body"])
            if words in body["messages"][-1]["content"]:
                found.append((what, body))
                break
    return found


def decoding_rows(prefix: str) -> None:
    """Generation with and without prompt-lookup decoding, on recorded requests, each on a freshly started server."""
    server_rows(prefix, "prompt-lookup decoding", [({}, SERVER_MODULE, "defaults"), (PROMPT_LOOKUP, SERVER_MODULE, "prompt-lookup, 10 tokens (logits_all on)")])


def sampling_rows(prefix: str) -> None:
    """Greedy decoding under the answer's grammar as llama-cpp-python does it (the grammar applied to the whole
    vocabulary at every token) against models/llama_serve.py (the grammar asked about the most likely token first)."""
    server_rows(
        prefix,
        "sampling under a grammar",
        [({}, "llama_cpp.server", "llama_cpp.server (whole vocabulary)"), ({}, SERVER_MODULE, "llama_serve (most likely token first)")],
    )


def server_rows(prefix: str, what_is_compared: str, variants: list[tuple[dict, str, str]]) -> None:
    """Recorded requests on each server variant (settings, module, name), each on a freshly started server: tokens
    generated per second, llama.cpp's time outside evaluating and generating (sampling under the grammar, mostly),
    wall time, and whether the answer is the same (greedy decoding: it must be)."""
    requests = recorded_requests(prefix)
    print(f"\n{what_is_compared} (seed {prefix}; recorded requests, temperature 0, each on a fresh server)")
    print("| request | server | prompt tok/s | generated | gen tok/s | llama.cpp other s | wall s | ratio to the first | same answer |")
    print("|---|---|---|---|---|---|---|---|---|")
    answers: dict[str, str] = {}
    walls: dict[str, float] = {}
    for setting, module, name in variants:
        with LocalServer(model_path(), settings=setting, module=module) as server:
            log = Log(server.log_path)
            for what, body in requests:
                reply, wall, found = timed(server.api_base, log, body)
                answer = json.dumps(reply["choices"][0]["message"], ensure_ascii=False, sort_keys=True)
                answers.setdefault(what, answer)
                walls.setdefault(what, wall)
                print(
                    f"| {what} | {name} | {found.prompt_rate:.1f} | {found.generated} | {found.generate_rate:.2f} | {found.other_s:.1f} | {wall:.1f} "
                    f"| {wall / walls[what]:.2f} | {'yes' if answers[what] == answer else 'no'} |",
                    flush=True,
                )


def llama_server_rows(prefix: str, binary: str) -> None:
    """The first seed's recorded requests on the project's server and on llama.cpp's own `llama-server`."""
    requests = [(what, {**body, "repeat_penalty": 1.1, "repeat_last_n": 64}) for what, body in recorded_requests(prefix)]
    print(f"\nllama.cpp's own server (seed {prefix}; recorded requests, temperature 0, repeat penalty 1.1 over 64 tokens, fresh servers)")
    print("| request | server | prompt tok/s | generated | gen tok/s | wall s | ratio to ours | same answer |")
    print("|---|---|---|---|---|---|---|---|")
    ours: dict[str, tuple[float, str]] = {}
    with LocalServer(model_path()) as server:
        log = Log(server.log_path)
        for what, body in requests:
            reply, wall, found = timed(server.api_base, log, body)
            ours[what] = (wall, reply["choices"][0]["message"]["content"])
            print(
                f"| {what} | summarizer (llama_serve) | {found.prompt_rate:.1f} | {found.generated} | {found.generate_rate:.2f} | {wall:.1f} | 1.00 | yes |",
                flush=True,
            )
    from summarizer.models.local_server import free_port

    port = free_port()
    threads = str(os.cpu_count() or 1)
    command = [binary, "-m", str(model_path()), "--host", "127.0.0.1", "--port", str(port), "-c", "16384", "-t", threads, "-tb", threads, "-np", "1"]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        try:
            for _ in range(600):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            api_base = f"http://127.0.0.1:{port}/v1"
            for what, body in requests:
                post(api_base, CLEAR)
                started = time.perf_counter()
                reply = post(api_base, body)
                wall = time.perf_counter() - started
                t = reply.get("timings", {})
                prompt_rate = t.get("prompt_n", 0) / (t.get("prompt_ms", 0) / 1000) if t.get("prompt_ms") else 0.0
                gen_rate = t.get("predicted_n", 0) / (t.get("predicted_ms", 0) / 1000) if t.get("predicted_ms") else 0.0
                same = "yes" if reply["choices"][0]["message"]["content"] == ours[what][1] else "no"
                print(
                    f"| {what} | llama-server | {prompt_rate:.1f} | {t.get('predicted_n', 0)} | {gen_rate:.2f} | {wall:.1f} | {wall / ours[what][0]:.2f} | {same} |",
                    flush=True,
                )
        finally:
            process.terminate()


def build_rows(prefix: str, wheels: list[str]) -> None:
    """Prompt and generation rates of each llama-cpp-python build on the same requests, each on a fresh server
    whose `llama_cpp` comes from the wheel (unpacked into a temporary folder put first on PYTHONPATH)."""
    import tempfile
    import zipfile

    article = load_article(seed_path(prefix))
    with ModelChain(Settings(chain=("local",), options={"local": ModelOptions(api_base="http://127.0.0.1:9/v1")}, source="bench")) as chain:
        labels = brief_request(article, chain).parts[0].label_messages
    translate = next(body for what, body in recorded_requests(prefix) if what == "brief: translate")
    print(f"\nllama.cpp builds (seed {prefix}: the labels prompt evaluated whole, max_tokens 1; the recorded translate request; fresh server each)")
    print("| build | prompt tokens | prompt tok/s | ratio | generated | gen tok/s | ratio | same answer |")
    print("|---|---|---|---|---|---|---|---|")
    first: tuple[float, float, str] | None = None
    saved = os.environ.get("PYTHONPATH")
    for wheel in wheels:
        with tempfile.TemporaryDirectory() as unpacked:
            zipfile.ZipFile(wheel).extractall(unpacked)
            os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (unpacked, saved) if p)
            try:
                with LocalServer(model_path()) as server:
                    log = Log(server.log_path)
                    _, _, prompt = timed(server.api_base, log, {"messages": labels, "max_tokens": 1, "temperature": 0})
                    reply, _, generated = timed(server.api_base, log, translate)
                    answer = json.dumps(reply["choices"][0]["message"], ensure_ascii=False, sort_keys=True)
            finally:
                if saved is None:
                    os.environ.pop("PYTHONPATH", None)
                else:
                    os.environ["PYTHONPATH"] = saved
        first = first or (prompt.prompt_rate, generated.generate_rate, answer)
        folder = Path(wheel).parent.name  # scripts/install names it by its flags
        name = "AVX2" + (f" + {folder[folder.index('avx512') :]}" if "avx512" in folder else "")
        print(
            f"| {name} | {prompt.prompt_tokens} | {prompt.prompt_rate:.1f} | {prompt.prompt_rate / first[0]:.2f} | {generated.generated} "
            f"| {generated.generate_rate:.2f} | {generated.generate_rate / first[1]:.2f} | {'yes' if answer == first[2] else 'no'} |",
            flush=True,
        )


def form_rows(api_base: str, log: Log, seeds: list[str], forms: list[str], after_brief: list[str]) -> None:
    """Each form filled from each seed with nothing of the article evaluated (after CLEAR), and, for the seeds of
    `after_brief`, right after the seed's brief, as `summarizer brief --form` asks them: the form's own wall time
    and tokens, and its fields against the reference (the profile form)."""
    from summarizer.forms import load_form
    from summarizer.tasks.fill import fill_article

    print("\nforms (the form's calls only; 'after brief': the seed's brief asked just before, on the same server)")
    print("| seed | form | asked | wall s | prompt tok sent | evaluated | generated | floor s | right / empty / wrong |")
    print("|---|---|---|---|---|---|---|---|---|")
    settings = Settings(chain=("local",), options={"local": ModelOptions(api_base=api_base)}, source="bench")
    walls: dict[tuple[str, str], list[float]] = {}
    loaded = [load_form(ROOT / path) for path in forms]
    with ModelChain(settings) as chain:
        for prefix in seeds:
            article = load_article(seed_path(prefix))
            for asked in ("alone", "after brief") if prefix in after_brief else ("alone",):
                if asked == "after brief":
                    post(api_base, CLEAR)
                    asyncio.run(brief_article(article, chain))  # then each form in turn, as `brief --form` asks them
                for form in loaded:
                    if asked == "alone":
                        post(api_base, CLEAR)  # nothing of this article is in the server's cache
                    log.new()
                    started = time.perf_counter()
                    filled = asyncio.run(fill_article(article, form, chain))
                    wall = time.perf_counter() - started
                    found = timings(log.new())
                    sent = sum(call.usage.prompt_tokens for call in filled.provenance.calls)
                    verdict = "-"
                    if form.name == "ward_party_profile" and GOLD.is_dir():
                        gold = json.loads((GOLD / f"{seed_path(prefix).stem}.json").read_text(encoding="utf-8"))
                        got = list(profile_verdicts(gold, filled).values())
                        verdict = " / ".join(str(got.count(v)) for v in ("correct", "empty", "wrong"))
                    walls.setdefault((form.name, asked), []).append(wall)
                    print(
                        f"| {prefix} | {form.name} | {asked} | {wall:.1f} | {sent} | {found.prompt_tokens} | {found.generated} | {found.floor_s:.1f} | {verdict} |",
                        flush=True,
                    )
    for (name, asked), times in walls.items():
        print(f"median wall time of {name}, {asked}: {statistics.median(times):.1f} s over {len(times)} seed(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="*", default=["000", "001", "002", "003", "004"])
    parser.add_argument("--baseline", nargs="*", default=["000"], help="seeds whose one-call brief is measured too")
    parser.add_argument("--long", nargs="*", type=int, default=[], metavar="CONTEXT", help="brief the long document with these context settings")
    parser.add_argument("--levers", action="store_true", help="measure the prompt rate under server settings")
    parser.add_argument("--decoding", action="store_true", help="measure generation with prompt-lookup decoding")
    parser.add_argument("--no-briefs", action="store_true", help="only the measurements asked for by the other options")
    parser.add_argument("--forms", nargs="*", default=[], metavar="FORM", help="fill these forms (paths) from each seed, alone")
    parser.add_argument("--after-brief", nargs="*", default=[], metavar="SEED", help="with --forms: these seeds' forms also right after their brief")
    parser.add_argument("--sampling", action="store_true", help="compare greedy decoding under a grammar: llama_cpp.server vs llama_serve")
    parser.add_argument("--llama-server", metavar="BINARY", help="compare llama.cpp's own llama-server binary on the same requests")
    parser.add_argument("--builds", nargs="*", default=[], metavar="WHEEL", help="compare these llama-cpp-python wheels on the same requests")
    args = parser.parse_args()
    print(f"embedded model {model_path().name}; {cpu_line()}")
    if not args.no_briefs:
        with LocalServer(model_path()) as server:
            log = Log(server.log_path)
            post(server.api_base, CLEAR)  # warm the server up
            rows = [baseline_row(server.api_base, log, prefix) for prefix in args.baseline]
            rows += brief_rows(server.api_base, log, args.seeds)
            rows += long_rows(server.api_base, log, args.long)
        print_rows(rows)
    if args.forms:
        with LocalServer(model_path()) as server:
            form_rows(server.api_base, Log(server.log_path), args.seeds, args.forms, args.after_brief)
    if args.levers:
        lever_rows(args.seeds[0])
    if args.decoding:
        decoding_rows(args.seeds[0])
    if args.sampling:
        sampling_rows(args.seeds[0])
    if args.llama_server:
        llama_server_rows(args.seeds[0], args.llama_server)
    if args.builds:
        build_rows(args.seeds[0], args.builds)


if __name__ == "__main__":
    main()
