"""Moderation pages: the queue and its items, the log, rules, and members' reports and appeals."""
