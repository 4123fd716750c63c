"""The shared words of the IOM integrated approach, defined once for every app (docs/ARCHITECTURE.md).

- `codes`: the stored codes as plain tuples, for the pure cores that import nothing from Django;
- `choices`: the same codes as Django choices with their translated labels, re-exported by each app's
  `choices.py`.

The lowest layer: nothing here imports from the apps. A word goes here when two or more apps mean the
same thing by it; a word only one app uses stays in that app's `choices.py`, under a name of its own
(a referral's `ReferralPriority` is not a capacity gap's `CapacityPriority`).
"""
