"""What each signal, list and piece of content is worth, on the tuning sets only.

    python -m benchmarks.ablation [--only NAME,...]

Each variant takes one thing away, refits everything (`benchmarks.fit_answers.fit`: rank
weights, decision models, cut-offs) and measures out of fold on every tuning set, so a
variant is judged as it would ship, not with weights fitted for the full pipeline. "Earned"
is how many tuning questions the full pipeline gets right that the variant does not: an
answerable message answered (sure or unsure) with a right first tip, or a not-covered or
off-topic one declined. The house rule: what earns fewer than two goes. No held-out set is
opened.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable

from benchmarks import fit_answers
from bot.core.pipeline import wordlists
from bot.core.pipeline.config import DEFAULT

LISTS = wordlists.shipped()
SITUATIONAL = 120  # curated questions longer than this are the situational examples


def _short_questions_only():
    tips = fit_answers.base_tips()
    return [
        dataclasses.replace(t, questions=tuple(q for q in t.questions if len(q) <= SITUATIONAL))
        for t in tips
    ]


VARIANTS: dict[str, Callable[[], dict]] = {
    "full": lambda: {},
    "no semantic signal": lambda: {"config": DEFAULT.replace(semantic=False)},
    "no lexical signal": lambda: {"drop": frozenset({"lexical"})},
    "no question similarity": lambda: {"drop": frozenset({"sem_question"})},
    "no body similarity": lambda: {"drop": frozenset({"sem_body"})},
    "no typo correction": lambda: {"config": DEFAULT.replace(fuzzy_ratio=101.0)},
    "no plain-word discount": lambda: {"config": DEFAULT.replace(plain_word_weight=1.0)},
    "no synonym groups": lambda: {"lists": LISTS.replace(synonym_groups=())},
    "no decline topics": lambda: {"lists": LISTS.replace(decline_topics=())},
    "no situational examples": lambda: {"tips": _short_questions_only()},
}
# One variant per synonym group and per decline topic: what each single entry is worth.
for _i, _group in enumerate(LISTS.synonym_groups):
    VARIANTS[f"no group {_group[0]!r}"] = lambda i=_i: {
        "lists": LISTS.replace(
            synonym_groups=tuple(g for j, g in enumerate(LISTS.synonym_groups) if j != i)
        )
    }
for _topic in LISTS.decline_topics:
    VARIANTS[f"no topic {_topic.name!r}"] = lambda t=_topic: {
        "lists": LISTS.replace(decline_topics=tuple(x for x in LISTS.decline_topics if x != t))
    }
WHOLE = [name for name in VARIANTS if not name.startswith(("no group", "no topic"))]


def score(rows, levels) -> dict[str, int]:
    """Right outcomes per set/surface: answered with a right first tip, or declined negative."""
    out: dict[str, int] = {}
    for row, level in zip(rows, levels, strict=True):
        key = row.set if row.set != "tuning.yaml" else f"tuning/{row.case.surface}"
        if row.case.answerable:
            right = level != "none" and fit_answers.labels(row)[0] == 1
        else:
            right = level == "none"
        out[key] = out.get(key, 0) + int(right)
    return out


def main(argv: list[str] | None = None) -> int:
    """Print one row per variant: right outcomes per set and what the variant loses."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ablation")
    parser.add_argument("--only", default="", help="comma-separated variant names")
    parser.add_argument(
        "--entries", action="store_true", help="also one variant per synonym group and topic"
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or (
        list(VARIANTS) if args.entries else WHOLE
    )
    if "full" not in names:
        names.insert(0, "full")
    results = {}
    for name in names:
        if name not in VARIANTS:
            parser.error(f"unknown variant {name!r}: use one of {', '.join(VARIANTS)}")
        _, rows, levels = fit_answers.fit(quiet=True, **VARIANTS[name]())
        results[name] = score(rows, levels)
        print(f"  fitted {name}", file=sys.stderr)
    sets = list(results["full"])
    full_total = sum(results["full"].values())
    print(
        f"{'variant':<26} "
        + " ".join(f"{s[:12]:>12}" for s in sets)
        + f" {'total':>6} {'earned':>6}"
    )
    for name, figures in results.items():
        total = sum(figures.values())
        earned = full_total - total
        print(
            f"{name:<26} "
            + " ".join(f"{figures.get(s, 0):>12}" for s in sets)
            + f" {total:>6} {'' if name == 'full' else earned:>6}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
