"""Replay the tuning sets with simulated clicks: who can change whose answers.

    python -m benchmarks.feedback [--json]

Each question is asked through the real Coach (a fresh SQLite file, the shipped tips), and a
simulated PM clicks as the Slack buttons let them (through `Coach.offer` and `Coach.teach`,
exactly what the button listeners call):

* a sure answer whose tip is wrong: "Not what I asked" on it;
* a right tip offered but not first (unsure picks, "Also relevant"): a pick of it;
* an unsure answer with no right tip offered: "None of these";
* a not-covered or off-topic message that got a tip: "Not what I asked" / "None of these".

Scenarios, each on a fresh database:

1. one person (ANA) clicks: her own answers after, and everyone else's (BEN) after;
2. a second person (BEN) clicks the same way: then a third person's (CAL) answers;
3. a curator approves ANA's pairs: CAL's answers;
4. a saboteur (EVE) marks every right sure answer "Not what I asked": CAL's answers;
5. forged values: offers that do not exist, tips an offer did not show, someone else's
   offer: how many teachings are kept, and CAL's answers.

The check (exit status 1 when it fails): nobody's answers change but the teacher's in 1, 4
and 5; 2 and 3 change CAL's answers. Rates are right first tips among answerable messages.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import questionsets
from bot.core import coach as core
from bot.core import knowledge
from bot.core.coach import Coach
from bot.settings import Settings

ANA, BEN, CAL, EVE, ADMIN = "UANA", "UBEN", "UCAL", "UEVE", "UADMIN"
SEED = 20240613


def cases() -> list[questionsets.Case]:
    """Every case of the file tuning sets (not LOQO: its base differs per case)."""
    tips = knowledge.load("knowledge").live_tips
    out = []
    for qs in questionsets.tuning_sets(tips):
        if qs.bases is None:
            out.extend(qs.cases)
    return out


@dataclass
class Snapshot:
    """What one person is told for every case: (level, first tip id) per case."""

    answers: list[tuple[str, str | None]] = field(default_factory=list)
    tips: list = field(default_factory=list)

    def right(self, all_cases) -> float:
        hits = [
            level != "none" and tip is not None and c.right(tip)
            for c, (level, _), tip in zip(all_cases, self.answers, self.tips, strict=True)
            if c.answerable
        ]
        return sum(hits) / max(len(hits), 1)


def ask_all(coach: Coach, user: str, all_cases) -> Snapshot:
    snap = Snapshot()
    for case in all_cases:
        answer = coach.ask(case.text, user=user, surface=case.surface, record_gap=False)
        snap.answers.append((answer.level, answer.tip.id if answer.tip else None))
        snap.tips.append(answer.tip)
    return snap


def click_as(coach: Coach, user: str, all_cases, *, saboteur: bool = False) -> int:
    """One person's honest (or, as a saboteur, harmful) clicks on every case; lessons kept."""
    kept = 0
    for case in all_cases:
        answer = coach.ask(case.text, user=user, surface=case.surface, record_gap=False)
        offer = coach.offer(answer, user=user, channel="C1")
        tips = [t for t, _ in answer.matches]
        if not tips:
            continue
        if saboteur:
            if case.answerable and answer.level == "sure" and case.right(tips[0]):
                kept += coach.teach(offer, [tips[0].id], "mismatch", user=user) == core.LEARNED
            continue
        if not case.answerable:
            ids = [tips[0].id] if answer.level == "sure" else [t.id for t in tips]
            kept += coach.teach(offer, ids, "mismatch", user=user) == core.LEARNED
            continue
        right = [t for t in tips if case.right(t)]
        if answer.level == "sure" and right and right[0] is tips[0]:
            continue
        if right:
            kept += coach.teach(offer, [right[0].id], "match", user=user) == core.LEARNED
        elif answer.level == "sure":
            kept += coach.teach(offer, [tips[0].id], "mismatch", user=user) == core.LEARNED
        else:
            kept += coach.teach(offer, [t.id for t in tips], "mismatch", user=user) == core.LEARNED
    return kept


def forge(coach: Coach, all_cases, rng: random.Random) -> int:
    """Clicks with forged values; returns how many teachings they left (should be 0)."""
    before = len(coach.store.teachings())
    tip_ids = [t.id for t in coach.library.base.live_tips]
    for case in all_cases[:200]:
        answer = coach.ask(case.text, user=ANA, surface=case.surface, record_gap=False)
        offer = coach.offer(answer, user=ANA, channel="C1")
        others = [t for t in tip_ids if t not in offer.tips]
        fake = coach.find_offer("A" * 16)
        assert fake is None
        if others:
            coach.teach(offer, [rng.choice(others)], "match", user=ANA)  # not offered
        if offer.tips:
            coach.teach(offer, [offer.tips[0]], "mismatch", user=EVE)  # someone else's offer
    return len(coach.store.teachings()) - before


