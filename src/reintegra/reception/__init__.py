"""Reception: reception points, arrivals (a flight, a bus, a group at a land border), the short intake of each
person at the reception desk with the immediate assistance given, and the reception dashboard."""
