"""The public information portal (`/info/`, no login) and the staff side of feedback and information requests."""
