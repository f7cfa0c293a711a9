"""Reviews: the customer's review, the reply, moderation, and the review cycle."""