def fresh(tmp: Path, name: str) -> Coach:
    settings = Settings(db_path=tmp / f"{name}.db", knowledge_dir=Path("knowledge"))
    return Coach.open(settings)


def _catch_up(coach: Coach) -> None:
    coach._lessons_state = (-1, -1, float("-inf"))


def run() -> dict:
    """Run every scenario; returns the figures and whether the check holds."""
    all_cases = cases()
    rng = random.Random(SEED)
    out: dict = {"cases": len(all_cases), "answerable": sum(c.answerable for c in all_cases)}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        coach = fresh(tmp, "one")
        try:
            cal_before = ask_all(coach, CAL, all_cases)
            ana_before = ask_all(coach, ANA, all_cases)
            out["one_person_clicks"] = click_as(coach, ANA, all_cases)
            _catch_up(coach)
            ana_after = ask_all(coach, ANA, all_cases)
            cal_after = ask_all(coach, CAL, all_cases)
            out["ana_right_before"] = ana_before.right(all_cases)
            out["ana_right_after"] = ana_after.right(all_cases)
            out["others_changed_by_one_person"] = sum(
                a != b for a, b in zip(cal_before.answers, cal_after.answers, strict=True)
            )
            out["ben_clicks"] = click_as(coach, BEN, all_cases)
            _catch_up(coach)
            cal_agreed = ask_all(coach, CAL, all_cases)
            out["cal_right_after_two_agree"] = cal_agreed.right(all_cases)
            out["cal_changed_after_two_agree"] = sum(
                a != b for a, b in zip(cal_before.answers, cal_agreed.answers, strict=True)
            )
            out["cal_right_before"] = cal_before.right(all_cases)
        finally:
            coach.close()
        coach = fresh(tmp, "curator")
        try:
            cal_before = ask_all(coach, CAL, all_cases)
            click_as(coach, ANA, all_cases)
            for row in coach.store.learned_summary():
                verdict = "match" if row["matched"] else "mismatch"
                coach.decide_pair(
                    row["key"],
                    row["tip_id"],
                    verdict=verdict,
                    approve=True,
                    curator=ADMIN,
                    question=row["question"],
                )
            _catch_up(coach)
            cal_approved = ask_all(coach, CAL, all_cases)
            out["cal_right_after_curator"] = cal_approved.right(all_cases)
            out["cal_changed_after_curator"] = sum(
                a != b for a, b in zip(cal_before.answers, cal_approved.answers, strict=True)
            )
        finally:
            coach.close()
        coach = fresh(tmp, "saboteur")
        try:
            cal_before = ask_all(coach, CAL, all_cases)
            out["saboteur_clicks"] = click_as(coach, EVE, all_cases, saboteur=True)
            _catch_up(coach)
            cal_after = ask_all(coach, CAL, all_cases)
            out["others_changed_by_saboteur"] = sum(
                a != b for a, b in zip(cal_before.answers, cal_after.answers, strict=True)
            )
            out["forged_teachings_kept"] = forge(coach, all_cases, rng)
            _catch_up(coach)
            cal_forged = ask_all(coach, CAL, all_cases)
            out["others_changed_by_forgery"] = sum(
                a != b for a, b in zip(cal_before.answers, cal_forged.answers, strict=True)
            )
        finally:
            coach.close()
    out["check"] = (
        out["others_changed_by_one_person"] == 0
        and out["others_changed_by_saboteur"] == 0
        and out["others_changed_by_forgery"] == 0
        and out["forged_teachings_kept"] == 0
        and out["cal_changed_after_two_agree"] > 0
        and out["cal_changed_after_curator"] > 0
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 1 when the check fails."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.feedback")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out = run()
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(
            f"Feedback replay over {out['cases']} tuning messages ({out['answerable']} answerable)"
        )
        print(
            f"  1. ANA clicks ({out['one_person_clicks']} lessons): her right first tips "
            f"{out['ana_right_before']:.3f} -> {out['ana_right_after']:.3f}; "
            f"answers changed for anyone else: {out['others_changed_by_one_person']}"
        )
        print(
            f"  2. BEN agrees ({out['ben_clicks']} lessons): CAL {out['cal_right_before']:.3f} -> "
            f"{out['cal_right_after_two_agree']:.3f} ({out['cal_changed_after_two_agree']} answers changed)"
        )
        print(
            f"  3. a curator approves ANA's pairs: CAL -> {out['cal_right_after_curator']:.3f} "
            f"({out['cal_changed_after_curator']} answers changed)"
        )
        print(
            f"  4. EVE marks {out['saboteur_clicks']} right answers wrong: answers changed for "
            f"anyone else: {out['others_changed_by_saboteur']}"
        )
        print(
            f"  5. forged values: {out['forged_teachings_kept']} teachings kept, answers changed "
            f"for anyone else: {out['others_changed_by_forgery']}"
        )
        print(f"check: {'holds' if out['check'] else 'FAILS'}")
    return 0 if out["check"] else 1


if __name__ == "__main__":
    sys.exit(main())
