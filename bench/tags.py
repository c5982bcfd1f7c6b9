"""Tagging quality on ../shared/corpus-real: micro/macro P/R/F1 on the development gold set
(tests/data/gold-tags.csv, which the lexicon was tuned on) and on the held-out set
(tests/data/gold-tags-heldout.csv, which nobody tunes on), with each signal switched off in turn.

    python bench/tags.py [--corpus PATH] [--data-dir DIR]   (DIR: reuse an ingested library)
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from repository.config import load_settings  # noqa: E402
from repository.library import Library  # noqa: E402
from repository.tagging.evaluate import evaluate, read_gold  # noqa: E402
from repository.tagging.tagger import ALL_SIGNALS  # noqa: E402

GOLD_FILES = {"development": ROOT / "tests/data/gold-tags.csv", "held-out": ROOT / "tests/data/gold-tags-heldout.csv"}


def line(name: str, evaluation) -> str:
    m = evaluation.micro
    macro = evaluation.macro
    return (f"{name:<34} micro P {m.precision:.3f} R {m.recall:.3f} F1 {m.f1:.3f}   "
            f"macro P {macro[0]:.3f} R {macro[1]:.3f} F1 {macro[2]:.3f}")


def measure(library: Library) -> None:
    for set_name, path in GOLD_FILES.items():
        rows = read_gold(path)
        keys = [(row.source, row.number) for row in rows]
        stored = evaluate(rows, library.predicted_articles(keys))
        print(f"\n{set_name} set: {len(rows)} provisions")
        print(line("stored tags (all signals)", stored))
        for signal in sorted(ALL_SIGNALS):
            without = evaluate(rows, library.predict_articles(keys, ALL_SIGNALS - {signal}))
            print(line(f"without {signal}", without))
        weakest = ", ".join(f"{a} (F1 {s.f1:.2f}, tp {s.true_positives} fp {s.false_positives} fn {s.false_negatives})"
                            for a, s in stored.weakest(5))
        print(f"five weakest articles: {weakest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus-real")
    parser.add_argument("--data-dir", type=Path, help="an already ingested library to measure")
    args = parser.parse_args()
    if args.data_dir:
        with Library(load_settings(environ={}, data_dir=str(args.data_dir))) as library:
            measure(library)
        return
    with tempfile.TemporaryDirectory() as data_dir, Library(load_settings(environ={}, data_dir=data_dir)) as library:
        library.init()
        library.ingest(args.corpus, manifest=ROOT / "tests/data/corpus-real.toml")
        measure(library)


if __name__ == "__main__":
    main()
