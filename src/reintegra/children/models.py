"""The child's case: profile, best-interests assessment (BIA) and determination (BID), child plan.
Family tracing and reunification live in `tracing_models` (imported below so Django registers them)."""

from reintegra.children.tracing_models import *  # noqa: F403
