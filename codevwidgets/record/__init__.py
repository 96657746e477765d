"""What a session leaves: its record (read model), the record's export (md, html, pdf), the
follow-up of the last action plan, and the cycle's queries and charts."""
