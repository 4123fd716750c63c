"""Community level: communities, return hotspots, favourable-site checklist, participatory sessions."""
