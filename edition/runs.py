"""The longest increasing run, which alignment and the diff both need:
of the pairs matched between two texts, the most that keep their order on
both sides (patience sorting, as patience diff picks its anchors)."""

from __future__ import annotations

from bisect import bisect_left
from typing import Sequence, TypeVar

T = TypeVar("T")


def longest_increasing(keys: Sequence[int], items: Sequence[T]) -> list[T]:
    """The longest run of `items` (in their order) whose `keys` strictly
    increase; of runs equally long, the one whose keys end lowest."""
    tails: list[int] = []  # tails[k]: the key that ends the best run of length k+1
    tail_at: list[int] = []
    previous = [-1] * len(keys)
    for k, key in enumerate(keys):
        pos = bisect_left(tails, key)
        if pos == len(tails):
            tails.append(key)
            tail_at.append(k)
        else:
            tails[pos] = key
            tail_at[pos] = k
        previous[k] = tail_at[pos - 1] if pos else -1
    out = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        out.append(items[k])
        k = previous[k]
    out.reverse()
    return out
