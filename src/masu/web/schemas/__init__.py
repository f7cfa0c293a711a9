"""Shapes on the wire shared by the API and the pages: inputs validated alike, answers, units."""
