#!/usr/bin/env bash
# Install llama-cpp-python (the `local:` LLM provider) built portably into a Python
# environment:
#   bash scripts/install-local-llm.sh [PYTHON]
#
# llama-cpp-python compiles llama.cpp on install, and by default optimises for the CPU it
# is built on (-march=native). Many cloud CPUs advertise instruction sets (AMX above all)
# that the virtual machine cannot actually run, and such a build dies with SIGILL on the
# first token. This build targets x86-64 with AVX2/FMA/F16C only (no AVX-512, no AMX),
# which every x86-64 CPU of the last decade runs; other architectures keep llama.cpp's
# generic defaults minus native tuning.
#
# The wheel is built once into a cache keyed by version and build flags
# ($OPSAGENT_WHEEL_CACHE, default ~/.cache/opsagent/wheels) and installed from there, so
# pip's own cache can never hand back a natively built wheel. About 6 minutes the first
# time on 2 cores; seconds after that.
set -euo pipefail

PY="${1:-python3}"
VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
case "$(uname -m)" in
  x86_64|amd64)
    FLAGS="-DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=OFF -DGGML_BACKEND_DL=OFF"
    FLAGS="$FLAGS -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
    FLAGS="$FLAGS -DGGML_BMI2=ON -DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF"
    FLAGS="$FLAGS -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF"
    FLAGS="$FLAGS -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
    ;;
  *)
    FLAGS="-DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=OFF -DGGML_BACKEND_DL=OFF"
    ;;
esac
FLAGS="$FLAGS -DGGML_OPENMP=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"

KEY="$(printf '%s %s %s' "$VERSION" "$(uname -m)" "$FLAGS" | sha256sum | cut -c1-12)"
CACHE="${OPSAGENT_WHEEL_CACHE:-$HOME/.cache/opsagent/wheels}/llama-cpp-python-$VERSION-$KEY"
MARKER="$("$PY" -c 'import sys; print(sys.prefix)')/.opsagent-llama-$KEY"

if [ -f "$MARKER" ] && "$PY" -c 'import llama_cpp' 2>/dev/null; then
  exit 0
fi
if ! ls "$CACHE"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "building llama-cpp-python $VERSION portably (no AVX-512, no AMX; about 6 minutes)" >&2
  tmp="$(mktemp -d)"
  CMAKE_ARGS="$FLAGS" FORCE_CMAKE=1 "$PY" -m pip wheel --quiet --no-cache-dir --no-deps \
    --no-binary llama-cpp-python -w "$tmp" "llama-cpp-python==$VERSION"
  mkdir -p "$CACHE"
  mv "$tmp"/llama_cpp_python-*.whl "$CACHE"/
  rm -rf "$tmp"
fi
# --force-reinstall replaces a natively built copy already in the environment.
"$PY" -m pip install --quiet --force-reinstall --no-deps "$CACHE"/llama_cpp_python-*.whl
# its runtime dependencies, from the registry as usual
"$PY" -m pip install --quiet "llama-cpp-python==$VERSION"
touch "$MARKER"
