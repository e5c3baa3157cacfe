"""The local model's own process: llama.cpp loads the GGUF file once, then answers
generation requests, one JSON line in (stdin), one JSON line out (the protocol pipe).

Run by :mod:`opsagent.agent.local` as ``python -P llama_child.py`` (so this file imports
nothing of opsagent, and the agent's modules never shadow anything). A crash (SIGILL,
SIGSEGV, abort), a hang or a memory blow-up here ends this process only; the agent sees
it and falls back to the engine's report. Its address space is capped
(``RLIMIT_AS``, ``OPSAGENT_LOCAL_MEMORY_MB``) and it exits when its parent is gone.

Protocol (one JSON object per line)::

    <- {"ready": true}                                       after the model loaded
    -> {"messages": [...], "schema": {...} | null, "max_tokens": 700,
        "temperature": 0.1, "stop": [...] | null}
    <- {"completion": {...}}  or  {"error": "memory" | "load" | "generate", "detail": "..."}

``OPSAGENT_LOCAL_FAULT`` (tests only) makes the child misbehave on its first generation
request: ``sigill``, ``sigsegv`` and ``abort`` kill it by that signal, ``hang`` sleeps
forever, ``allocate`` allocates until the memory cap stops it, ``exit`` exits with code 3.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Any, TextIO

FAULT_ENV = "OPSAGENT_LOCAL_FAULT"
MEMORY_ENV = "OPSAGENT_LOCAL_MEMORY_MB"


def _die_with_parent() -> None:
    """Exit when the parent is gone (its pipes may outlive it in a grandchild)."""
    import threading

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _cap_memory() -> None:
    megabytes = int(os.environ.get(MEMORY_ENV) or 0)
    if megabytes <= 0:
        return
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _protocol_pipe() -> TextIO:
    """The original stdout, kept for replies; fd 1 then points at stderr so that a
    native library printing to stdout cannot corrupt the protocol."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    return out


def _fault(kind: str) -> None:
    if kind == "sigill":
        os.kill(os.getpid(), signal.SIGILL)
    elif kind == "sigsegv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif kind == "abort":
        os.abort()
    elif kind == "hang":
        while True:
            time.sleep(3600)
    elif kind == "allocate":
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    elif kind == "exit":
        os._exit(3)


def _send(out: TextIO, message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


def main(argv: list[str]) -> int:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    out = _protocol_pipe()
    _cap_memory()
    path, n_ctx, n_threads = argv[0], int(argv[1]), int(argv[2])
    try:
        import llama_cpp
        from llama_cpp.llama_grammar import LlamaGrammar

        model = llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads,
                                n_threads_batch=n_threads, verbose=False, seed=42)
    except MemoryError:
        _send(out, {"error": "memory", "detail": "loading the model"})
        return 1
    except Exception as exc:  # a bad file, a missing library
        _send(out, {"error": "load", "detail": f"{type(exc).__name__}: {exc}"})
        return 1
    _send(out, {"ready": True})
    fault = os.environ.get(FAULT_ENV, "")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            if fault:
                _fault(fault)
            request = json.loads(line)
            grammar = None
            if request.get("schema") is not None:
                grammar = LlamaGrammar.from_json_schema(json.dumps(request["schema"]),
                                                        verbose=False)
            completion = model.create_chat_completion(
                messages=request["messages"],
                grammar=grammar,
                max_tokens=int(request["max_tokens"]),
                temperature=float(request["temperature"]),
                seed=42,
                stop=None if grammar is not None else request.get("stop"),
            )
        except MemoryError:
            _send(out, {"error": "memory", "detail": "generating"})
            return 1
        except Exception as exc:
            _send(out, {"error": "generate", "detail": f"{type(exc).__name__}: {exc}"})
            continue
        _send(out, {"completion": completion})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
