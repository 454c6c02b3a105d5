"""Rules for introducing people from different organisations working on similar things."""
