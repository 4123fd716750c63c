"""The stored codes of the shared vocabulary (see `reintegra.vocabulary`). No Django import: the pure
cores (the level × dimension matrix, the survey definition) use these tuples, `choices` labels them."""

# The three levels of intervention of the integrated approach (IOM Reintegration Handbook).
INDIVIDUAL = "individual"
COMMUNITY = "community"
STRUCTURAL = "structural"
INTERVENTION_LEVELS = (INDIVIDUAL, COMMUNITY, STRUCTURAL)

# The three dimensions of sustainable reintegration. There is no fourth, "cross-cutting" dimension: the
# cross-cutting issues of the approach (rights, gender, partnerships, data, M&E) are themes, not a
# dimension. A record that spans dimensions says so by listing them all (a regional action's
# `dimensions`), and the survey's composite score is a score across them, not a dimension.
ECONOMIC = "economic"
SOCIAL = "social"
PSYCHOSOCIAL = "psychosocial"
DIMENSIONS = (ECONOMIC, SOCIAL, PSYCHOSOCIAL)

# Geographic level at which a stakeholder or mechanism works, or a referral reaches: nearest first.
LOCAL = "local"
NATIONAL = "national"
INTERNATIONAL = "international"
GEOGRAPHIC_LEVELS = (LOCAL, NATIONAL, INTERNATIONAL)
