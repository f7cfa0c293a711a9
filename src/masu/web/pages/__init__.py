"""Server-rendered portals: customer/, pro/, admin/."""
