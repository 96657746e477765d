"""Persistence: the ``Store`` protocol, where stores live, ``open_store`` (which picks an
engine), the SQL both engines share, SQLite and PostgreSQL, their change feeds and the
``LiveLink`` a page follows its session through. It applies what core decided and decides no
rule of its own."""
