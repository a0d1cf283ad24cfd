"""Which tip a channel gets next: a strict first cycle, then a schedule steered by ratings.

Rules, in order (n = number of live tips, "posts" = the channel's posts, newest last):
1. First cycle: tips never posted in the channel come first: practice tips (something
   to do this week) before concepts before career advice, within a kind best rated
   first, then in base order. So a new channel starts with advice it can use, gets
   every tip once before any repeat, and a tip added to the base later is posted before
   anything repeats.
2. Minimum repeat gap: a tip among the channel's last `min_gap` posts (default
   max(5, n // 3), about two weeks of working days for 25 tips; never more than n - 1,
   so some tip is always allowed) is not posted.
3. Disliked tips drop out: a tip the ratings clearly dislike (the posterior
   Beta(useful + 1, not_useful + 1) puts it below 50 % useful with probability
   >= `dislike_confidence`) is not posted again while that holds (ratings from other
   channels can lift it). Only if every tip allowed by rule 2 is disliked is one posted.
4. Nothing liked or unrated is buried: of the remaining tips, one not posted in the last
   `max_wait` posts (default 2n) is forced back, the longest waiting first. So such a
   tip waits at most about 2n posts (a little more when several fall due together).
5. Otherwise Thompson sampling: each remaining tip draws from Beta(useful + 1,
   not_useful + 1) and the highest draw is posted. Useful tips come back sooner, tips
   rated not useful later, and an unrated tip keeps a fair chance (its draw is uniform).

The state is the channel's post history (from the posts table), so it survives restarts
and knowledge rebuilds; posts of tips no longer in the base are ignored.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
from collections.abc import Mapping, Sequence

DISLIKE_CONFIDENCE = 0.8
# The order of kinds in a channel's first cycle; tips of other or no kind come last.
FIRST_CYCLE_KINDS = ("practice", "concept", "career")


def default_min_gap(n: int) -> int:
    """The default minimum repeat gap with `n` live tips: max(5, n // 3) posts."""
    return max(5, n // 3)


def default_max_wait(n: int) -> int:
    """The default number of posts after which a tip not disliked is forced back: 2n."""
    return 2 * n


@functools.lru_cache(maxsize=4096)
def prob_below_half(useful: int, not_useful: int) -> float:
    """P(share useful < 1/2) under the posterior Beta(useful + 1, not_useful + 1).

    For integer parameters a, b this equals P(Binomial(a + b - 1, 1/2) >= a).
    """
    a, b = useful + 1, not_useful + 1
    n = a + b - 1
    total = sum(math.comb(n, k) for k in range(a, n + 1))
    return total / 2**n


def clearly_disliked(
    tally: tuple[int, int] | None, *, confidence: float = DISLIKE_CONFIDENCE
) -> bool:
    """Whether the ratings say, with `confidence`, that most people do not find the tip useful."""
    if not tally:
        return False
    useful, not_useful = tally
    return prob_below_half(useful, not_useful) >= confidence


def posterior_mean(tally: tuple[int, int] | None) -> float:
    """The expected share of people who find the tip useful (1/2 when unrated)."""
    useful, not_useful = tally or (0, 0)
    return (useful + 1) / (useful + not_useful + 2)


def seeded_rng(*parts: object) -> random.Random:
    """A Random seeded from the parts (e.g. channel and date): same inputs, same choices."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def posts_since(base: Sequence[str], history: Sequence[tuple[str, str]]) -> dict[str, int]:
    """tip_id -> how many posts the channel made after that tip's latest post.

    Only tips of `base` that were posted at least once appear; posts of removed tips
    still count as posts (they took a day).
    """
    live = set(base)
    since: dict[str, int] = {}
    for age, (tip_id, _date) in enumerate(reversed(history)):
        if tip_id in live and tip_id not in since:
            since[tip_id] = age
    return since


def next_tip(
    tip_ids: Sequence[str],
    history: Sequence[tuple[str, str]],
    tallies: Mapping[str, tuple[int, int]],
    *,
    seed: object = None,
    rng: random.Random | None = None,
    dislike_confidence: float | None = DISLIKE_CONFIDENCE,
    min_gap: int | None = None,
    max_wait: int | None = None,
    kinds: Mapping[str, str | None] | None = None,
) -> str | None:
    """The id of the tip to post next in a channel, or None when the base is empty.

    `tip_ids`: the live base in base order. `history`: (tip_id, date) of the channel's
    posts, oldest first (tips no longer in `tip_ids` are skipped). `tallies`: tip_id ->
    (useful, not_useful) people. `seed` (e.g. "channel:date") or `rng` makes the draw
    repeatable: same inputs, same tip. `dislike_confidence`: how sure the ratings must be
    that a tip is disliked before it stops being posted (None: never drop a tip).
    `min_gap` / `max_wait` override `default_min_gap(n)` / `default_max_wait(n)`.
    `kinds`: tip_id -> kind ('practice', 'concept', 'career'), which orders the first
    cycle (None: base order only). The policy is the module's rules 1-5.
    """
    base = list(dict.fromkeys(tip_ids))
    if not base:
        return None
    since = posts_since(base, history)
    order = {t: i for i, t in enumerate(base)}
    fresh = [t for t in base if t not in since]
    if fresh:
        kinds = kinds or {}
        rank = {kind: i for i, kind in enumerate(FIRST_CYCLE_KINDS)}
        return max(
            fresh,
            key=lambda t: (
                -rank.get(kinds.get(t) or "", len(rank)),
                posterior_mean(tallies.get(t)),
                -order[t],
            ),
        )
    n = len(base)
    gap = max(0, min(default_min_gap(n) if min_gap is None else min_gap, n - 1))
    allowed = [t for t in base if since[t] >= gap]
    liked = [
        t
        for t in allowed
        if dislike_confidence is None
        or not clearly_disliked(tallies.get(t), confidence=dislike_confidence)
    ]
    # Everything allowed is disliked: keep posting rather than go silent.
    candidates = liked or allowed
    wait = default_max_wait(n) if max_wait is None else max_wait
    overdue = [t for t in candidates if since[t] >= wait]
    if overdue:
        return max(overdue, key=lambda t: (since[t], -order[t]))
    rng = rng or seeded_rng(seed)
    draws = {t: _beta_draw(rng, tallies.get(t)) for t in candidates}
    return max(candidates, key=lambda t: draws[t])


def _beta_draw(rng: random.Random, tally: tuple[int, int] | None) -> float:
    useful, not_useful = tally or (0, 0)
    return rng.betavariate(useful + 1, not_useful + 1)
