"""Subcommands for training and conversion. Parsers only here: TensorFlow loads inside handlers."""
from __future__ import annotations

import argparse


def _layers(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 256,256, got {text!r}") from None


def register(sub: argparse._SubParsersAction) -> None:
    from export.config import PRESETS

    p = sub.add_parser(
        "train", help="train a character LSTM on text files (needs the 'train' extra)",
        description="Train a character-level LSTM on one or more UTF-8 text files. The last "
        "--val-fraction of each file is held out for validation. Checkpoints are written to "
        "--out every epoch and every --checkpoint-every steps; Ctrl-C saves and exits, and "
        "--resume continues exactly where the run stopped.")
    p.add_argument("corpus", nargs="*", help="UTF-8 text files (optional with --resume)")
    p.add_argument("--out", required=True, help="run folder for checkpoints and metrics.jsonl")
    p.add_argument("--preset", help=f"architecture and batch preset: "
                   f"{', '.join(k + ' ' + str(v['layers']) for k, v in PRESETS.items())} (default small)")
    p.add_argument("--layers", type=_layers, help="LSTM sizes, e.g. 1024,512")
    p.add_argument("--embedding-dim", type=int, help="character embedding width (0 = one-hot)")
    p.add_argument("--seq-len", type=int, help="characters per training sequence")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--epochs", type=int, help="maximum epochs (default 10; with --resume, extends)")
    p.add_argument("--lr", type=float, dest="learning_rate", help="peak learning rate (Adam)")
    p.add_argument("--lr-floor", type=float, help="final lr as a fraction of --lr (cosine decay)")
    p.add_argument("--dropout", type=float)
    p.add_argument("--val-fraction", type=float, help="held-out tail of each file (default 0.1)")
    p.add_argument("--exclude-tail", type=float, help="drop this last fraction of each file "
                   "entirely (a test split never trained or validated on; 0.1 = the project's "
                   "Yelp held-out convention)")
    p.add_argument("--keep-case", action="store_true", help="do not lowercase (default lowercases, "
                   "like the classic notebook)")
    p.add_argument("--seed", type=int, help="random seed (weights, batch order, samples)")
    p.add_argument("--stateful", action="store_true", default=None,
                   help="carry the LSTM state from each batch to the next (truncated "
                   "backpropagation through contiguous text), so the model learns context "
                   "longer than --seq-len, as streaming uses it")
    p.add_argument("--patience", type=int, help="early stopping: epochs without val improvement")
    p.add_argument("--checkpoint-every", type=int, help="also checkpoint every N steps")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--init-from", metavar="RUN_OR_CHECKPOINT",
                   help="start from trained weights and fine-tune: a run folder, a .npz "
                   "checkpoint, a charstream .onnx file (e.g. the bundled "
                   "models/yelp-reviews.onnx), or the classic notebook's HDF5 "
                   "transfer_weights file")
    p.add_argument("--char-indices", help="with a notebook --init-from: its char_indices.txt "
                   "(default: beside the weights)")
    p.add_argument("--indices-char", help="with a notebook --init-from: its indices_char.txt "
                   "(default: beside the weights)")
    p.set_defaults(handler=_train)

    e = sub.add_parser(
        "export", help="convert a trained run to a streaming ONNX model (needs 'train')",
        description="Convert a run folder (its best checkpoint) or a checkpoint file to one "
        "self-describing streaming ONNX file, then verify it against Keras.")
    e.add_argument("run", help="run folder or checkpoint .npz")
    e.add_argument("-o", "--output", required=True, help="output .onnx path")
    e.add_argument("--force", action="store_true", help="overwrite an existing output file")
    e.add_argument("--name", help="model name stored in the metadata (default: file name)")
    e.add_argument("--opset", type=int, default=17)
    e.add_argument("--logit-scale", type=float, default=1.0,
                   help="multiply the output layer by this calibration factor (1/temperature), "
                   "as found on validation text by `charstream eval --fit-logit-scale`")
    e.set_defaults(handler=_export)

    k = sub.add_parser(
        "import-keras", help="import the classic Keras notebook's weights to streaming ONNX",
        description="Rebuild the classic notebook model (LSTMs -> Dense softmax over one-hot "
        "characters) from its legacy HDF5 weights file (saved with save_weights, often without an "
        "extension) and its two vocabulary files, verify it against the notebook's own "
        "prediction, and export it to the streaming ONNX contract.")
    k.add_argument("weights", help="the notebook's weights file, e.g. transfer_weights")
    k.add_argument("--char-indices", required=True, help="char_indices.txt (JSON char -> index)")
    k.add_argument("--indices-char", required=True, help="indices_char.txt (JSON index -> char)")
    k.add_argument("-o", "--output", required=True)
    k.add_argument("--force", action="store_true")
    k.add_argument("--name")
    k.set_defaults(handler=_import_keras)

    r = sub.add_parser(
        "prep-sentences", help="turn tokenised one-sentence-per-line review files into review text",
        description="Detokenise one-sentence-per-line files (`it 's good .`) into natural text and "
        "group consecutive sentences into pseudo-reviews wrapped in { }, like the notebook's data.")
    r.add_argument("files", nargs="+")
    r.add_argument("-o", "--output", required=True)
    r.add_argument("--seed", type=int, default=0)
    r.set_defaults(handler=_prep)


def _train(args: argparse.Namespace) -> int:
    from export.config import config_from_preset
    from export.train import train

    if not args.resume and not args.corpus:
        from export.errors import UserError
        raise UserError("give at least one corpus file (or --resume an existing run)")
    cfg = config_from_preset(
        args.preset or "small", layers=args.layers, embedding_dim=args.embedding_dim, seq_len=args.seq_len,
        batch_size=args.batch_size, epochs=None if args.resume else args.epochs,
        learning_rate=args.learning_rate, lr_floor=args.lr_floor, dropout=args.dropout,
        val_fraction=args.val_fraction, exclude_tail=args.exclude_tail, lowercase=False if args.keep_case else None,
        seed=args.seed, patience=args.patience, checkpoint_every=args.checkpoint_every,
        stateful=args.stateful)
    explicit = args.preset is not None or args.layers is not None or \
        args.embedding_dim is not None
    result = train(args.corpus, args.out, cfg, resume=args.resume, init_from=args.init_from,
                   epochs_override=args.epochs if args.resume else None,
                   arch_explicit=explicit, vocab_files=(args.char_indices, args.indices_char))
    print(f"best validation: {result.best_val_bpc:.4f} bits/char after {result.steps} steps; "
          f"export with: charstream export {result.out_dir} -o model.onnx")
    return 0


def _export(args: argparse.Namespace) -> int:
    from export.onnx_export import export_run

    report = export_run(args.run, args.output, force=args.force, name=args.name, opset=args.opset,
                        logit_scale=args.logit_scale)
    print(report.render())
    return 0


def _import_keras(args: argparse.Namespace) -> int:
    from export.keras_import import import_keras

    report, diffs = import_keras(args.weights, args.char_indices, args.indices_char, args.output,
                                 force=args.force, name=args.name)
    print("notebook parity: max |p(next char) ONNX - notebook| after a 256-char one-hot window: "
          + ", ".join(f"{d:.2e}" for d in diffs) + " (tolerance 1e-4)")
    print(report.render())
    return 0


def _prep(args: argparse.Namespace) -> int:
    from export.prep import prep_sentences

    n_reviews, n_chars = prep_sentences(args.files, args.output, seed=args.seed)
    print(f"wrote {n_reviews:,} pseudo-reviews, {n_chars:,} characters to {args.output}")
    return 0
