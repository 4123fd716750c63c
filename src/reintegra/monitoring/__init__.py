"""Monitoring and evaluation (issue 12): results frameworks, indicators computed from the programme's data,
disaggregated dashboards and donor reports. So far only the arithmetic of indicators (`indicators.py`,
pure Python); the app, its models and its pages come with issue 12."""
