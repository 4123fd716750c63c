"""Each level's demo content, loaded by `reintegra demo` after the synthetic cases: a function
`load(context: DemoContext) -> str` (a one-line summary, counts only) per level, in `LOADERS` order. Their
texts are data (`demo/data/*.yaml`); they write through each level's services."""

from collections.abc import Callable

from reintegra.demo.levels import (
    children,
    community,
    employment,
    handover,
    monitoring,
    public,
    reception,
    referrals,
    regional,
    structural,
    sustainability,
)
from reintegra.demo.levels.context import DemoContext

LOADERS: list[Callable[[DemoContext], str]] = [
    sustainability.load,
    referrals.load,
    structural.load,
    regional.load,
    monitoring.load,
    children.load,
    reception.load,
    handover.load,
    community.load,
    employment.load,
    public.load,
]

__all__ = ["LOADERS", "DemoContext"]
