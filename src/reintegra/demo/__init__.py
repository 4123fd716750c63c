"""Demo and synthetic data: `reintegra seed` (synthetic returnees and cases, for demos, tests and benchmarks)
and `reintegra demo` (a ready-to-explore Reintegra: users for every role, cases, and each level's content).

The top layer: it writes through every app below it and nothing imports it. The generator tells each case
as a story of service calls (`stories`, `telling`), writes its rows the way the services would (`writer`,
`rows`) and is checked against the services themselves (`tests/test_parity.py`). Vocabularies are data
(`data/*.yaml`, `vocabulary`); each level's demo content is loaded by `levels`.
"""
