"""What the three portals share: sessions, CSRF, languages, the layout and its rendering."""
