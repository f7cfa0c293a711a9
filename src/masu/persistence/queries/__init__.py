"""Read queries that join aggregates for lists, reports and matching; they never write."""
