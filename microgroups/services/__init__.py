"""Pod writes, one module per noun: pods, membership, charter, invites, ladder, suggestions, splits,
niches, rituals (weekly prompt and cohort welcome). Entry points import from the module they need."""
