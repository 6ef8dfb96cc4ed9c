"""scripts/install chooses llama.cpp's instruction sets from the CPU's own flags: AVX-512 and its extensions where the
CPU has them, AMX never (its kernels crash in these VMs), nothing from -march=native."""

from __future__ import annotations

import subprocess

import pytest
from conftest import ROOT

EPYC_AVX512 = "fpu sse2 avx avx2 fma f16c bmi2 avx512f avx512dq avx512cd avx512bw avx512vl avx512_vnni avx512_bf16 avx512vbmi avx512_vbmi2"
SAPPHIRE_RAPIDS = EPYC_AVX512 + " amx_bf16 amx_tile amx_int8 avx512_fp16"
AVX2_ONLY = "fpu sse2 avx avx2 fma f16c bmi2"
NO_AMX = ["-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"]


def flags_for(tmp_path, cpu_flags: str, **env) -> list[str]:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: test CPU\nflags\t\t: {cpu_flags}\n\nprocessor\t: 1\nflags\t\t: {cpu_flags}\n", encoding="utf-8")
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install"), "--print-llama-flags"],
        env={"PATH": "/usr/bin:/bin", "SUMMARIZER_CPUINFO": str(cpuinfo), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


@pytest.mark.parametrize("cpu", [EPYC_AVX512, SAPPHIRE_RAPIDS])
def test_a_cpu_with_avx512_gets_it_and_its_extensions_and_never_amx(tmp_path, cpu):
    flags = flags_for(tmp_path, cpu)
    assert flags[0] == "-DGGML_NATIVE=OFF" and all(f in flags for f in NO_AMX)
    assert {"-DGGML_AVX512=ON", "-DGGML_AVX512_VNNI=ON", "-DGGML_AVX512_BF16=ON", "-DGGML_AVX512_VBMI=ON"} <= set(flags)
    assert not [f for f in flags if "AMX" in f and f.endswith("=ON")]


def test_an_avx2_cpu_gets_the_default_build(tmp_path):
    assert flags_for(tmp_path, AVX2_ONLY) == ["-DGGML_NATIVE=OFF", *NO_AMX]


def test_avx512_without_its_basic_parts_is_not_used(tmp_path):
    assert not [f for f in flags_for(tmp_path, AVX2_ONLY + " avx512f avx512_vnni") if "AVX512" in f]  # no avx512bw/vl/dq


def test_the_flags_can_be_given(tmp_path):
    assert flags_for(tmp_path, EPYC_AVX512, SUMMARIZER_LLAMA_FLAGS="-DGGML_NATIVE=OFF") == ["-DGGML_NATIVE=OFF"]
