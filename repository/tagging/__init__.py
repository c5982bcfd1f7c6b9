"""Tagging provisions with the UNCAC articles they implement: signals, tagger, evaluation."""
