"""Subcommands served by the engine alone (no TensorFlow): generate, eval, info, bench."""
from __future__ import annotations

import argparse
import json
import sys

DEVICES = ["auto", "cuda", "cpu"]


def _floats(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 0.2,0.4, got {text!r}") from None


def register(sub: argparse._SubParsersAction) -> None:
    g = sub.add_parser(
        "generate", help="stream text from a model to stdout",
        description="Prime the model with --seed and stream a continuation to stdout as it is "
        "produced. Same --rng-seed and parameters give the same text. With --temperatures, one "
        "stream per temperature runs in one batched call and each is printed with its label.")
    g.add_argument("--model", help="charstream .onnx file (default: the bundled model)")
    g.add_argument("--seed", default="", help="text to start from (default: the model's "
                   "start text, '{' for review models)")
    g.add_argument("-n", "--length", type=int, default=400, help="max characters (0 = no limit)")
    g.add_argument("-t", "--temperature", type=float, default=0.5, help="0 = greedy (default 0.5)")
    g.add_argument("--temperatures", type=_floats, help="several, e.g. 0.2,0.4,0.6,0.8")
    g.add_argument("--top-k", type=int, default=0, help="sample among the k likeliest (0 = off)")
    g.add_argument("--top-p", type=float, default=1.0, help="nucleus sampling mass (1 = off)")
    g.add_argument("--rng-seed", type=int, help="fix the random draws for reproducible text")
    g.add_argument("--stop", action="append", help="stop after this text (default: '}', the end "
                   "of a review, when the model knows it); repeatable")
    g.add_argument("--no-stop", action="store_true", help="ignore stop strings; stop at --length")
    g.add_argument("--device", choices=DEVICES, default="auto")
    g.set_defaults(handler=_generate)

    e = sub.add_parser(
        "eval", help="bits per character of a model on text files",
        description="Score text files with the model (state carried across chunks; each file "
        "starts from the zero state). Characters outside the vocabulary are skipped and counted.")
    e.add_argument("model")
    e.add_argument("files", nargs="+")
    e.add_argument("--tail", type=float, default=1.0, help="score only the last fraction of each "
                   "file (0.1 = the project's held-out split)")
    e.add_argument("--drop-tail", type=float, default=0.0, help="first drop this last fraction of "
                   "each file (with --tail 0.1 --drop-tail 0.1: the validation split of a run "
                   "trained with --exclude-tail 0.1)")
    e.add_argument("--fit-logit-scale", action="store_true", help="also find the logit scale "
                   "(1/temperature) that minimises bits/char on this text, for `charstream "
                   "export --logit-scale`; fit it on validation text, not on the test split")
    e.add_argument("--json", action="store_true")
    e.add_argument("--device", choices=DEVICES, default="cpu")
    e.set_defaults(handler=_eval)

    i = sub.add_parser("info", help="print a model's metadata",
                       description="Vocabulary, layer sizes, normalisation and training facts "
                       "stored in a charstream .onnx file.")
    i.add_argument("model", nargs="?", help="default: the bundled model")
    i.add_argument("--json", action="store_true")
    i.set_defaults(handler=_info)

    b = sub.add_parser(
        "bench", help="measure streaming speed against the notebook's window method",
        description="Median per-character latency at batch 1 and 4, time to first character "
        "after a 256-character seed, the classic window method in the same run, and peak memory.")
    b.add_argument("--model", help="default: the bundled model")
    b.add_argument("--device", choices=DEVICES, default="auto")
    b.add_argument("--steps", type=int, default=500, help="timed steps per batch size")
    b.add_argument("--threads", type=int, help="ONNX Runtime intra-op threads")
    b.add_argument("--int8", action="store_true", help="also quantise the model to int8 (in a "
                   "temporary file) and report both in the same run")
    b.add_argument("--json", action="store_true")
    b.set_defaults(handler=_bench)


def _load(path, device, threads=None):
    from engine.generator import load_model

    model = load_model(path, device, threads)
    if model.notice:
        print(f"charstream: {model.notice}", file=sys.stderr)
    return model


def _generate(args: argparse.Namespace) -> int:
    from engine.generator import Generator
    from engine.params import GeneratorParams

    temps = args.temperatures or [args.temperature]
    # parameters are checked before the model loads: a typo fails fast, with one line
    params = [GeneratorParams(temperature=t, top_k=args.top_k, top_p=args.top_p,
                              max_length=args.length, stop=tuple(args.stop or ()),
                              rng_seed=None if args.rng_seed is None else args.rng_seed + i)
              for i, t in enumerate(temps)]
    model = _load(args.model, args.device)
    if args.no_stop:
        params = [p.with_changes(stop=()) for p in params]
    elif not args.stop and "}" in model.info.vocab:
        params = [p.with_changes(stop=("}",)) for p in params]
    gen = Generator(model, params)
    report = gen.prime(args.seed)
    if report.notice():
        print(f"charstream: {report.notice()}", file=sys.stderr)
    out = sys.stdout
    if len(temps) == 1:
        out.write(report.text)
        out.flush()
        for token in gen.stream():
            out.write(token.char)
            out.flush()
        out.write("\n")
        return 0
    texts = [""] * len(temps)
    printed = [False] * len(temps)
    while not gen.done:
        for token in gen.generate_next():
            if token is not None:
                texts[token.stream] += token.char
        for k in range(len(temps)):
            if gen.stream_done(k) and not printed[k]:
                printed[k] = True
                out.write(f"----- temperature {temps[k]}\n{report.text}{texts[k]}\n")
                out.flush()
    return 0


def _eval(args: argparse.Namespace) -> int:
    import os

    from engine.errors import EngineError
    from engine.evaluate import combine, drop_tail, evaluate_text, fit_logit_scale, tail

    model = _load(args.model, args.device)
    results = []
    parts: list | None = [] if args.fit_logit_scale else None  # logits kept only to fit a scale
    for path in args.files:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            raise EngineError(f"text file not found: {path}") from None
        except UnicodeDecodeError:
            raise EngineError(f"{path} is not UTF-8 text") from None
        results.append(evaluate_text(model, tail(drop_tail(text, args.drop_tail), args.tail),
                                     os.path.basename(path), keep=parts))
    total = combine(results)
    fit = fit_logit_scale(parts) if parts is not None else None
    if args.json:
        out = {"model": model.info.name, "tail": args.tail, "drop_tail": args.drop_tail,
               "files": [r.to_dict() for r in results], "total": total.to_dict()}
        if fit:
            out["logit_scale"] = {"scale": fit.scale, "bits_per_char": round(fit.bpc_after, 4)}
        print(json.dumps(out, indent=2))
        return 0
    for r in results + ([total] if len(results) > 1 else []):
        skipped = sum(r.skipped.values())
        extra = f", {skipped} out-of-vocabulary chars skipped" if skipped else ""
        print(f"{r.name}: {r.bpc:.4f} bits/char over {r.chars:,} chars{extra}")
    if fit:
        print(f"best logit scale {fit.scale:.4f}: {fit.bpc_after:.4f} bits/char "
              f"(from {fit.bpc_before:.4f}); fold it in with `charstream export RUN -o M.onnx "
              f"--logit-scale {fit.scale:.4f}`")
    return 0


def _info(args: argparse.Namespace) -> int:
    from engine.bundled import default_model_path
    from engine.model_file import read_model_info

    info = read_model_info(args.model or default_model_path())
    s = info.summary()
    if args.json:
        print(json.dumps(s, indent=2, ensure_ascii=False))
        return 0
    t = info.training
    print(f"name:        {s['name']}")
    print(f"file:        {s['path']} ({s['size_bytes'] / 1e6:.2f} MB)")
    print(f"layers:      LSTM {s['layers']}, embedding {s['embedding_dim'] or 'one-hot'}")
    print(f"vocabulary:  {s['vocab_size']} chars {s['vocab']!r}")
    print(f"lowercase:   {s['lowercase']}")
    for key in ("best_val_bpc", "chars_trained", "epochs", "steps", "source", "logit_scale"):
        if t.get(key) is not None:
            print(f"{key + ':':<12} {t[key]}")
    for c in t.get("corpora", []):
        print(f"corpus:      {c.get('name')} ({c.get('chars', 0):,} chars)")
    if "pretrained" in t:
        print(f"pretrained:  {json.dumps(t['pretrained'])}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from engine.bench import render, run_bench

    model = _load(args.model, args.device, args.threads)
    results = [run_bench(model, steps=args.steps)]
    if args.int8:
        import os
        import tempfile

        from engine.bench import bench_in_child
        from engine.quantize import quantize_int8

        with tempfile.TemporaryDirectory() as tmp:
            q_path = os.path.join(tmp, "int8.onnx")
            quantize_int8(model.info.path, q_path)
            q_result = bench_in_child(q_path, args.device, args.threads, args.steps)
        q_result["model"] = model.info.name + " (int8)"
        results.append(q_result)
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results, indent=2))
    else:
        print("\n".join(render(r) for r in results))
    return 0
