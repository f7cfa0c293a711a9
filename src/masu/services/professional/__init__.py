"""Professionals: profiles, their visits and earnings, moving a visit along, standing."""
