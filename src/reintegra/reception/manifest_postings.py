"""The short postings a manifest import has read (the people holding a blocking key shared by fewer than
`manifest_writer.CACHED_FROM`), kept between chunks in a few arrays rather than read again for every chunk
that meets the key. No Django here: plain numpy, property-tested (`tests/test_manifest_postings.py`).

At a million people a chunk of 2,000 rows looks up some 15,000 keys the long-postings cache does not hold;
most are short, and a key comes back in about one chunk in eight: the same short postings were read from
the database six times an import. Kept here, each is read once.

One block per chunk's reads: its keys sorted, where each key's ids start, and the ids (a key held by nobody
is kept as an empty posting, not asked for again). The people a chunk creates are inserted into the postings
of their keys (`created`), as the table holds them after the chunk's writes. A Python object per key would
cost ten times the ids themselves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


def narrow(ids: Any) -> Any:
    """Ids as 32-bit integers while they fit (every register below two thousand million people): the postings
    kept take half the memory. Always a native array of its own (not a view of a query's bytes)."""
    if len(ids) and int(ids.max()) < 2**31:
        return ids.astype(np.int32)
    return ids.astype(np.int64)


@dataclass
class _Block:
    keys: Any  # int64, sorted, unique
    starts: Any  # int64, len(keys) + 1: key n's ids are ids[starts[n]:starts[n + 1]]
    ids: Any  # int32 while every id fits, else int64

    def where(self, keys: Any) -> tuple[Any, Any]:
        """(which of `keys` this block holds, their positions here)."""
        if not len(self.keys):
            return np.zeros(len(keys), dtype=bool), np.zeros(0, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        hit = self.keys[at] == keys
        return hit, at[hit]

    def insert(self, positions: Any, ids: Any) -> None:
        """`ids` added to the postings of the keys at `positions` (one position per id, in any order)."""
        if int(ids.max()) >= 2**31 and self.ids.dtype == np.int32:
            self.ids = self.ids.astype(np.int64)
        # Each at the end of its key's posting. Keys in order: an empty posting ends where the next one
        # starts, and np.insert puts values given the same index in the order given.
        order = np.argsort(positions, kind="stable")
        positions, ids = positions[order], ids[order]
        self.ids = np.insert(self.ids, self.starts[positions + 1], ids.astype(self.ids.dtype))
        self.starts[1:] += np.cumsum(np.bincount(positions, minlength=len(self.keys)))


class ShortPostings:
    """Postings by key, bounded by `bound` ids in all (past it, the blocks are dropped and read again)."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.held = 0  # ids in all the blocks
        self.blocks: list[_Block] = []

    def find(self, wanted: Iterable[int]) -> tuple[dict[int, Any], list[int]]:
        """({key: its ids} of the keys held with a posting, the keys not held): a key held as nobody's is in
        neither. The arrays are views of a block's ids: not to be changed."""
        rest = np.unique(np.fromiter(wanted, dtype=np.int64))
        found: dict[int, Any] = {}
        for block in self.blocks:
            if not len(rest):
                break
            hit, positions = block.where(rest)
            starts, ends = block.starts[positions], block.starts[positions + 1]
            some = ends > starts  # held by somebody
            keys, ids = rest[hit][some].tolist(), block.ids
            found.update(
                (key, ids[start:end])
                for key, start, end in zip(keys, starts[some].tolist(), ends[some].tolist(), strict=True)
            )
            rest = rest[~hit]
        return found, rest.tolist()

    def add(self, postings: Mapping[int, Any], nobodys: Iterable[int] = ()) -> None:
        """A block of what was just read: `postings` ({key: ids}) and the keys `nobodys` (held by nobody). Not
        kept past the bound."""
        keys = sorted({*postings, *nobodys})
        arrays = [np.asarray(postings[key], dtype=np.int64) for key in keys if key in postings]
        size = sum(map(len, arrays))
        if not keys or self.held + size > self.bound:
            return
        lengths = np.fromiter((len(postings.get(key, ())) for key in keys), dtype=np.int64, count=len(keys))
        starts = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        ids = narrow(np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64))
        self.blocks.append(_Block(np.array(keys, dtype=np.int64), starts, ids))
        self.held += size

    def created(self, pairs: Iterable[tuple[int, int]]) -> None:
        """(id, key) of the people a chunk created (written to the table): added to the postings held of their
        keys. Past the bound everything is dropped (and read again, these people with it)."""
        pks, keys = np.array(list(pairs), dtype=np.int64).reshape(-1, 2).T
        if not len(keys):
            return
        if self.held + len(keys) > self.bound:
            self.blocks, self.held = [], 0
            return
        for block in self.blocks:
            hit, positions = block.where(keys)
            if len(positions):
                block.insert(positions, pks[hit])
                self.held += len(positions)
