"""Moderation writes, one module per noun: rules, queue, actions, reports, appeals, assignments, automation."""
