"""The local model's native library runs on every x86-64 CPU it is installed on.

A llama.cpp built for the CPU it was compiled on (-march=native) uses AMX tile and
AVX-512 instructions when that CPU advertises them; many cloud CPUs advertise AMX that
the virtual machine cannot execute, and the process dies with SIGILL on the first token.
``scripts/install-local-llm.sh`` builds llama-cpp-python without them. A machine without
AMX cannot reproduce the crash, so these tests read the built libraries instead: no AMX
tile instruction and no AVX-512 register may appear in their machine code.
"""

from __future__ import annotations

import importlib.util
import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest

INSTALLED = importlib.util.find_spec("llama_cpp") is not None
pytestmark = [
    pytest.mark.skipif(not INSTALLED,
                       reason="llama-cpp-python is not installed: pip install 'opsagent[local]'"),
    pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"),
                       reason="AMX and AVX-512 are x86-64 instruction sets"),
]

# AMX: the tile configuration, load/store, zeroing and the tile dot products
# (tdpbssd, tdpbsud, tdpbusd, tdpbuud, tdpbf16ps, tdpfp16ps, tcmmimfp16ps ...).
AMX = re.compile(r"\s(ldtilecfg|sttilecfg|tileloadd\w*|tilestored|tilezero|tilerelease"
                 r"|tdp\w+|tcmm\w+)\s")
AVX512 = re.compile(r"%zmm\d+|%k[1-7]\b")


def native_libraries() -> list[Path]:
    spec = importlib.util.find_spec("llama_cpp")
    assert spec is not None and spec.origin is not None
    package = Path(spec.origin).parent
    found = sorted(p for p in package.rglob("*.so*") if p.is_file() and not p.is_symlink())
    assert found, f"no native library under {package}"
    return found


def disassemble(library: Path) -> str:
    objdump = shutil.which("objdump")
    assert objdump, "objdump (binutils, installed with gcc) is needed to read the library"
    done = subprocess.run([objdump, "-d", "--no-show-raw-insn", str(library)],
                          capture_output=True, text=True, check=True, timeout=300)
    return done.stdout


def offending(pattern: re.Pattern[str], code: str, limit: int = 5) -> list[str]:
    return [line.strip() for line in code.splitlines() if pattern.search(line)][:limit]


def test_the_cpu_backend_is_in_the_installed_package() -> None:
    names = [p.name for p in native_libraries()]
    assert any(name.startswith(("libggml-cpu", "libggml.", "libllama")) for name in names), names


@pytest.mark.parametrize("library", native_libraries() if INSTALLED else [],
                         ids=lambda p: p.name)
def test_no_amx_or_avx512_instruction_in_the_native_library(library: Path) -> None:
    code = disassemble(library)
    assert not offending(AMX, code), f"AMX tile instructions in {library.name}"
    assert not offending(AVX512, code), f"AVX-512 instructions in {library.name}"


AMX_SOURCE = """
#include <immintrin.h>
void clear_tiles(void) { _tile_zero(0); _tile_release(); }
"""


def test_the_check_finds_amx_in_a_library_built_with_it(tmp_path: Path) -> None:
    """The same disassembly, on a library that does use AMX, finds it (so the tests above
    would fail on a native build made on an AMX machine)."""
    compiler = shutil.which("gcc") or shutil.which("cc")
    assert compiler, "a C compiler is needed (llama-cpp-python itself compiles with it)"
    source = tmp_path / "amx.c"
    source.write_text(AMX_SOURCE, encoding="utf-8")
    library = tmp_path / "libamx.so"
    subprocess.run([compiler, "-O2", "-mamx-tile", "-shared", "-fPIC", str(source), "-o",
                    str(library)], check=True, capture_output=True, timeout=120)
    assert offending(AMX, disassemble(library))


def test_the_patterns_recognise_what_they_look_for() -> None:
    sample = ("  4005d0:\ttileloadd (%rsi,%rdx,1),%tmm0 \n"
              "  4005d8:\ttdpbssd %tmm2,%tmm1,%tmm0 \n"
              "  4005e0:\tvmovups %zmm0,(%rdi)\n"
              "  4005e8:\tvfmadd231ps %ymm1,%ymm2,%ymm0\n")
    assert len(offending(AMX, sample)) == 2
    assert len(offending(AVX512, sample)) == 1
