"""A consultancy's tools: the runbook editor's model, a new client runbook from a preset, and
the client's session notebook."""
