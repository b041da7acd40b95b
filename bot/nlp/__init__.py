"""The project's own spaCy pipeline, built offline at set-up time."""
