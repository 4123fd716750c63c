"""Children and families: the child-rights case path (child profile, best-interests assessment and
determination, family tracing and reunification, child plans, child participation)."""
