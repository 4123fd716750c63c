"""Test helpers shared by every app's tests: factories for organisations, users and cases."""
