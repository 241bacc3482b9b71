"""core has no tables of its own; this module makes Django send it post_migrate
(core/apps.py creates the database cache table then)."""
