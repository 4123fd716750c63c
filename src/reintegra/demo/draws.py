"""The random draws of the generator: one stream per case, and small helpers faster than
`random.choices` / `randint` (which matter at millions of draws)."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from typing import Any


class Draws:
    __slots__ = ("rnd", "rng")

    def __init__(self) -> None:
        self.rng = random.Random()
        self.rnd = self.rng.random

    def start(self, seed: int, index: int) -> None:
        """Case `index`'s own stream: however cases are chunked, each one draws the same values."""
        self.rng.seed(seed * 4_294_967_296 + index)

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.rnd() * len(seq))]

    def pick_w(self, seq: Sequence[Any], cum_weights: Sequence[float]) -> Any:
        return seq[bisect(cum_weights, self.rnd() * cum_weights[-1])]

    def between(self, low: int, high: int) -> int:
        return low + int(self.rnd() * (high - low + 1))

    def some(self, seq: Sequence[Any], count: int) -> list[Any]:
        """`count` distinct items of `seq` (a run of neighbours from a random start), in `seq` order."""
        start = int(self.rnd() * len(seq))
        return [seq[(start + k) % len(seq)] for k in range(count)]
