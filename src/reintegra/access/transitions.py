"""The one error of every status machine (docs/ARCHITECTURE.md, "Transition errors").

A step the record's current status does not allow — agreeing a plan before it is drafted, accepting a
referral that was never sent — raises `TransitionError(message, code)`: `message` is what the user reads
(translated by the caller), `code` a stable machine-readable word (`case_closed`, `invalid_transition`…).
The API answers it with 400 `{"detail": message, "code": code}` (`reintegra.api.exceptions`); a page shows
it on the form that was posted, or as the reason beside a disabled step (`reintegra.web.forms`,
`reintegra.web.steps`). Plain Python, no Django import, so that a pure status core may raise it too.
"""


class TransitionError(Exception):
    """This step is not possible in the record's current status."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
